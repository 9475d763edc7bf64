// The `Gateway Published` / `Gateway Withdrawn` events (source `switchyard`): what
// discovery tells the rest of the system when a cluster's Gateway resources change.
// Defined once here (zod) and used by the sender (discovery's watch, Reconcile) and
// the receivers (event router, workflows). Pure: no I/O.
import * as z from 'zod';
import { InvalidInput } from './errors.ts';
import { formatZodIssues } from './config.ts';
import { HEALTH_PROTOCOLS, ROUTING_POLICIES, type GatewayKind, type PublishedEndpoint, type RoutingAnnotations } from './model.ts';

export const GATEWAY_EVENT_SOURCE = 'switchyard';

/**
 * The source an in-cluster agent sends with: `switchyard.agent.<cluster>`. The agent's
 * IAM role may put events only with this source (the `events:source` condition), which is
 * how the router knows an event naming cluster X comes from X's agent (docs/agent.md).
 */
export const AGENT_SOURCE_PREFIX = 'switchyard.agent.';

export function agentSource(cluster: string): string {
  return `${AGENT_SOURCE_PREFIX}${cluster}`;
}

/** The cluster whose agent sends with `source`, or undefined when it is not an agent source. */
export function clusterOfAgentSource(source: string): string | undefined {
  return source.startsWith(AGENT_SOURCE_PREFIX) ? source.slice(AGENT_SOURCE_PREFIX.length) : undefined;
}

/** True for the sources Gateway events come with: the control plane's own, or an agent's. */
export function isGatewayEventSource(source: unknown): source is string {
  return typeof source === 'string' && (source === GATEWAY_EVENT_SOURCE || clusterOfAgentSource(source) !== undefined);
}

export const GATEWAY_EVENT_TYPES = {
  published: 'Gateway Published',
  withdrawn: 'Gateway Withdrawn',
} as const;
export type GatewayEventType = (typeof GATEWAY_EVENT_TYPES)[keyof typeof GATEWAY_EVENT_TYPES];

export const GATEWAY_KINDS = ['IstioGateway', 'Gateway', 'HTTPRoute', 'TetrateGateway', 'Tier1Gateway'] as const satisfies readonly GatewayKind[];

/** Lower-case, no trailing dot; a leading `*.` is a wildcard record. */
const hostname = z
  .string()
  .max(253)
  .regex(/^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'not a lower-case DNS name without trailing dot');

const clusterName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, 'not a cluster name');

/** "namespace/name" of a Kubernetes resource. */
const resourceRef = z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'not "namespace/name"');

export const routingAnnotationsSchema = z.strictObject({
  routing: z.enum(ROUTING_POLICIES).optional(),
  failover: z.enum(['primary', 'secondary']).optional(),
  weight: z.number().int().min(0).max(255).optional(),
  healthPath: z.string().startsWith('/').max(255).optional(),
  healthPort: z.number().int().min(1).max(65535).optional(),
  healthProtocol: z.enum(HEALTH_PROTOCOLS).optional(),
  ttl: z.number().int().min(0).max(2147483647).optional(),
  enabled: z.boolean().optional(),
}) satisfies z.ZodType<RoutingAnnotations>;

/**
 * One resource in one cluster publishes `hostnames` (its full current list) from
 * `entryPoint` with `annotations`. Sent when a resource appears or any of these
 * changes; receivers treat it as "this is now the state", so repeats are harmless.
 */
export const gatewayPublishedDetailSchema = z.strictObject({
  cluster: clusterName,
  kind: z.enum(GATEWAY_KINDS),
  /** "namespace/name" of the resource that publishes the hostnames. */
  gateway: resourceRef,
  hostnames: z.array(hostname).min(1),
  /** The load-balancer DNS name; absent when it could not be found (a problem was reported). */
  entryPoint: hostname.optional(),
  annotations: routingAnnotationsSchema,
  /** The one of `hostnames` that is the cluster's own canary hostname, if any. */
  canaryHostname: hostname.optional(),
  /** Kubernetes resourceVersion of the resource, when read from a cluster. */
  resourceVersion: z.string().min(1).optional(),
  observedAt: z.iso.datetime({ offset: true }),
});
export type GatewayPublishedDetail = z.infer<typeof gatewayPublishedDetailSchema>;

