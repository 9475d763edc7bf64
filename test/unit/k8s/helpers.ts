// Shared by the discovery parsing tests: manifests as YAML text → one cluster's discovery.
import { parseManifests } from '../../../src/k8s/manifests.ts';
import { discoverCluster, type ClusterContext, type Discovery } from '../../../src/k8s/parse/cluster.ts';

export const CANARIES = new Map([
  ['canary-east.example.com', 'east'],
  ['canary-west.example.com', 'west'],
]);

/** The `east` cluster with no pinned entry point (so Services are looked up) unless given. */
export function context(overrides: Partial<ClusterContext['cluster']> = {}): ClusterContext {
  return {
    cluster: { name: 'east', domainFilter: ['example.com'], canaryHostname: 'canary-east.example.com', ...overrides },
    canaries: CANARIES,
  };
}

export function discover(yaml: string, overrides: Partial<ClusterContext['cluster']> = {}): Discovery {
  return discoverCluster(parseManifests(yaml, 'test.yaml'), context(overrides));
}

/** hostname → entry point, for compact assertions. */
export function hostsOf(discovery: Discovery): Record<string, string | undefined> {
  return Object.fromEntries(discovery.endpoints.map((e) => [e.hostname, e.entryPoint]));
}

export function reasons(discovery: Discovery): string[] {
  return discovery.problems.map((p) => `${p.subject}: ${p.reason}`);
}

export const INGRESS_SERVICE = `
apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  labels: { app: istio-ingressgateway, istio: ingressgateway }
spec:
  type: LoadBalancer
  selector: { app: istio-ingressgateway, istio: ingressgateway }
  ports: [{ name: http2, port: 80, targetPort: 8080 }]
status:
  loadBalancer:
    ingress:
      - hostname: A1B2-east.elb.us-east-1.amazonaws.com.
`;
export const INGRESS_LB = 'a1b2-east.elb.us-east-1.amazonaws.com';
