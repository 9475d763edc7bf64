// The source of published endpoints: read each cluster's objects (from its API
// server or a manifest folder), parse them, and say which clusters could not be read.
// An unreachable cluster contributes nothing and is listed in `unreachable`: callers
// must leave its records exactly as they are (a control-plane blip is not a delete).
import type { LoadedFleet } from '../fleet/fleet-file.ts';
import { selectClusters, type ClusterConfig, type FleetConfig } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';
import type { Problem } from '../core/model.ts';
import type { EndpointList, EndpointSource } from '../core/ports.ts';
import { edgeTierProblems, isEdge } from '../core/edge-discovery.ts';
import type { KubeObject } from './kube.ts';
import { ManifestFolderUnreadable, manifestFolderPath, readManifestFolder } from './manifests.ts';
import { canaryHostnames, discoverCluster } from './parse/cluster.ts';

/** Reads every object of one cluster, or throws when it cannot read them all. */
export interface ClusterReader {
  read(cluster: ClusterConfig): Promise<KubeObject[]>;
}

export interface ClusterSourceOptions {
  /** Only these clusters (names); default all. Unknown names throw UnknownCluster. */
  clusters?: readonly string[];
  /** Clusters read at once. */
  concurrency?: number;
  /** Overrides the default description ("clusters east, west"). */
  description?: string;
}

/** An EndpointSource over the fleet's clusters, each read with `readerFor(cluster)`. */
export function clusterSource(fleet: FleetConfig, readerFor: (cluster: ClusterConfig) => ClusterReader, options: ClusterSourceOptions = {}): EndpointSource {
  const selected = selectClusters(fleet, options.clusters);
  const canaries = canaryHostnames(fleet.clusters);
  return {
    description: options.description ?? `clusters ${selected.map((c) => c.name).join(', ')}`,
    async list(names) {
      const clusters = names === undefined ? selected : selectClusters(fleet, names);
      const results = await mapLimited(clusters, options.concurrency ?? 4, async (cluster) => {
        try {
          const objects = await readerFor(cluster).read(cluster);
          return { cluster, ...discoverCluster(objects, { cluster, canaries }) };
        } catch (error) {
          return { cluster, error };
        }
      });
      const out: EndpointList = { endpoints: [], problems: [], unreachable: [] };
      for (const result of results) {
        if ('error' in result) {
          out.unreachable.push(result.cluster.name);
          out.problems.push(...unreadProblems(result.cluster.name, result.error));
        } else if (result.held) {
          out.unreachable.push(result.cluster.name);
          out.problems.push(...result.held);
        } else {
          out.endpoints.push(...result.endpoints);
          out.problems.push(...result.problems);
          if (result.forwards) out.forwards = [...(out.forwards ?? []), ...result.forwards];
        }
      }
      if (clusters.some(isEdge)) {
        const read = clusters.map((c) => c.name).filter((name) => !out.unreachable.includes(name));
        out.problems.push(...edgeTierProblems({ fleet, endpoints: out.endpoints, forwards: out.forwards ?? [], read }));
      }
      return out;
    },
  };
}

/** Why a cluster could not be read: one problem per manifest file that cannot be used, else one for the cluster. */
export function unreadProblems(cluster: string, error: unknown): Problem[] {
  const held = 'the cluster is held: its records are left as they are';
  if (error instanceof ManifestFolderUnreadable) {
    return error.problems.map((p) => ({ subject: p.file, cluster, reason: `${p.reason}; ${held}` }));
  }
  return [{ subject: cluster, cluster, reason: `cannot read the cluster, so its records are left as they are: ${errorMessage(error)}` }];
}

/** Reads a cluster's `manifests` folder (relative to the fleet folder). */
export function manifestFolderReader(fleetDir: string): ClusterReader {
  return {
    async read(cluster) {
      if (cluster.manifests === undefined) throw new Error(`cluster ${cluster.name} has no manifests folder in the fleet config`);
      return readManifestFolder(await manifestFolderPath(fleetDir, cluster.manifests));
    },
  };
}

/** The file source: every cluster from its `clusters[].manifests` folder. */
export function manifestFolderSource(fleet: LoadedFleet, options: ClusterSourceOptions = {}): EndpointSource {
  const reader = manifestFolderReader(fleet.dir);
  const description = `manifests of ${selectClusters(fleet.config, options.clusters)
    .map((c) => `${c.name} (${c.manifests ?? 'no folder'})`)
    .join(', ')}`;
  return clusterSource(fleet.config, () => reader, { description, ...options });
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
