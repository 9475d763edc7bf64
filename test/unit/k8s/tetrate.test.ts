import { describe, expect, it } from 'vitest';
import { discover, hostsOf, reasons } from './helpers.ts';

const GATEWAY_SERVICE = `
apiVersion: v1
kind: Service
metadata: { name: tsb-gateway, namespace: gateways, labels: { app: tsb-gateway } }
spec: { type: LoadBalancer, selector: { app: tsb-gateway, istio: ingressgateway } }
status: { loadBalancer: { ingress: [{ hostname: tsb-1.elb.eu-west-1.amazonaws.com }] } }
---`;

describe('Tetrate TSB Gateway parsing', () => {
  it("publishes the hostnames of HTTP and TLS servers (not TCP), through the workloadSelector's Service", () => {
    // Prepare: the TSB reference example, applied through GitOps in the cluster
    const found = discover(`${GATEWAY_SERVICE}
apiVersion: gateway.tsb.tetrate.io/v2
kind: Gateway
metadata:
  name: ingress-bookinfo
  namespace: bookinfo
  annotations:
    tsb.tetrate.io/organization: myorg
    tsb.tetrate.io/tenant: mycompany
    tsb.tetrate.io/workspace: w1
    tsb.tetrate.io/gatewayGroup: g1
    switchyard.io/routing: latency
spec:
  workloadSelector:
    namespace: gateways
    labels: { app: tsb-gateway }
  http:
    - name: bookinfo-plaintext
      port: 9090
      hostname: bookinfo.example.com
      routing: { rules: [{ redirect: { authority: bookinfo.example.com, port: 9443, redirectCode: 301, scheme: https } }] }
    - name: bookinfo
      port: 9443
      hostname: bookinfo.example.com
      tls: { mode: SIMPLE, secretName: bookinfo-certs }
      routing: { rules: [{ route: { serviceDestination: { host: bookinfo/productpage.bookinfo.svc.cluster.local, port: 9080 } } }] }
  tls:
    - name: details
      port: 8443
      hostname: Details.Example.com
      route: { host: bookinfo/details.bookinfo.svc.cluster.local, port: 9080 }
  tcp:
    - name: mongo
      port: 27017
      hostname: mongo.example.com
`);
    // Assess
    expect(found.endpoints).toEqual([
      expect.objectContaining({
        hostname: 'bookinfo.example.com',
        kind: 'TetrateGateway',
        gateway: 'bookinfo/ingress-bookinfo',
        entryPoint: 'tsb-1.elb.eu-west-1.amazonaws.com',
        annotations: { routing: 'latency' },
      }),
      expect.objectContaining({ hostname: 'details.example.com', kind: 'TetrateGateway' }),
    ]);
    expect(found.problems).toEqual([]);
  });

  it('reads the older IngressGateway kind, and looks for the Service in its own namespace when the selector names none', () => {
    const found = discover(`
apiVersion: v1
kind: Service
metadata: { name: gw, namespace: shop }
spec: { type: LoadBalancer, selector: { app: shop-gw } }
status: { loadBalancer: { ingress: [{ hostname: shop-gw.elb.amazonaws.com }] } }
---
apiVersion: v1
kind: Service
metadata: { name: gw, namespace: elsewhere }
spec: { type: LoadBalancer, selector: { app: shop-gw } }
status: { loadBalancer: { ingress: [{ hostname: wrong.elb.amazonaws.com }] } }
---
apiVersion: gateway.tsb.tetrate.io/v2
kind: IngressGateway
metadata: { name: shop, namespace: shop }
spec:
  workloadSelector: { labels: { app: shop-gw } }
  http: [{ name: shop, port: 80, hostname: shop.example.com }]
`);
    expect(hostsOf(found)).toEqual({ 'shop.example.com': 'shop-gw.elb.amazonaws.com' });
  });

  it('reports a Gateway without HTTP or TLS hostnames, and one whose workload has no Service', () => {
    const found = discover(`${GATEWAY_SERVICE}
apiVersion: gateway.tsb.tetrate.io/v2
kind: Gateway
metadata: { name: tcp-only, namespace: db }
spec:
  workloadSelector: { namespace: gateways, labels: { app: tsb-gateway } }
  tcp: [{ name: pg, port: 5432, hostname: pg.example.com }]
---
apiVersion: gateway.tsb.tetrate.io/v2
kind: Gateway
metadata: { name: orphan, namespace: web }
spec:
  workloadSelector: { namespace: web, labels: { app: tsb-gateway } }
  http: [{ name: web, port: 80, hostname: web.example.com }]
`);
    expect(reasons(found)).toEqual([
      'east/TetrateGateway/db/tcp-only: publishes no hostname (no http or tls server has a hostname)',
      'east/TetrateGateway/web/orphan: gateway Service not found: no Service in namespace web selects the gateway workload (app=tsb-gateway)',
    ]);
    expect(Object.keys(hostsOf(found))).toEqual(['web.example.com']);
  });

  it('leaves other TSB kinds alone; a Tier1Gateway on a workload cluster is reported, not published (test/unit/k8s/tier1.test.ts reads it on an edge)', () => {
    const found = discover(`
apiVersion: gateway.tsb.tetrate.io/v2
kind: Tier1Gateway
metadata: { name: t1, namespace: t1 }
spec: { externalServers: [{ name: x, hostname: x.example.com, port: 80 }] }
---
apiVersion: gateway.tsb.tetrate.io/v2
kind: Group
metadata: { name: g1, namespace: t1 }
spec: { namespaceSelector: { names: ["*/t1"] } }
`);
    expect(found.endpoints).toEqual([]);
    expect(reasons(found)).toEqual([
      'east/Tier1Gateway/t1/t1: a Tier1Gateway forwards to other clusters, so it is published only from an edge cluster (clusters[].role: edge in fleet.yaml); this cluster is a workload cluster',
    ]);
  });
});
