// The EKS source: each fleet cluster's API server, reached with DescribeCluster's
// endpoint and CA and a presigned-STS bearer token (see src/aws/eks.ts).
import { eksAccessProvider, type EksAccessOptions, type EksClusterAccess } from '../aws/eks.ts';
import { selectClusters, type ClusterConfig, type FleetConfig } from '../core/config.ts';
import type { EndpointSource } from '../core/ports.ts';
import { KubeApi, KubeApiError } from './api/client.ts';
import { listClusterObjects } from './api/reader.ts';
import { clusterSource, type ClusterReader, type ClusterSourceOptions } from './source.ts';

export interface EksSourceOptions extends EksAccessOptions, ClusterSourceOptions {
  /** Per-request timeout against each API server. Default 15 s. */
  timeoutMs?: number;
  /** Replaces eksAccessProvider (tests, or a kubeconfig-based access). */
  accessFor?: (cluster: ClusterConfig) => Promise<EksClusterAccess>;
}

export function kubeApiFor(access: EksClusterAccess, timeoutMs?: number): KubeApi {
  return new KubeApi({ server: access.server, caData: access.caData, token: access.token, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/** Reads a cluster through its EKS API server; a 401 gets one retry with a fresh token. */
export function eksClusterReader(options: EksSourceOptions = {}): ClusterReader {
  const accessFor = options.accessFor ?? eksAccessProvider(options);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const listWith = async (access: EksClusterAccess) => {
    const api = kubeApiFor(access, timeoutMs);
    try {
      return await listClusterObjects(api);
    } finally {
      api.close();
    }
  };
  return {
    async read(cluster) {
      const access = await accessFor(cluster);
      try {
        return await listWith(access);
      } catch (error) {
        if (!(error instanceof KubeApiError && error.status === 401)) throw error;
        access.invalidateToken();
        return listWith(access);
      }
    },
  };
}

/** Every fleet cluster (or `options.clusters`) read from EKS. */
export function eksEndpointSource(fleet: FleetConfig, options: EksSourceOptions = {}): EndpointSource {
  const reader = eksClusterReader(options);
  const description = `EKS clusters ${selectClusters(fleet, options.clusters)
    .map((c) => `${c.eksClusterName} (${c.region})`)
    .join(', ')}`;
  return clusterSource(fleet, () => reader, { description, ...options });
}