/**
 * The cluster no longer publishes `hostnames` (no resource in it declares them any
 * more). `kind`/`gateway` name the resource that published them last. Never sent for
 * a cluster that could not be read: an unreachable cluster withdraws nothing.
 */
export const gatewayWithdrawnDetailSchema = z.strictObject({
  cluster: clusterName,
  kind: z.enum(GATEWAY_KINDS),
  gateway: resourceRef,
  hostnames: z.array(hostname).min(1),
  /** `deleted`: the resource is gone; `changed`: it no longer declares these hostnames. */
  reason: z.enum(['deleted', 'changed']),
  observedAt: z.iso.datetime({ offset: true }),
});
export type GatewayWithdrawnDetail = z.infer<typeof gatewayWithdrawnDetailSchema>;

export type GatewayEvent =
  | { detailType: typeof GATEWAY_EVENT_TYPES.published; detail: GatewayPublishedDetail }
  | { detailType: typeof GATEWAY_EVENT_TYPES.withdrawn; detail: GatewayWithdrawnDetail };

export type GatewayEventResult = { success: true; event: GatewayEvent } | { success: false; error: string };

/** Validates an EventBridge event (`source`, `detail-type`, `detail`) as a Gateway event. */
export function safeParseGatewayEvent(event: unknown): GatewayEventResult {
  if (event === null || typeof event !== 'object') return { success: false, error: 'event: expected an object' };
  const { source, 'detail-type': detailType, detail } = event as Record<string, unknown>;
  if (!isGatewayEventSource(source))
    return { success: false, error: `source: expected "${GATEWAY_EVENT_SOURCE}" or "${AGENT_SOURCE_PREFIX}<cluster>", got ${JSON.stringify(source)}` };
  const schema =
    detailType === GATEWAY_EVENT_TYPES.published
      ? gatewayPublishedDetailSchema
      : detailType === GATEWAY_EVENT_TYPES.withdrawn
        ? gatewayWithdrawnDetailSchema
        : undefined;
  if (!schema) {
    return {
      success: false,
      error: `detail-type: expected "${GATEWAY_EVENT_TYPES.published}" or "${GATEWAY_EVENT_TYPES.withdrawn}", got ${JSON.stringify(detailType)}`,
    };
  }
  const parsed = schema.safeParse(detail);
  if (!parsed.success)
    return {
      success: false,
      error: formatZodIssues(parsed.error)
        .map((line) => `detail.${line}`)
        .join('; '),
    };
  return { success: true, event: { detailType, detail: parsed.data } as GatewayEvent };
}

/** Like safeParseGatewayEvent, but throws InvalidInput naming the reason. */
export function parseGatewayEvent(event: unknown): GatewayEvent {
  const result = safeParseGatewayEvent(event);
  if (!result.success) throw new InvalidInput(`invalid Gateway event: ${result.error}`, { event });
  return result.event;
}

/** A PutEvents entry for the event (EventBridge `PutEventsRequestEntry` shape). */
export function gatewayEventEntry(
  event: GatewayEvent,
  eventBusName?: string,
  source: string = GATEWAY_EVENT_SOURCE,
): { Source: string; DetailType: string; Detail: string; EventBusName?: string } {
  return {
    Source: source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    ...(eventBusName === undefined ? {} : { EventBusName: eventBusName }),
  };
}

/** The published endpoints a `Gateway Published` detail stands for (one per hostname). */
export function endpointsOfPublished(detail: GatewayPublishedDetail): PublishedEndpoint[] {
  return detail.hostnames.map((name) => ({
    hostname: name,
    cluster: detail.cluster,
    kind: detail.kind,
    gateway: detail.gateway,
    ...(detail.entryPoint === undefined ? {} : { entryPoint: detail.entryPoint }),
    annotations: { ...detail.annotations },
    ...(detail.canaryHostname === name ? { canary: true } : {}),
  }));
}
