// The fleets the local-runtime benches run on: a copy of examples/fleet, optionally with
// N more weighted apps published by east (an Istio Gateway) and west (an HTTPRoute).
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_HOSTNAMES_PER_RESOURCE } from '../../src/k8s/parse/cluster.ts';

export const EXAMPLE_FLEET = fileURLToPath(new URL('../../examples/fleet/', import.meta.url));

/** A copy of the example fleet plus `apps` weighted apps published by east (Istio) and west (Gateway API). */
export async function bigFleet(apps: number): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-fleet-'));
  await cp(EXAMPLE_FLEET, dir, { recursive: true });
  const remove = () => rm(dir, { recursive: true, force: true });
  if (apps === 0) return { dir, remove };
  const hosts = Array.from({ length: apps }, (_, i) => `app-${String(i).padStart(5, '0')}.example.com`);
  // A resource may declare at most MAX_HOSTNAMES_PER_RESOURCE hostnames (more holds the
  // cluster, docs/discovery.md): the apps are spread over as many resources as that takes.
  for (let part = 0; part * MAX_HOSTNAMES_PER_RESOURCE < apps; part++) {
    const slice = hosts.slice(part * MAX_HOSTNAMES_PER_RESOURCE, (part + 1) * MAX_HOSTNAMES_PER_RESOURCE);
    const name = `bench-apps-${part}`;
    await writeFile(join(dir, 'clusters', 'east', `${name}.yaml`), JSON.stringify(istioGateway(name, slice)));
    await writeFile(join(dir, 'clusters', 'west', `${name}.yaml`), JSON.stringify(httpRoute(name, slice)));
  }
  return { dir, remove };
}

function istioGateway(name: string, hosts: readonly string[]): unknown {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: 'bench', annotations: { 'switchyard.io/routing': 'weighted' } },
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: hosts.map((h) => `*/${h}`) }] },
  };
}

function httpRoute(name: string, hostnames: readonly string[]): unknown {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'bench', generation: 1, annotations: { 'switchyard.io/routing': 'weighted' } },
    spec: {
      parentRefs: [{ name: 'mesh-gateway', namespace: 'istio-ingress', sectionName: 'http' }],
      hostnames,
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
  };
}
