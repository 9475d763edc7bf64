// Reads a cluster's objects from its API server: one full list per resource type.
// Any failure (unreachable, 401/403, timeout) fails the whole read, so the cluster is
// reported unreachable and nothing of it changes.
import type { ClusterConfig } from '../../core/config.ts';
import type { KubeObject } from '../kube.ts';
import type { ClusterReader } from '../source.ts';
import type { KubeApi } from './client.ts';
import { RESOURCE_TYPES, listServed, type ResourceType } from './resources.ts';

export async function listClusterObjects(api: KubeApi, types: readonly ResourceType[] = RESOURCE_TYPES, signal?: AbortSignal): Promise<KubeObject[]> {
  const lists = await Promise.all(types.map((type) => listServed(api, type, { signal })));
  return lists.flatMap((list) => list.items);
}

/** A ClusterReader over API servers; `apiFor` builds the client (EKS auth, or a kubeconfig). */
export function apiClusterReader(apiFor: (cluster: ClusterConfig) => Promise<KubeApi>): ClusterReader {
  return {
    async read(cluster) {
      return listClusterObjects(await apiFor(cluster));
    },
  };
}
