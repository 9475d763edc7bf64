// What a watcher keeps of an object (src/k8s/prune.ts): discovery's results over every
// example fleet's manifests are the same whether the objects are pruned or not, with the
// fields an API server adds (managedFields, the last-applied annotation, controller status)
// as they come and as arbitrary values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFleet } from '../../../src/fleet/fleet-file.ts';
import type { KubeObject } from '../../../src/k8s/kube.ts';
import { readManifestFolder } from '../../../src/k8s/manifests.ts';
import { canaryHostnames, discoverCluster } from '../../../src/k8s/parse/cluster.ts';
import { LAST_APPLIED_ANNOTATION, pruneForDiscovery } from '../../../src/k8s/prune.ts';

const FLEETS = ['fleet', 'edge-fleet'].map((name) => new URL(`../../../examples/${name}/`, import.meta.url).pathname);

/** HTTPRoutes whose controller refused them: their status, not their spec, decides. */
function refusedRoutes(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o) => {
    if (o.kind !== 'HTTPRoute' || typeof o.status !== 'object' || o.status === null) return o;
    const parents = ((o.status as { parents?: { conditions?: object[] }[] }).parents ?? []).map((p) => ({
      ...p,
      conditions: [{ type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners', message: 'refused by the controller' }],
    }));
    return { ...o, status: { ...o.status, parents } };
  });
}

/**
 * Every example cluster: its config, the fleet's canaries, and its manifests; each also
 * with its entry point found in the cluster instead of pinned (Service and Gateway status
 * read), without its Services (Gateway API status.addresses alone), and with its routes
 * refused by their controller (HTTPRoute status.parents decides).
 */
async function exampleClusters() {
  const out = [];
  for (const dir of FLEETS) {
    const fleet = (await loadFleet(dir)).config;
    const canaries = canaryHostnames(fleet.clusters);
    for (const cluster of fleet.clusters) {
      const objects = await readManifestFolder(`${dir}clusters/${cluster.name}`);
      const { entryPoint: _pinned, ...found } = cluster;
      out.push(
        { name: `${cluster.name} (pinned)`, cluster, canaries, objects },
        { name: cluster.name, cluster: found, canaries, objects },
        { name: `${cluster.name} without Services`, cluster: found, canaries, objects: objects.filter((o) => o.kind !== 'Service') },
        { name: `${cluster.name} with routes refused`, cluster: found, canaries, objects: refusedRoutes(objects) },
      );
    }
  }
  return out;
}

/** The object as an API server returns it after `kubectl apply` and a controller's status update. */
function asServed(object: KubeObject, i: number): KubeObject {
  const metadata = object.metadata ?? {};
  const status = typeof object.status === 'object' && object.status !== null ? object.status : {};
  const served: Record<string, unknown> = {
    ...metadata,
    uid: `0000-${i}`,
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
    annotations: { ...metadata.annotations, [LAST_APPLIED_ANNOTATION]: JSON.stringify(object) },
    managedFields: [
      { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: object.apiVersion, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
      { manager: 'pilot-discovery', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': {} } } },
    ],
  };
  return {
    ...object,
    metadata: served as KubeObject['metadata'],
    status: { ...status, observedGeneration: 3, conditions: [{ type: 'Programmed', status: 'True', reason: 'Programmed' }] },
  };
}

describe('pruneForDiscovery', () => {
  it('leaves every example cluster discovered exactly as before', async () => {
    const clusters = await exampleClusters();
    expect(clusters.length).toBeGreaterThanOrEqual(32);
    for (const { name, cluster, canaries, objects } of clusters) {
      const served = objects.map(asServed);
      const before = discoverCluster(served, { cluster, canaries });
      expect(discoverCluster(served.map(pruneForDiscovery), { cluster, canaries }), name).toEqual(before);
      expect(before.endpoints.length + before.problems.length, name).toBeGreaterThan(0);
    }
  });

  it('leaves discovery unchanged whatever an API server adds to managedFields, the last-applied annotation and status', async () => {
    const clusters = await exampleClusters();
    const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__');
    const extras = fc.record({
      managedFields: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
      lastApplied: fc.string(),
      status: fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: clusters.length - 1 }), fc.array(extras, { minLength: 1, maxLength: 40 }), (which, added) => {
        const { cluster, canaries, objects } = clusters[which]!;
        const served = objects.map((o, i): KubeObject => {
          const extra = added[i % added.length]!;
          const status = typeof o.status === 'object' && o.status !== null ? o.status : {};
          return {
            ...o,
            metadata: {
              ...o.metadata,
              annotations: { ...o.metadata?.annotations, [LAST_APPLIED_ANNOTATION]: extra.lastApplied },
              managedFields: extra.managedFields,
            } as KubeObject['metadata'],
            status: { ...extra.status, ...status },
          };
        });
        expect(discoverCluster(served.map(pruneForDiscovery), { cluster, canaries })).toEqual(discoverCluster(served, { cluster, canaries }));
      }),
      { numRuns: 60 },
    );
  });

  it('drops managedFields, the last-applied annotation and the status discovery does not read', () => {
    const istio = asServed(
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'gw', namespace: 'apps', annotations: { 'switchyard.io/weight': '10' } },
        spec: { selector: { istio: 'ingressgateway' } },
      },
      1,
    );
    expect(pruneForDiscovery(istio)).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: {
        name: 'gw',
        namespace: 'apps',
        uid: '0000-1',
        generation: 3,
        creationTimestamp: '2026-01-01T00:00:00Z',
        annotations: { 'switchyard.io/weight': '10' },
      },
      spec: { selector: { istio: 'ingressgateway' } },
    });
    const service = asServed({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, status: { loadBalancer: { ingress: [{ hostname: 'lb' }] } } }, 2);
    expect(pruneForDiscovery(service).status).toEqual({ loadBalancer: { ingress: [{ hostname: 'lb' }] } });
    const route = asServed({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, status: { parents: [] } }, 3);
    expect(pruneForDiscovery(route).status).toEqual({ parents: [] });
    const gateway = asServed({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' }, status: { addresses: [] } }, 4);
    expect(pruneForDiscovery(gateway).status).toEqual({ addresses: [] });
    expect(JSON.stringify(pruneForDiscovery(istio)).length).toBeLessThan(JSON.stringify(istio).length / 2);
  });

  it('keeps what is not shaped as an API server sends it, so discovery still reports it', () => {
    const odd: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', annotations: { [LAST_APPLIED_ANNOTATION]: 7 } as unknown as Record<string, string> },
      status: 'pending',
    };
    expect(pruneForDiscovery(odd)).toEqual(odd);
    const noMetadata: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: 'x' as unknown as KubeObject['metadata'] };
    expect(pruneForDiscovery(noMetadata)).toEqual(noMetadata);
  });

  it('does not change the object it is given', () => {
    const served = asServed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }, 5);
    const copy = structuredClone(served);
    pruneForDiscovery(served);
    expect(served).toEqual(copy);
  });
});
