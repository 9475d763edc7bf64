// The fleets the local-runtime benches run on: a copy of examples/fleet, optionally with
// N more weighted apps published by east (an Istio Gateway) and west (an HTTPRoute).
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXAMPLE_FLEET = fileURLToPath(new URL('../../examples/fleet/', import.meta.url));

/** A copy of the example fleet plus `apps` weighted apps published by east (Istio) and west (Gateway API). */
export async function bigFleet(apps: number): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-fleet-'));
  await cp(EXAMPLE_FLEET, dir, { recursive: true });
  const remove = () => rm(dir, { recursive: true, force: true });
  if (apps === 0) return { dir, remove };
  const hosts = Array.from({ length: apps }, (_, i) => `app-${String(i).padStart(5, '0')}.example.com`);
  await writeFile(
    join(dir, 'clusters', 'east', 'bench-apps.yaml'),
    JSON.stringify({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bench-apps', namespace: 'bench', annotations: { 'switchyard.io/routing': 'weighted' } },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: hosts.map((h) => `*/${h}`) }] },
    }),
  );
  await writeFile(
    join(dir, 'clusters', 'west', 'bench-apps.yaml'),
    JSON.stringify({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'bench-apps', namespace: 'bench', generation: 1, annotations: { 'switchyard.io/routing': 'weighted' } },
      spec: {
        parentRefs: [{ name: 'mesh-gateway', namespace: 'istio-ingress', sectionName: 'http' }],
        hostnames: hosts,
        rules: [{ backendRefs: [{ name: 'bench', port: 8080 }] }],
      },
      status: {
        parents: [
          {
            controllerName: 'istio.io/gateway-controller',
            parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'mesh-gateway', namespace: 'istio-ingress', sectionName: 'http' },
            conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 1 }],
          },
        ],
      },
    }),
  );
  return { dir, remove };
}
