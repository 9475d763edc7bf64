// Tetrate TSB Gateway (`gateway.tsb.tetrate.io/v2` Gateway, and the older
// IngressGateway of the same shape) → published hostnames: the hostnames of its HTTP
// and TLS servers. Its `workloadSelector` leads to the gateway Service. Pure.
import * as z from 'zod';
import { namespaceOf, type KubeObject } from '../kube.ts';
import type { EntryPointResolver } from './entry-point.ts';
import { checkShape, metadataSchema, readAnnotations, resourceVersionOf, unique, type ParsedResources } from './publication.ts';

const serverSchema = z.looseObject({ hostname: z.string().optional() });

const tetrateGatewaySchema = z.looseObject({
  metadata: metadataSchema,
  spec: z
    .looseObject({
      workloadSelector: z
        .looseObject({
          namespace: z.string().optional(),
          labels: z.record(z.string(), z.string()).optional(),
        })
        .optional(),
      http: z.array(serverSchema).optional(),
      tls: z.array(serverSchema).optional(),
    })
    .optional(),
});

export function parseTetrateGateway(object: KubeObject, entryPoints: EntryPointResolver): ParsedResources {
  const kind = 'TetrateGateway';
  const shape = checkShape(tetrateGatewaySchema, object, kind);
  if ('problem' in shape) return { publications: [], problems: [shape.problem] };
  const { metadata, spec } = shape.value;
  const ref = `${namespaceOf(object)}/${metadata.name}`;
  const { annotations, problems } = readAnnotations(object, kind);

  const servers = [...(spec?.http ?? []), ...(spec?.tls ?? [])];
  const hosts = unique(servers.map((server) => server.hostname).filter((h): h is string => h !== undefined && h !== ''));
  if (hosts.length === 0)
    return { publications: [], problems: [...problems, { kind, ref, reason: 'publishes no hostname (no http or tls server has a hostname)' }] };

  const selector = spec?.workloadSelector;
  const entryPoint = entryPoints.bySelector(selector?.labels, {
    namespace: selector?.namespace ?? namespaceOf(object),
    preferNamespace: namespaceOf(object),
  });
  return { publications: [{ kind, ref, hosts, annotations, entryPoint, ...resourceVersionOf(object) }], problems };
}
