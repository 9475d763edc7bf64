// The source of published endpoints: read each cluster's objects (from its API
// server or a manifest folder), parse them, and say which clusters could not be read.
// An unreachable cluster contributes nothing and is listed in `unreachable`: callers
// must leave its records exactly as they are (a control-plane blip is not a delete).
import type { LoadedFleet } from '../core/config-file.ts';
import type { ClusterConfig, FleetConfig } from '../core/config.ts';
import { edgeTierProblems, isEdge, type EdgeForward } from '../core/edge-discovery.ts';
import { UnknownCluster, errorMessage } from '../core/errors.ts';
import type { Problem, PublishedEndpoint } from '../core/model.ts';
import type { KubeObject } from './kube.ts';
import { ManifestFolderUnreadable, manifestFolderPath, readManifestFolder } from './manifests.ts';
import { canaryHostnames, discoverCluster } from './parse/cluster.ts';

export interface SourceResult {
  endpoints: PublishedEndpoint[];
  problems: Problem[];
  /** Clusters that could not be read completely: keep their records exactly as they are. */
  unreachable: string[];
  /** Where each edge cluster read forwards the hosts it publishes; absent when no edge cluster was read. */
  forwards?: EdgeForward[];
}

export interface EndpointSource {
  /** What it reads, for progress output (e.g. "manifests of east, west, eu"). */
  readonly description: string;
  list(): Promise<SourceResult>;
}

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

/** The clusters `names` selects, in fleet order; throws UnknownCluster for a name not in the fleet. */
export function selectClusters(fleet: FleetConfig, names?: readonly string[]): ClusterConfig[] {
  if (!names || names.length === 0) return fleet.clusters;
  const known = fleet.clusters.map((c) => c.name);
  for (const name of names) if (!known.includes(name)) throw new UnknownCluster(name, known);
  return fleet.clusters.filter((c) => names.includes(c.name));
}

/** An EndpointSource over the fleet's clusters, each read with `readerFor(cluster)`. */
export function clusterSource(fleet: FleetConfig, readerFor: (cluster: ClusterConfig) => ClusterReader, options: ClusterSourceOptions = {}): EndpointSource {
  const clusters = selectClusters(fleet, options.clusters);
  const canaries = canaryHostnames(fleet.clusters);
  return {
    description: options.description ?? `clusters ${clusters.map((c) => c.name).join(', ')}`,
    async list() {
      const results = await mapLimited(clusters, options.concurrency ?? 4, async (cluster) => {
        try {
          const objects = await readerFor(cluster).read(cluster);
          return { cluster, ...discoverCluster(objects, { cluster, canaries }) };
        } catch (error) {
          return { cluster, error };
        }
      });
      const out: SourceResult = { endpoints: [], problems: [], unreachable: [] };
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

/**
 * The shape the workflows' DiscoveryPort (src/core/ports.ts) expects: `list(clusters?)`
 * reads those clusters (default all) with the same readers every time, so caches (EKS
 * tokens, DescribeCluster answers) live as long as the port.
 */
export function discoveryPort(
  fleet: FleetConfig,
  readerFor: (cluster: ClusterConfig) => ClusterReader,
  options: Omit<ClusterSourceOptions, 'clusters'> = {},
): { list(clusters?: readonly string[]): Promise<SourceResult> } {
  return { list: (clusters) => clusterSource(fleet, readerFor, { ...options, ...(clusters ? { clusters } : {}) }).list() };
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
  const description = `manifests of ${selectClusters(fleet.config, options.clusters).map((c) => `${c.name} (${c.manifests ?? 'no folder'})`).join(', ')}`;
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
