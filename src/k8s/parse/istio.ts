// Istio `networking.istio.io` Gateway → published hostnames. Pure.
// Hosts are `host`, or `namespace/host` where the namespace part (`.`, `*`, a name)
// only scopes which VirtualServices may bind: DNS only needs the host part.
import * as z from 'zod';
import { namespaceOf, type KubeObject } from '../kube.ts';
import type { EntryPointResolver } from './entry-point.ts';
import { checkShape, metadataSchema, readAnnotations, resourceVersionOf, unique, type ParsedResources } from './publication.ts';

const istioGatewaySchema = z.looseObject({
  metadata: metadataSchema,
  spec: z
    .looseObject({
      selector: z.record(z.string(), z.string()).optional(),
      servers: z.array(z.looseObject({ hosts: z.array(z.string()).optional() })).optional(),
    })
    .optional(),
});

/** The host part of an Istio server host (`ns/host` → `host`). */
export function istioHostPart(host: string): string {
  const slash = host.indexOf('/');
  return slash === -1 ? host : host.slice(slash + 1);
}

export function parseIstioGateway(object: KubeObject, entryPoints: EntryPointResolver): ParsedResources {
  const kind = 'IstioGateway';
  const shape = checkShape(istioGatewaySchema, object, kind);
  if ('problem' in shape) return { publications: [], problems: [shape.problem] };
  const { metadata, spec } = shape.value;
  const ref = `${namespaceOf(object)}/${metadata.name}`;
  const { annotations, problems } = readAnnotations(object, kind);

  const hosts = unique((spec?.servers ?? []).flatMap((server) => server.hosts ?? []).map(istioHostPart));
  if (hosts.length === 0) return { publications: [], problems: [...problems, { kind, ref, reason: 'publishes no hostname (no server has hosts)' }] };

  const entryPoint = entryPoints.bySelector(spec?.selector, { preferNamespace: namespaceOf(object) });
  return { publications: [{ kind, ref, hosts, annotations, entryPoint, ...resourceVersionOf(object) }], problems };
}
