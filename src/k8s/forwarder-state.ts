// The forwarder's bookkeeping, pure: each read of a cluster (a complete picture, or a
// failure) → the Gateway events to send and the notices to print. A failed read sends
// nothing and keeps the last complete picture, so an outage never withdraws anything;
// the first complete picture is the baseline (nothing to send, unless asked to
// publish what exists).
import type { GatewayEvent } from '../core/gateway-events.ts';
import type { Problem, PublishedEndpoint } from '../core/model.ts';
import { gatewayEvents } from './events.ts';

/** One read of a cluster: everything it publishes now, or why it could not be read completely. */
export type ClusterRead = { ok: true; endpoints: readonly PublishedEndpoint[]; problems: readonly Problem[] } | { ok: false; reason: string };

export interface ClusterView {
  /** The last complete picture; undefined until the first one. */
  endpoints?: readonly PublishedEndpoint[];
  /** The problems of that picture. */
  problems: readonly Problem[];
  /** Why the cluster cannot be read right now; undefined while it can. */
  unreachable?: string;
}

export type ForwarderNotice =
  | { kind: 'watching'; cluster: string; endpoints: number }
  | { kind: 'unreachable'; cluster: string; reason: string }
  | { kind: 'reachable'; cluster: string }
  | { kind: 'problem'; cluster: string; problem: Problem }
  | { kind: 'failed'; cluster: string; what: string; reason: string };

export const EMPTY_VIEW: ClusterView = { problems: [] };

export interface AdvanceContext {
  cluster: string;
  /** ISO 8601 time of the read. */
  observedAt: string;
  /** Send `Gateway Published` for everything in the first complete picture. */
  publishExisting?: boolean;
}

export interface Advance {
  view: ClusterView;
  events: GatewayEvent[];
  notices: ForwarderNotice[];
}

export function advanceCluster(view: ClusterView, given: ClusterRead, context: AdvanceContext): Advance {
  const { cluster } = context;
  const read = heldIfSilent(view, given);
  if (!read.ok) {
    const notices: ForwarderNotice[] = view.unreachable === undefined ? [{ kind: 'unreachable', cluster, reason: read.reason }] : [];
    return { view: { ...view, unreachable: read.reason }, events: [], notices };
  }
  const notices: ForwarderNotice[] = [];
  const first = view.endpoints === undefined;
  if (first) notices.push({ kind: 'watching', cluster, endpoints: read.endpoints.length });
  else if (view.unreachable !== undefined) notices.push({ kind: 'reachable', cluster });
  for (const problem of newProblems(view.problems, read.problems)) notices.push({ kind: 'problem', cluster, problem });

  const before = view.endpoints ?? (context.publishExisting ? [] : undefined);
  const events = before === undefined ? [] : gatewayEvents({ cluster, before, after: read.endpoints, observedAt: context.observedAt });
  return { view: { endpoints: read.endpoints, problems: read.problems }, events, notices };
}

/**
 * A complete read with nothing at all (not even the canary) after a picture with
 * endpoints is not trusted: the cluster is held (docs/discovery.md), nothing is withdrawn.
 */
function heldIfSilent(view: ClusterView, read: ClusterRead): ClusterRead {
  const before = view.endpoints?.length ?? 0;
  if (!read.ok || read.endpoints.length > 0 || before === 0) return read;
  return { ok: false, reason: `published nothing (not even its canary) after ${before} endpoint(s): held, its records are left as they are` };
}

/** Problems of `after` that `before` did not have (same subject and reason). */
export function newProblems(before: readonly Problem[], after: readonly Problem[]): Problem[] {
  const known = new Set(before.map(problemKey));
  return after.filter((p) => !known.has(problemKey(p)));
}

function problemKey(problem: Problem): string {
  return `${problem.subject}\n${problem.reason}`;
}

/**
 * Reachability of a cluster read through several requests (one per resource type):
 * unreachable from the first failing request until every failed one succeeds again.
 * `failing` maps a request key to its last failure.
 */
export function trackReachability(
  failing: ReadonlyMap<string, string>,
  cluster: string,
  key: string,
  outcome: { ok: true } | { ok: false; reason: string },
): { failing: Map<string, string>; notice?: ForwarderNotice } {
  const next = new Map(failing);
  if (outcome.ok) {
    if (!next.delete(key)) return { failing: next };
    return next.size === 0 ? { failing: next, notice: { kind: 'reachable', cluster } } : { failing: next };
  }
  next.set(key, outcome.reason);
  return failing.size === 0 ? { failing: next, notice: { kind: 'unreachable', cluster, reason: outcome.reason } } : { failing: next };
}

/** A notice as one line of text. */
export function formatNotice(notice: ForwarderNotice): string {
  switch (notice.kind) {
    case 'watching':
      return `${notice.cluster}: watching (${notice.endpoints} endpoint${notice.endpoints === 1 ? '' : 's'} now)`;
    case 'unreachable':
      return `${notice.cluster}: unreachable, sending nothing for it until it is back (its last complete picture is kept): ${notice.reason}`;
    case 'reachable':
      return `${notice.cluster}: reachable again`;
    case 'problem':
      return `${notice.cluster}: problem: ${notice.problem.subject}: ${notice.problem.reason}`;
    case 'failed':
      return `${notice.cluster}: ${notice.what} failed: ${notice.reason}`;
  }
}

/** A sent event as one line of text: what changed, where, and EventBridge's event id. */
export function formatSent(event: GatewayEvent, eventId: string): string {
  const { detail } = event;
  const why = event.detailType === 'Gateway Withdrawn' ? ` (${event.detail.reason})` : '';
  return `sent ${event.detailType} ${detail.cluster} ${detail.kind} ${detail.gateway}: ${detail.hostnames.join(', ')}${why} [${eventId}]`;
}

/** A sent event as one JSON line (for --json). */
export function sentJson(event: GatewayEvent, eventId: string, eventBusName: string): string {
  return JSON.stringify({ eventId, eventBusName, 'detail-type': event.detailType, detail: event.detail });
}
