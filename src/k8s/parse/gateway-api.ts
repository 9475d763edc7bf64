// Gateway API (`gateway.networking.k8s.io`) Gateways and HTTPRoutes → published
// hostnames. Pure.
//
// - A Gateway publishes the concrete hostnames of its listeners. Wildcard listener
//   hostnames (`*.example.com`) only narrow the routes attached to them.
// - An HTTPRoute publishes its hostnames through every Gateway it is attached to
//   (parentRefs), narrowed by the listener hostnames; with no hostnames of its own it
//   publishes the listeners'. Its annotations override the Gateway's.
// - Attachment: the route's status (when a controller has written it) decides;
//   otherwise the listeners' sectionName/port, protocol and allowedRoutes do.
import * as z from 'zod';
import type { RoutingAnnotations } from '../../core/model.ts';
import { namespaceOf, nameOf, stringMap, type KubeObject } from '../kube.ts';
import type { EntryPointResolver, EntryPointResult } from './entry-point.ts';
import { intersectHostnames, normalizeHostname } from './hostnames.ts';
import {
  checkShape,
  metadataSchema,
  readAnnotations,
  resourceVersionOf,
  unique,
  type ParsedResources,
  type Publication,
  type ResourceProblem,
} from './publication.ts';

const GROUP = 'gateway.networking.k8s.io';

const labelSelectorSchema = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(z.looseObject({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() })).optional(),
});
type LabelSelector = z.infer<typeof labelSelectorSchema>;

const listenerSchema = z.looseObject({
  name: z.string(),
  hostname: z.string().optional(),
  port: z.number().int().optional(),
  protocol: z.string().optional(),
  allowedRoutes: z
    .looseObject({
      namespaces: z.looseObject({ from: z.string().optional(), selector: labelSelectorSchema.optional() }).optional(),
      kinds: z.array(z.looseObject({ group: z.string().optional(), kind: z.string() })).optional(),
    })
    .optional(),
});
type Listener = z.infer<typeof listenerSchema>;

const gatewaySchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({ listeners: z.array(listenerSchema).optional() }).optional(),
});

const parentRefSchema = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string(),
  sectionName: z.string().optional(),
  port: z.number().int().optional(),
});
type ParentRef = z.infer<typeof parentRefSchema>;

const routeSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z
    .looseObject({
      parentRefs: z.array(parentRefSchema).optional(),
      hostnames: z.array(z.string()).optional(),
    })
    .optional(),
  status: z
    .looseObject({
      parents: z
        .array(
          z.looseObject({
            parentRef: parentRefSchema,
            conditions: z
              .array(z.looseObject({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() }))
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
type Route = z.infer<typeof routeSchema>;

interface ParsedGateway {
  ref: string;
  namespace: string;
  listeners: Listener[];
  annotations: RoutingAnnotations;
  entryPoint: EntryPointResult;
  resourceVersion?: string;
}

export interface GatewayApiInput {
  gateways: readonly KubeObject[];
  routes: readonly KubeObject[];
  /** Namespace objects, for listeners that select route namespaces by label. */
  namespaces: readonly KubeObject[];
}

export function parseGatewayApi(input: GatewayApiInput, entryPoints: EntryPointResolver): ParsedResources {
  const publications: Publication[] = [];
  const problems: ResourceProblem[] = [];
  const gateways = new Map<string, ParsedGateway>();

  for (const object of input.gateways) {
    const shape = checkShape(gatewaySchema, object, 'Gateway');
    if ('problem' in shape) {
      problems.push(shape.problem);
      continue;
    }
    const ref = `${namespaceOf(object)}/${shape.value.metadata.name}`;
    const read = readAnnotations(object, 'Gateway');
    problems.push(...read.problems);
    gateways.set(ref, {
      ref,
      namespace: namespaceOf(object),
      listeners: shape.value.spec?.listeners ?? [],
      annotations: read.annotations,
      entryPoint: entryPoints.forGateway(object),
      ...resourceVersionOf(object),
    });
  }

  const attached = new Set<string>();
  for (const object of input.routes) {
    const result = parseRoute(object, gateways, input.namespaces);
    publications.push(...result.publications);
    problems.push(...result.problems);
    for (const publication of result.publications) if (publication.parent) attached.add(publication.parent);
  }

  for (const gateway of gateways.values()) {
    const hosts = unique(gateway.listeners.map((l) => l.hostname).filter((h): h is string => h !== undefined && !h.trim().startsWith('*')));
    if (hosts.length > 0) {
      const { ref, annotations, entryPoint, resourceVersion } = gateway;
      publications.push({ kind: 'Gateway', ref, hosts, annotations, entryPoint, ...(resourceVersion ? { resourceVersion } : {}) });
    } else if (!attached.has(gateway.ref)) {
      problems.push({ kind: 'Gateway', ref: gateway.ref, reason: 'publishes no hostname (no listener has a specific hostname and no HTTPRoute is attached)' });
    }
  }
  return { publications, problems };
}

function parseRoute(object: KubeObject, gateways: ReadonlyMap<string, ParsedGateway>, namespaces: readonly KubeObject[]): ParsedResources {
  const kind = 'HTTPRoute';
  const shape = checkShape(routeSchema, object, kind);
  if ('problem' in shape) return { publications: [], problems: [shape.problem] };
  const route = shape.value;
  const namespace = namespaceOf(object);
  const ref = `${namespace}/${route.metadata.name}`;
  const problem = (reason: string): ResourceProblem => ({ kind, ref, reason });
  const read = readAnnotations(object, kind);
  const problems: ResourceProblem[] = [...read.problems];
  const publications: Publication[] = [];

  const routeHosts: string[] = [];
  for (const raw of route.spec?.hostnames ?? []) {
    const result = normalizeHostname(raw);
    if ('hostname' in result) routeHosts.push(result.hostname);
    else problems.push(problem(result.reason));
  }
  if ((route.spec?.hostnames ?? []).length > 0 && routeHosts.length === 0) return { publications, problems };

  // Routes attached to something other than a Gateway (a Service: mesh routing) are not ingress.
  const parents = (route.spec?.parentRefs ?? []).filter((p) => (p.group ?? GROUP) === GROUP && (p.kind ?? 'Gateway') === 'Gateway');
  for (const parentRef of parents) {
    const gatewayRef = `${parentRef.namespace ?? namespace}/${parentRef.name}`;
    const where = describeParent(parentRef, gatewayRef);
    const gateway = gateways.get(gatewayRef);
    if (!gateway) {
      problems.push(problem(`parent Gateway ${gatewayRef} not found`));
      continue;
    }
    const accepted = acceptedCondition(route, parentRef, namespace);
    if (accepted?.status === 'False') {
      problems.push(problem(`not accepted by ${where}: ${[accepted.reason, accepted.message].filter(Boolean).join(': ') || 'Accepted=False'}`));
      continue;
    }
    const listeners = gateway.listeners.filter(
      (l) => (parentRef.sectionName === undefined || l.name === parentRef.sectionName) && (parentRef.port === undefined || l.port === parentRef.port),
    );
    if (listeners.length === 0) {
      problems.push(problem(`${where} has no such listener`));
      continue;
    }
    const allowing = listeners.filter(
      (l) => allowsHttpRoute(l) && (accepted?.status === 'True' || allowsNamespace(l, gateway.namespace, namespace, namespaces)),
    );
    if (allowing.length === 0) {
      problems.push(problem(`${where} does not allow it: ${listeners.map((l) => whyNotAllowed(l, gateway.namespace, namespace, namespaces)).join('; ')}`));
      continue;
    }

    const hosts: string[] = [];
    for (const listener of allowing) {
      const listenerHost = listener.hostname === undefined ? undefined : normalizeHostname(listener.hostname);
      if (listenerHost !== undefined && 'reason' in listenerHost) {
        problems.push(problem(`${where}, listener "${listener.name}": ${listenerHost.reason}`));
        continue;
      }
      const narrowed = listenerHost?.hostname;
      if (routeHosts.length === 0) {
        if (narrowed === undefined)
          problems.push(problem(`neither it nor listener "${listener.name}" of ${where} has a hostname: it matches every name and cannot be published`));
        else hosts.push(narrowed);
        continue;
      }
      for (const host of routeHosts) {
        const served = intersectHostnames(narrowed, host);
        if (served !== undefined) hosts.push(served);
      }
    }
    if (hosts.length === 0) {
      if (routeHosts.length > 0) {
        const listed = allowing.map((l) => l.hostname ?? '(any)').join(', ');
        problems.push(problem(`its hostnames (${routeHosts.join(', ')}) match no listener hostname of ${where} (${listed})`));
      }
      continue;
    }
    publications.push({
      kind,
      ref,
      hosts: unique(hosts),
      annotations: { ...gateway.annotations, ...read.annotations },
      entryPoint: gateway.entryPoint,
      parent: gateway.ref,
      ...resourceVersionOf(object),
    });
  }
  return { publications, problems };
}

function describeParent(parentRef: ParentRef, gatewayRef: string): string {
  const section = parentRef.sectionName === undefined ? '' : ` listener "${parentRef.sectionName}"`;
  const port = parentRef.port === undefined ? '' : ` port ${parentRef.port}`;
  return `Gateway ${gatewayRef}${section}${port}`;
}

/** The route's `Accepted` condition for this parent, when a controller has written one. */
function acceptedCondition(route: Route, parentRef: ParentRef, routeNamespace: string) {
  const same = (a: ParentRef) =>
    a.name === parentRef.name &&
    (a.namespace ?? routeNamespace) === (parentRef.namespace ?? routeNamespace) &&
    a.sectionName === parentRef.sectionName &&
    a.port === parentRef.port;
  const statuses = (route.status?.parents ?? []).filter((p) => same(p.parentRef));
  const conditions = statuses.flatMap((p) => p.conditions ?? []).filter((c) => c.type === 'Accepted');
  return conditions.find((c) => c.status === 'True') ?? conditions[0];
}

function allowsHttpRoute(listener: Listener): boolean {
  const kinds = listener.allowedRoutes?.kinds;
  if (kinds && kinds.length > 0) return kinds.some((k) => k.kind === 'HTTPRoute' && (k.group ?? GROUP) === GROUP);
  return listener.protocol === undefined || listener.protocol === 'HTTP' || listener.protocol === 'HTTPS';
}

function allowsNamespace(listener: Listener, gatewayNamespace: string, routeNamespace: string, namespaces: readonly KubeObject[]): boolean {
  return whyNamespaceNotAllowed(listener, gatewayNamespace, routeNamespace, namespaces) === undefined;
}

function whyNotAllowed(listener: Listener, gatewayNamespace: string, routeNamespace: string, namespaces: readonly KubeObject[]): string {
  if (!allowsHttpRoute(listener)) return `listener "${listener.name}" (${listener.protocol ?? 'no protocol'}) does not take HTTPRoutes`;
  return `listener "${listener.name}" ${whyNamespaceNotAllowed(listener, gatewayNamespace, routeNamespace, namespaces) ?? 'allows it'}`;
}

function whyNamespaceNotAllowed(listener: Listener, gatewayNamespace: string, routeNamespace: string, namespaces: readonly KubeObject[]): string | undefined {
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return undefined;
  if (from === 'Same') return routeNamespace === gatewayNamespace ? undefined : `only takes routes from its own namespace ${gatewayNamespace}`;
  if (from !== 'Selector') return `has an unknown allowedRoutes.namespaces.from "${from}"`;
  const selector = listener.allowedRoutes?.namespaces?.selector ?? {};
  const object = namespaces.find((n) => nameOf(n) === routeNamespace);
  // Kubernetes labels every namespace with its own name; that much is known without the object.
  const labels = { ...(object ? (stringMap(object.metadata?.labels) ?? {}) : {}), 'kubernetes.io/metadata.name': routeNamespace };
  if (selectorMatchesLabels(selector, labels)) return undefined;
  if (!object) return `selects route namespaces by label and the labels of namespace ${routeNamespace} are unknown (its Namespace was not read)`;
  return `selects route namespaces by label and namespace ${routeNamespace} does not match`;
}

/** Kubernetes label-selector semantics (matchLabels and matchExpressions, ANDed). */
export function selectorMatchesLabels(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
