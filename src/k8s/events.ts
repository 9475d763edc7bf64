// One cluster's endpoints before and after a change → `Gateway Published` /
// `Gateway Withdrawn` events. Pure.
//
// Published: per resource whose hostnames, entry point or annotations changed (its full
// current list). Withdrawn: hostnames the cluster no longer publishes at all, named by
// the resource that published them last; a hostname that moved to another resource of
// the same cluster is only published again.
import { compareStrings } from '../core/dns-names.ts';
import { GATEWAY_EVENT_TYPES, type GatewayEvent } from '../core/gateway-events.ts';
import type { PublishedEndpoint } from '../core/model.ts';

/** "Kind|namespace/name": one resource. */
export function resourceKey(endpoint: Pick<PublishedEndpoint, 'kind' | 'gateway'>): string {
  return `${endpoint.kind}|${endpoint.gateway}`;
}

function choices(endpoint: PublishedEndpoint): string {
  const annotations = Object.entries(endpoint.annotations).sort(([a], [b]) => compareStrings(a, b));
  return JSON.stringify([endpoint.entryPoint ?? null, annotations]);
}

function state(endpoints: readonly PublishedEndpoint[]): string {
  return endpoints
    .map((e) => `${e.hostname} ${choices(e)} ${e.canary === true}`)
    .sort()
    .join('\n');
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export interface GatewayEventsInput {
  cluster: string;
  before: readonly PublishedEndpoint[];
  after: readonly PublishedEndpoint[];
  /** ISO 8601 time of the observation. */
  observedAt: string;
  /** resourceKey → Kubernetes resourceVersion, when known. */
  resourceVersions?: ReadonlyMap<string, string>;
}

export function gatewayEvents(input: GatewayEventsInput): GatewayEvent[] {
  const { cluster, observedAt } = input;
  const before = input.before.filter((e) => e.cluster === cluster);
  const after = input.after.filter((e) => e.cluster === cluster);
  const beforeByResource = groupBy(before, resourceKey);
  const afterByResource = groupBy(after, resourceKey);
  const events: GatewayEvent[] = [];

  for (const key of [...afterByResource.keys()].sort()) {
    const now = afterByResource.get(key) ?? [];
    if (state(now) === state(beforeByResource.get(key) ?? [])) continue;
    // One event per distinct (entry point, annotations): a detail carries one of each.
    for (const group of groupBy(now, choices).values()) {
      const first = group[0] as PublishedEndpoint;
      const canary = group.find((e) => e.canary);
      const resourceVersion = input.resourceVersions?.get(key);
      events.push({
        detailType: GATEWAY_EVENT_TYPES.published,
        detail: {
          cluster,
          kind: first.kind,
          gateway: first.gateway,
          hostnames: group.map((e) => e.hostname).sort(),
          ...(first.entryPoint === undefined ? {} : { entryPoint: first.entryPoint }),
          annotations: { ...first.annotations },
          ...(canary ? { canaryHostname: canary.hostname } : {}),
          ...(resourceVersion ? { resourceVersion } : {}),
          observedAt,
        },
      });
    }
  }

  const stillPublished = new Set(after.map((e) => e.hostname));
  const gone = before.filter((e) => !stillPublished.has(e.hostname));
  for (const [key, group] of [...groupBy(gone, resourceKey)].sort(([a], [b]) => compareStrings(a, b))) {
    const first = group[0] as PublishedEndpoint;
    events.push({
      detailType: GATEWAY_EVENT_TYPES.withdrawn,
      detail: {
        cluster,
        kind: first.kind,
        gateway: first.gateway,
        hostnames: [...new Set(group.map((e) => e.hostname))].sort(),
        reason: afterByResource.has(key) ? 'changed' : 'deleted',
        observedAt,
      },
    });
  }
  return events;
}
