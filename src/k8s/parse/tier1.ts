// Tetrate TSB Tier1Gateway (`gateway.tsb.tetrate.io/v2`) → published hostnames and where
// each is forwarded. A Tier1Gateway runs on an edge cluster and forwards over Istio mTLS to
// the tier-2 gateways of other clusters: its `externalServers` (HTTP), `tcpExternalServers`
// and `passthroughServers` are public hosts, each with a `clusters` list (name, weight;
// empty: every cluster that exposes the host); a server that `redirect`s forwards nothing.
// `internalServers` only serve inside the mesh and publish nothing. Its `workloadSelector`
// leads to the gateway Service. Pure.
import * as z from 'zod';
import type { ForwardTarget } from '../../core/edge-discovery.ts';
import { namespaceOf, type KubeObject } from '../kube.ts';
import type { EntryPointResolver } from './entry-point.ts';
import { checkShape, metadataSchema, readAnnotations, resourceVersionOf, unique, type ParsedResources } from './publication.ts';

const clusterSchema = z.looseObject({
  name: z.string().min(1),
  weight: z.number().int().min(0).optional(),
  network: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

const serverSchema = z.looseObject({
  name: z.string().min(1),
  hostname: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  clusters: z.array(clusterSchema).optional(),
  redirect: z.looseObject({}).optional(),
});

const tier1Schema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({
    workloadSelector: z.looseObject({
      namespace: z.string().optional(),
      labels: z.record(z.string(), z.string()).optional(),
    }),
    externalServers: z.array(serverSchema).optional(),
    tcpExternalServers: z.array(serverSchema).optional(),
    passthroughServers: z.array(serverSchema).optional(),
    internalServers: z.array(z.looseObject({ hostname: z.string().optional() })).optional(),
  }),
});

export function parseTier1Gateway(object: KubeObject, entryPoints: EntryPointResolver): ParsedResources {
  const kind = 'Tier1Gateway';
  const shape = checkShape(tier1Schema, object, kind);
  if ('problem' in shape) return { publications: [], problems: [shape.problem] };
  const { metadata, spec } = shape.value;
  const ref = `${namespaceOf(object)}/${metadata.name}`;
  const { annotations, problems } = readAnnotations(object, kind);

  const servers = [...(spec.externalServers ?? []), ...(spec.tcpExternalServers ?? []), ...(spec.passthroughServers ?? [])];
  const hosts = unique(servers.map((server) => server.hostname));
  if (hosts.length === 0) {
    return {
      publications: [],
      problems: [...problems, { kind, ref, reason: 'publishes no hostname (no externalServers, tcpExternalServers or passthroughServers)' }],
    };
  }
  // A redirecting server forwards nothing; the others forward to their clusters.
  const key = (host: string) => host.toLowerCase().replace(/\.$/, '');
  const forwards = unique(hosts.map(key)).map((host) => ({
    host,
    targets: servers
      .filter((server) => key(server.hostname) === host && server.redirect === undefined)
      .map((server): ForwardTarget => ({
        clusters: (server.clusters ?? []).map((c) => ({ name: c.name, ...(c.weight === undefined ? {} : { weight: c.weight }) })),
      })),
  }));
  const selector = spec.workloadSelector;
  const entryPoint = entryPoints.bySelector(selector.labels, {
    namespace: selector.namespace ?? namespaceOf(object),
    preferNamespace: namespaceOf(object),
  });
  return { publications: [{ kind, ref, hosts, annotations, entryPoint, forwards, ...resourceVersionOf(object) }], problems };
}
