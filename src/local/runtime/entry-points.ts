// Which simulated cluster a load balancer name belongs to, for the local Route 53's alias
// answers (docs/local-runtime.md): a cluster's configured entryPoint, or an entry point its
// agent discovered from a gateway Service. Every DNS alias answer asks; the index is
// rebuilt only when an agent's picture changes (each agent replaces its endpoint list
// when anything in it changes), not scanned per answer.
import type { ClusterConfig } from '../../core/config.ts';
import type { PublishedEndpoint } from '../../core/model.ts';

function bare(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * Entry point (lower-case, as written) → index of the cluster it belongs to: clusters in
 * config order, each with its configured entry point and then the ones its endpoints name;
 * the first cluster to claim a name keeps it. A name asked for is compared without its
 * trailing dot, so an entry point written with one never matches (as before the index).
 */
export function entryPointClusters(clusters: readonly ClusterConfig[], published: ReadonlyArray<readonly PublishedEndpoint[]>): Map<string, number> {
  const byCluster = new Map<string, PublishedEndpoint[]>();
  for (const list of published) {
    for (const endpoint of list) {
      if (endpoint.entryPoint === undefined) continue;
      const same = byCluster.get(endpoint.cluster);
      if (same) same.push(endpoint);
      else byCluster.set(endpoint.cluster, [endpoint]);
    }
  }
  const index = new Map<string, number>();
  const claim = (name: string, i: number) => {
    if (!index.has(name)) index.set(name, i);
  };
  clusters.forEach((cluster, i) => {
    if (cluster.entryPoint !== undefined) claim(cluster.entryPoint.toLowerCase(), i);
    for (const endpoint of byCluster.get(cluster.name) ?? []) claim((endpoint.entryPoint as string).toLowerCase(), i);
  });
  return index;
}

/**
 * The cluster answering for `dnsName`, from an index rebuilt whenever one of `published()`'s
 * lists is a different list from last time (compared by identity: an agent's picture is
 * never changed in place).
 */
export function entryPointLookup(
  clusters: readonly ClusterConfig[],
  published: () => ReadonlyArray<readonly PublishedEndpoint[]>,
): (dnsName: string) => ClusterConfig | undefined {
  let seen: ReadonlyArray<readonly PublishedEndpoint[]> = [];
  let index = entryPointClusters(clusters, seen);
  return (dnsName) => {
    const lists = published();
    if (lists.length !== seen.length || lists.some((list, i) => list !== seen[i])) {
      seen = [...lists];
      index = entryPointClusters(clusters, seen);
    }
    const i = index.get(bare(dnsName));
    return i === undefined ? undefined : clusters[i];
  };
}
