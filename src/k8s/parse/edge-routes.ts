// Where an edge cluster forwards each host it publishes (docs/edge.md, "Discovery"). Pure.
//
// - Istio: the VirtualServices bound to the publishing Gateway (`spec.gateways`, a name
//   without namespace meaning the VirtualService's own) whose `hosts` match the host; the
//   targets are their routes' `destination.host` (a short name is a Service of the
//   VirtualService's namespace).
// - Gateway API: the HTTPRoute that publishes the host; the targets are its rules'
//   `backendRefs`: a Service (an ExternalName Service forwards to its `externalName`), or
//   Istio's `Hostname` backend (group networking.istio.io), whose name is the host.
// - Tetrate Tier1Gateway: its servers' `clusters` (the Tier1 parser reads them).
import * as z from 'zod';
import type { ForwardTarget } from '../../core/edge-discovery.ts';
import { namespaceOf, refOf, type KubeObject } from '../kube.ts';
import { istioHostPart } from './istio.ts';
import { intersectHostnames, normalizeHostname } from './hostnames.ts';
import { checkShape, metadataSchema, type Publication, type ResourceKind, type ResourceProblem } from './publication.ts';

/** One routing resource forwarding one host, as declared (the host not yet checked). */
export interface DeclaredForward {
  host: string;
  kind: ResourceKind;
  /** "namespace/name" of the routing resource. */
  resource: string;
  targets: ForwardTarget[];
}

export interface EdgeRouteInput {
  publications: readonly Publication[];
  virtualServices: readonly KubeObject[];
  routes: readonly KubeObject[];
  services: readonly KubeObject[];
}

const destinationSchema = z.looseObject({ destination: z.looseObject({ host: z.string().min(1) }) });
const ruleSchema = z.looseObject({ route: z.array(destinationSchema).optional() });

const virtualServiceSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({
    hosts: z.array(z.string().min(1)).min(1),
    gateways: z.array(z.string().min(1)).optional(),
    http: z.array(ruleSchema).optional(),
    tls: z.array(ruleSchema).optional(),
    tcp: z.array(ruleSchema).optional(),
  }),
});

const backendRefSchema = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
});

const routeRulesSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({ rules: z.array(z.looseObject({ backendRefs: z.array(backendRefSchema).optional() })).optional() }).optional(),
});

const serviceSchema = z.looseObject({
  spec: z.looseObject({ type: z.string().optional(), externalName: z.string().optional() }).optional(),
});

export function edgeForwards(input: EdgeRouteInput): { forwards: DeclaredForward[]; problems: ResourceProblem[] } {
  const forwards: DeclaredForward[] = [];
  const problems: ResourceProblem[] = [];
  for (const publication of input.publications) {
    for (const { host, targets } of publication.forwards ?? []) forwards.push({ host, kind: publication.kind, resource: publication.ref, targets });
  }

  const istioHosts = input.publications.filter((p) => p.kind === 'IstioGateway');
  for (const object of input.virtualServices) {
    const shape = checkShape(virtualServiceSchema, object, 'VirtualService');
    if ('problem' in shape) {
      problems.push(shape.problem);
      continue;
    }
    const namespace = namespaceOf(object);
    const { spec } = shape.value;
    const gateways = (spec.gateways ?? []).map((g) => (g.includes('/') ? g : `${namespace}/${g}`));
    const rules = [...(spec.http ?? []), ...(spec.tls ?? []), ...(spec.tcp ?? [])];
    const targets = rules.flatMap((rule) => (rule.route ?? []).map((r): ForwardTarget => ({ host: serviceHost(r.destination.host, namespace) })));
    for (const publication of istioHosts.filter((p) => gateways.includes(p.ref))) {
      for (const host of publication.hosts) {
        if (spec.hosts.some((pattern) => hostMatches(istioHostPart(pattern), host))) {
          forwards.push({ host, kind: 'VirtualService', resource: refOf(object), targets });
        }
      }
    }
  }

  const services = new Map(input.services.map((s) => [refOf(s), s]));
  const routes = new Map(input.routes.map((r) => [refOf(r), r]));
  const seen = new Set<string>();
  for (const publication of input.publications.filter((p) => p.kind === 'HTTPRoute')) {
    const route = routes.get(publication.ref);
    if (!route) continue;
    const shape = checkShape(routeRulesSchema, route, 'HTTPRoute');
    if ('problem' in shape) {
      if (!seen.has(publication.ref)) problems.push(shape.problem);
      seen.add(publication.ref);
      continue;
    }
    const namespace = namespaceOf(route);
    const targets = (shape.value.spec?.rules ?? []).flatMap((rule) =>
      (rule.backendRefs ?? []).map((ref): ForwardTarget => ({ host: backendHost(ref, namespace, services) })),
    );
    for (const host of publication.hosts) forwards.push({ host, kind: 'HTTPRoute', resource: publication.ref, targets });
  }
  return { forwards, problems };
}

/** A route destination as a DNS name: a short name is a Service of `namespace`. */
function serviceHost(host: string, namespace: string): string {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name.includes('.') ? name : `${name}.${namespace}.svc.cluster.local`;
}

function backendHost(ref: z.infer<typeof backendRefSchema>, routeNamespace: string, services: ReadonlyMap<string, KubeObject>): string {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  const namespace = ref.namespace ?? routeNamespace;
  if (group === 'networking.istio.io' && kind === 'Hostname') return serviceHost(ref.name, namespace);
  if (group === '' && kind === 'Service') {
    const service = serviceSchema.safeParse(services.get(`${namespace}/${ref.name}`));
    const spec = service.success ? service.data.spec : undefined;
    if (spec?.type === 'ExternalName' && spec.externalName) return serviceHost(spec.externalName, namespace);
    return `${ref.name}.${namespace}.svc.cluster.local`;
  }
  return `${kind}${group ? `.${group}` : ''} ${namespace}/${ref.name}`;
}

/** An Istio host pattern (`*`, `*.example.com`, a name) against a published host. */
function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  const normalized = normalizeHostname(pattern);
  const wanted = normalizeHostname(host);
  if ('reason' in normalized || 'reason' in wanted) return false;
  return intersectHostnames(normalized.hostname, wanted.hostname) === wanted.hostname;
}
