// The DNS pipeline both DNS use cases run, observe → desired → plan → batch → send:
// `switchyard plan` / `sync` for the whole fleet (sync.ts) and the workflows' DNS port
// for some apps (route53-dns.ts). The decisions are the core's (desired.ts, plan.ts,
// batch.ts, health-check-plan.ts, zone-state.ts); this module reads Route 53 and
// chains them, so both callers observe and plan the same way (docs/dns.md).
import { batchPlan } from '../../core/batch.ts';
import type { FleetConfig } from '../../core/config.ts';
import type { DesiredState, HeldRecords } from '../../core/desired.ts';
import { isWithinZone } from '../../core/dns-names.ts';
import { scopeNames, scopeNamesBound } from '../../core/dns-scope.ts';
import type { ChangeRequest, HostedZone, Problem } from '../../core/model.ts';
import { plan as planChanges, type ActualZone, type Plan } from '../../core/plan.ts';
import type { Route53Port } from '../../core/ports.ts';
import { readNames } from '../../core/verify.ts';
import { selectZones } from '../../core/zone-state.ts';

/** The fleet's hosted zones and every record set they hold. */
export interface ObservedZones {
  zones: HostedZone[];
  actual: ActualZone[];
}

export interface ReadZonesOptions {
  /** Names the config in errors (e.g. the fleet.yaml path). */
  fleetFile?: string;
  /** Told after each zone is read. */
  onZone?: (zone: HostedZone, records: number) => void;
}

/** Observe: the zones fleet.zones names (selectZones), each read in full. */
export async function readZones(
  fleet: FleetConfig,
  route53: Pick<Route53Port, 'listHostedZones' | 'listRecordSets'>,
  options: ReadZonesOptions = {},
): Promise<ObservedZones> {
  const zones = selectZones(fleet, await route53.listHostedZones(), options.fleetFile);
  const actual: ActualZone[] = [];
  for (const zone of zones) {
    const records = await route53.listRecordSets(zone.id);
    actual.push({ zoneId: zone.id, records });
    options.onZone?.(zone, records.length);
  }
  return { zones, actual };
}

/**
 * Observe for an apply restricted to some apps: in each zone, the sets at the names the
 * apps' records and markers may have (scopeNames) that the zone can hold, read a page at
 * a time from the names (readNames, as a step is read back), never the whole zone. A zone
 * that holds no more sets than there could be names to read (ListHostedZones counts them;
 * a drain names every app of a cluster) is read whole instead, without building the names:
 * at that size, pages from the names would read it all anyway, at more cost.
 */
export async function readZonesAt(
  fleet: FleetConfig,
  route53: Pick<Route53Port, 'listHostedZones' | 'listRecordSets' | 'listRecordSetsPage'>,
  hostnames: readonly string[],
): Promise<ObservedZones> {
  const zones = selectZones(fleet, await route53.listHostedZones());
  const most = scopeNamesBound(fleet, hostnames);
  let names: string[] | undefined;
  const actual: ActualZone[] = [];
  for (const zone of zones) {
    if (zone.recordSets !== undefined && zone.recordSets <= most) {
      actual.push({ zoneId: zone.id, records: await route53.listRecordSets(zone.id) });
      continue;
    }
    const inZone = (names ??= scopeNames(fleet, hostnames)).filter((name) => isWithinZone(name, zone.name));
    const records = inZone.length === 0 ? [] : (await readNames(inZone, (start) => route53.listRecordSetsPage(zone.id, start))).records;
    actual.push({ zoneId: zone.id, records });
  }
  return { zones, actual };
}

export interface PlannedBatches {
  plan: Plan;
  requests: ChangeRequest[];
  /** Change groups too large for one request (problems; never sent). */
  oversized: Problem[];
}

/** Plan → batch: the changes that make `observed` hold `desired` (health-check ids attached), except `held`, in Route 53-sized requests. */
export function planBatches(fleet: FleetConfig, observed: ObservedZones, desired: DesiredState, held: readonly HeldRecords[]): PlannedBatches {
  const plan = planChanges({
    desired: desired.records,
    actual: observed.actual,
    policy: fleet.policy,
    ownerId: fleet.ownerId,
    zones: observed.zones,
    held,
    markerTtl: fleet.ttl,
  });
  const { requests, oversized } = batchPlan(plan);
  return { plan, requests, oversized };
}
