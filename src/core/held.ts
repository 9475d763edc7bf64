// When a read of the clusters is not to be trusted: a cluster that published nothing at
// all where it published before is held (its records stay as they are), like a cluster
// that could not be read. Pure; each caller brings its own evidence of "before" (Route 53
// records, the catalogue, the last picture sent). See docs/discovery.md.
import type { Problem, PublishedEndpoint } from './model.ts';

/** What a source read: endpoints, problems, and the clusters it could not read. */
export interface SourceRead {
  endpoints: readonly PublishedEndpoint[];
  problems: Problem[];
  unreachable: string[];
}

/** The clusters that published at least one endpoint (one pass, no list of every endpoint's cluster). */
export function publishingClusters(endpoints: readonly Pick<PublishedEndpoint, 'cluster'>[]): Set<string> {
  const clusters = new Set<string>();
  let previous: string | undefined;
  for (let i = 0; i < endpoints.length; i++) {
    const cluster = (endpoints[i] as Pick<PublishedEndpoint, 'cluster'>).cluster;
    if (cluster === previous) continue;
    clusters.add(cluster);
    previous = cluster;
  }
  return clusters;
}

/**
 * A cluster read completely that published nothing at all (not even its canary), where
 * `before` says it published something (evidence: "Route 53 holds 3 record set(s) of it"),
 * is held like an unreachable one: an empty mount or a truncated export is far likelier
 * than a cluster that withdrew every app and its canary. Pure.
 */
export function holdSilentClusters<R extends SourceRead>(result: R, clusters: readonly string[], before: ReadonlyMap<string, string>): R {
  const publishing = publishingClusters(result.endpoints);
  const silent = clusters.filter((c) => before.has(c) && !publishing.has(c) && !result.unreachable.includes(c));
  if (silent.length === 0) return result;
  return {
    ...result,
    problems: [
      ...result.problems,
      ...silent.map((cluster) => ({
        subject: cluster,
        cluster,
        reason: `the source published nothing for it (not even its canary), but ${before.get(cluster)}: the cluster is held, its records are left as they are (remove it from fleet.yaml to withdraw it)`,
      })),
    ],
    unreachable: [...result.unreachable, ...silent],
  };
}
