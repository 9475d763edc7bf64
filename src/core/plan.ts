// The planner: desired vs actual record sets → ordered change groups per zone. Pure.
//
// Like external-dns's plan package: a value of inputs in, changes out; no I/O, no SDK.
// Keyed by (name, type, SetIdentifier). Only A/AAAA sets our marker lists (and the markers
// themselves) are ever changed. Deterministic: inputs are sorted, so the same inputs in any
// order give the same plan; idempotent: applying the plan and planning again gives nothing.
// O(n log n): maps per zone and name, one sort, no scans across names.
import { applyChanges, compareRecordSets, routingPolicyOf, sameRecordContent } from './route53-rules.ts';
import type { DesiredRecord, HeldRecords } from './desired.ts';
import { compareStrings, hostnameOf, normalizeName, recordKey } from './dns-names.ts';
import { InvalidInput, errorMessage } from './errors.ts';
import type { Change, ChangeAction, ChangeGroup, HostedZone, Problem, RecordSet, SyncPolicy } from './model.ts';
import { conflictsAt, markerRecordFor, sameIdentity, zoneNames, type NameOwnership, type NameRecords, type ZoneNames } from './ownership.ts';
import { lookupInOrder, OrderedGroups } from './grouping.ts';
import { droppedReason, policyFor, type ChangeKind } from './policy.ts';
import { sortInPlace } from './sort.ts';

/** TTL of ownership markers when the caller does not pass fleet.ttl. */
export const DEFAULT_MARKER_TTL = 300;

/** Everything Route 53 has in one zone (as listed, names may be escaped). */
export interface ActualZone {
  zoneId: string;
  records: readonly RecordSet[];
}

export interface PlanInput {
  desired: ReadonlyArray<Pick<DesiredRecord, 'zoneId' | 'recordSet'>>;
  actual: readonly ActualZone[];
  policy: SyncPolicy;
  ownerId: string;
  /** The managed zones; zones not listed here are never planned. */
  zones: readonly HostedZone[];
  /** Sets to leave exactly as they are this round (DesiredState.held). */
  held?: readonly HeldRecords[];
  /** fleet.ttl: TTL of the ownership markers. */
  markerTtl?: number;
}

export interface ZoneChanges {
  zoneId: string;
  /** One group per name (its records and its marker), in name order. */
  groups: ChangeGroup[];
}

export interface SkippedChange {
  zoneId: string;
  name: string;
  change: Change;
  reason: string;
}

export interface Plan {
  /** Zones with at least one change, in zone-id order. */
  zones: ZoneChanges[];
  /** Names Switchyard wants but may not take: nothing at them is changed. */
  conflicts: Problem[];
  /** Changes left out, with the reason (policy, or a state Route 53 would refuse). */
  skipped: SkippedChange[];
  /** Bad desired input (duplicates, unknown zones). */
  problems: Problem[];
}

interface PlannedChange {
  kind: ChangeKind;
  changes: Change[];
}

const ACTION_ORDER: Record<ChangeAction, number> = { DELETE: 0, CREATE: 1, UPSERT: 2 };

/** Route 53 cannot UPSERT across these: routing policy, alias↔values, failover role. */
function needsReplace(actual: RecordSet, desired: RecordSet): boolean {
  return (
    routingPolicyOf(actual) !== routingPolicyOf(desired) ||
    (actual.aliasTarget === undefined) !== (desired.aliasTarget === undefined) ||
    // Swapping PRIMARY and SECONDARY by two UPSERTs can pass through two PRIMARYs;
    // DELETE+CREATE in one atomic batch never does.
    actual.failover !== desired.failover
  );
}

function compareChanges(a: Change, b: Change): number {
  const marker = (c: Change) => (c.recordSet.type.toUpperCase() === 'TXT' ? 1 : 0);
  return ACTION_ORDER[a.action] - ACTION_ORDER[b.action] || marker(a) - marker(b) || compareRecordSets(a.recordSet, b.recordSet);
}

/** Plans the changes that make the owned part of `actual` equal to `desired`. */
export function plan(input: PlanInput): Plan {
  const policy = policyFor(input.policy);
  if (!input.ownerId) throw new InvalidInput('plan needs an ownerId (fleet.ownerId)');
  const zoneIds = [...new Set(input.zones.map((z) => z.id))].sort(compareStrings);
  const managed = new Set(zoneIds);
  const { byZone: desiredByZone, unmanaged } = groupDesired(input.desired, managed);
  const run: PlanRun = {
    policy,
    ownerId: input.ownerId,
    markerTtl: input.markerTtl ?? DEFAULT_MARKER_TTL,
    heldByName: groupHeld(input.held ?? []),
    problems: [],
    conflicts: [],
    skipped: [],
  };

  // Usually one list per zone: used as it is, copied only to join several.
  const actualByZone = new Map<string, readonly RecordSet[]>();
  for (const zone of input.actual) {
    if (!managed.has(zone.zoneId)) continue;
    const list = actualByZone.get(zone.zoneId);
    actualByZone.set(zone.zoneId, list ? [...list, ...zone.records] : zone.records);
  }

  const zones: ZoneChanges[] = [];
  for (const zoneId of zoneIds) {
    const actual = zoneNames(actualByZone.get(zoneId) ?? [], input.ownerId);
    const groups = planZone(run, zoneId, actual, desiredByZone.get(zoneId) ?? new OrderedGroups<NameToPlan>());
    if (groups.length > 0) zones.push({ zoneId, groups });
  }
  unmanaged.sort((a, b) => compareStrings(a.zoneId, b.zoneId) || compareRecordSets(a.recordSet, b.recordSet));
  for (const { zoneId, recordSet } of unmanaged) {
    const host = hostnameOf(recordSet.name);
    run.problems.push({ subject: host, hostname: host, reason: `desired record set ${recordKey(recordSet)} names zone ${zoneId}, which is not managed` });
  }
  return { zones, conflicts: run.conflicts, skipped: run.skipped, problems: run.problems };
}

const NONE: readonly never[] = [];

/** What every name of one plan shares, and what it collects. */
interface PlanRun {
  policy: ReturnType<typeof policyFor>;
  ownerId: string;
  markerTtl: number;
  heldByName: Map<string, HeldRecords[]>;
  problems: Problem[];
  conflicts: Problem[];
  skipped: SkippedChange[];
}

/** One name of a zone to plan: its desired sets and what the zone holds there. */
interface NameToPlan {
  name: string;
  desired: RecordSet[];
  /** What the zone holds at the name, classified when planZone comes to it (in the literal from the start, so that setting it adds no property store). */
  records: NameRecords | undefined;
  /** Set instead of `records` for a name classified already. */
  ownership: NameOwnership | undefined;
}

// One function per loop: V8 then optimises each loop with its own type feedback.

/** Desired sets per managed zone and canonical name; the others apart (reported by the caller). */
function groupDesired(desired: PlanInput['desired'], managed: ReadonlySet<string>) {
  const byZone = new Map<string, OrderedGroups<NameToPlan>>();
  const unmanaged: Array<{ zoneId: string; recordSet: RecordSet }> = [];
  // The desired state lists the sets of one name and zone together: each run of them is
  // normalised once and, when the name is new, its list made at its size (no list grown set by set).
  for (let i = 0; i < desired.length;) {
    const { zoneId, recordSet: first } = desired[i] as PlanInput['desired'][number];
    const raw = first.name;
    let j = i + 1;
    while (
      j < desired.length &&
      (desired[j] as PlanInput['desired'][number]).zoneId === zoneId &&
      (desired[j] as PlanInput['desired'][number]).recordSet.name === raw
    )
      j++;
    const name = normalizeName(raw);
    if (!managed.has(zoneId)) {
      for (let k = i; k < j; k++) unmanaged.push({ zoneId, recordSet: (desired[k] as PlanInput['desired'][number]).recordSet });
      i = j;
      continue;
    }
    let byName = byZone.get(zoneId);
    if (!byName) byZone.set(zoneId, (byName = new OrderedGroups()));
    const entry = byName.find(name);
    if (entry) for (let k = i; k < j; k++) entry.desired.push(named((desired[k] as PlanInput['desired'][number]).recordSet, name));
    else {
      const list = new Array<RecordSet>(j - i);
      for (let k = i; k < j; k++) list[k - i] = named((desired[k] as PlanInput['desired'][number]).recordSet, name);
      byName.add(name, { name, desired: list, records: undefined, ownership: undefined });
    }
    i = j;
  }
  return { byZone, unmanaged };
}

/** The set under its canonical name (itself when it has it). */
function named(recordSet: RecordSet, name: string): RecordSet {
  return name === recordSet.name ? recordSet : { ...recordSet, name };
}

function groupHeld(held: readonly HeldRecords[]): Map<string, HeldRecords[]> {
  const heldByName = new Map<string, HeldRecords[]>();
  for (const h of held) {
    const name = normalizeName(h.name);
    heldByName.set(name, [...(heldByName.get(name) ?? []), h]);
  }
  return heldByName;
}

/** The change groups of one zone, in name order: every desired name and every name we own. */
function planZone(run: PlanRun, zoneId: string, actual: ZoneNames, desiredByName: OrderedGroups<NameToPlan>): ChangeGroup[] {
  // Every desired name, each with what the zone holds there, and the names we own that
  // nothing is desired at. Both usually come in name order: then they are merged. A desired
  // name is classified when its turn comes (the classification dies young); another name
  // now, to know whether we own something there.
  const names = [...desiredByName.groups];
  const desiredAt = lookupInOrder(desiredByName);
  let extra = false;
  // Indexed loops: a cold for-of allocates an iterator result per element.
  for (let i = 0; i < actual.names.length; i++) {
    const records = actual.names[i] as NameRecords;
    const entry = desiredAt(records.name);
    if (entry) {
      entry.records = records;
      continue;
    }
    const o = actual.classify(records);
    if (o.owned.length > 0 || o.ourMarker) {
      names.push({ name: o.name, desired: [], records: undefined, ownership: o });
      extra = true;
    }
  }
  if (extra || !desiredByName.sorted) sortInPlace(names, (a, b) => compareStrings(a.name, b.name));

  const groups: ChangeGroup[] = [];
  for (let i = 0; i < names.length; i++) {
    const { name, desired: wanted, records, ownership } = names[i] as NameToPlan;
    const o = ownership ?? (records === undefined ? undefined : actual.classify(records));
    const desired = uniqueDesired(zoneId, name, wanted, run.problems);
    const holds = run.heldByName.size === 0 ? NONE : (run.heldByName.get(name) ?? NONE);
    if (holds.length > 0 && holds.some((h) => h.setIdentifier === undefined)) continue;

    const reasons = conflictsAt(o, desired);
    if (reasons.length > 0) {
      for (const reason of reasons)
        run.conflicts.push({ subject: hostnameOf(name), hostname: hostnameOf(name), reason: `${reason} (zone ${zoneId}); nothing at this name is changed` });
      continue;
    }
    const group = planName(zoneId, name, o, desired, holds, run.policy, run.ownerId, run.markerTtl, run.skipped);
    if (group) groups.push(group);
  }
  return groups;
}

/** Type, then SetIdentifier: the order of sets within one name (no strings built). */
function compareIdentity(a: RecordSet, b: RecordSet): number {
  const byType = a.type === b.type ? 0 : compareStrings(a.type.toUpperCase(), b.type.toUpperCase());
  return byType || compareStrings(a.setIdentifier ?? '', b.setIdentifier ?? '');
}

/** True when each set comes after the one before it in identity order (so no two share an identity). */
function inIdentityOrder(records: readonly RecordSet[]): boolean {
  for (let i = 1; i < records.length; i++) if (compareIdentity(records[i - 1] as RecordSet, records[i] as RecordSet) >= 0) return false;
  return true;
}

/** One desired set per identity (the first in total order), in identity order; differing duplicates are reported. */
function uniqueDesired(zoneId: string, name: string, records: readonly RecordSet[], problems: Problem[]): readonly RecordSet[] {
  // Usual case: one set per identity, already in identity order (the desired state emits them so).
  if (inIdentityOrder(records)) return records;
  const sorted = [...records].sort((a, b) => compareIdentity(a, b) || compareStrings(JSON.stringify(a), JSON.stringify(b)));
  const unique: RecordSet[] = [];
  for (const record of sorted) {
    const previous = unique.find((u) => sameIdentity(u, record));
    if (!previous) unique.push(record);
    else if (!sameRecordContent(previous, record)) {
      problems.push({
        subject: hostnameOf(name),
        hostname: hostnameOf(name),
        reason: `two different desired record sets for ${recordKey(record)} in zone ${zoneId}; using the first`,
      });
    }
  }
  return unique;
}

function planName(
  zoneId: string,
  name: string,
  ownership: NameOwnership | undefined,
  desired: readonly RecordSet[],
  holds: readonly HeldRecords[],
  policy: ReturnType<typeof policyFor>,
  ownerId: string,
  markerTtl: number,
  skipped: SkippedChange[],
): ChangeGroup | undefined {
  const owned = ownership?.owned ?? NONE;
  // Most names on most runs: the owned sets already are the desired ones (and in the same order).
  const inSync = holds.length === 0 && sameSets(desired, owned);
  const planned = inSync ? [] : plannedChanges(desired, owned, holds);

  const current = ownership?.ourMarker;
  // Fast path (most names on most runs): nothing to change and the marker already right.
  if (planned.length === 0 && (current ? markerListsExactly(current, owned, markerTtl) : owned.length === 0)) return undefined;
  return groupFor(zoneId, name, ownership, planned, policy, ownerId, markerTtl, skipped);
}

/** True when `owned` holds exactly the `desired` sets, in the same order (no callback: this runs for every name). */
function sameSets(desired: readonly RecordSet[], owned: readonly RecordSet[]): boolean {
  if (owned.length !== desired.length) return false;
  for (let i = 0; i < desired.length; i++) {
    const want = desired[i] as RecordSet;
    const have = owned[i] as RecordSet;
    if (!sameIdentity(want, have) || !sameRecordContent(have, want)) return false;
  }
  return true;
}

/** What turns the owned sets of a name into the desired ones, each change with its kind (for the policy). */
function plannedChanges(desired: readonly RecordSet[], owned: readonly RecordSet[], holds: readonly HeldRecords[]): PlannedChange[] {
  const isHeld = (r: RecordSet) => holds.length > 0 && holds.some((h) => h.setIdentifier === r.setIdentifier);
  const planned: PlannedChange[] = [];
  for (const want of desired) {
    if (isHeld(want)) continue;
    const have = owned.find((o) => sameIdentity(o, want));
    if (!have) planned.push({ kind: 'create', changes: [{ action: 'CREATE', recordSet: want }] });
    else if (sameRecordContent(have, want)) continue;
    else if (needsReplace(have, want))
      planned.push({
        kind: 'update',
        changes: [
          { action: 'DELETE', recordSet: have },
          { action: 'CREATE', recordSet: want },
        ],
      });
    else planned.push({ kind: 'update', changes: [{ action: 'UPSERT', recordSet: want }] });
  }
  for (const have of owned) {
    if (!isHeld(have) && !desired.some((d) => sameIdentity(d, have))) planned.push({ kind: 'delete', changes: [{ action: 'DELETE', recordSet: have }] });
  }
  return planned;
}

/** The change group of a name with something to change: policy filter, marker, order, and a check that Route 53 would accept it. */
function groupFor(
  zoneId: string,
  name: string,
  ownership: NameOwnership | undefined,
  planned: readonly PlannedChange[],
  policy: ReturnType<typeof policyFor>,
  ownerId: string,
  markerTtl: number,
  skipped: SkippedChange[],
): ChangeGroup | undefined {
  const owned = ownership?.owned ?? [];
  const current = ownership?.ourMarker;
  const changes: Change[] = [];
  let finalOwned = [...owned];
  for (const p of planned) {
    if (!policy.allows(p.kind)) {
      for (const change of p.changes) skipped.push({ zoneId, name, change, reason: droppedReason(policy, p.kind) });
      continue;
    }
    for (const change of p.changes) {
      changes.push(change);
      finalOwned = finalOwned.filter((r) => !sameIdentity(r, change.recordSet));
      if (change.action !== 'DELETE') finalOwned.push(change.recordSet);
    }
  }
  // The marker follows the changes the policy let through: it always lists exactly what we own.
  const marker = markerRecordFor(name, ownerId, finalOwned, markerTtl);
  if (marker && !current) changes.push({ action: 'CREATE', recordSet: marker });
  else if (!marker && current) changes.push({ action: 'DELETE', recordSet: current });
  else if (marker && current && !sameRecordContent(marker, current)) changes.push({ action: 'UPSERT', recordSet: marker });
  if (changes.length === 0) return undefined;
  sortInPlace(changes, compareChanges);

  // Never send what Route 53 would refuse (e.g. a policy kept a set that clashes with a new one).
  const before = [...owned, ...(ownership?.others ?? []), ...(current ? [current] : []), ...(ownership?.markerBlockers ?? [])];
  try {
    applyChanges(before, changes);
  } catch (error) {
    for (const change of changes) skipped.push({ zoneId, name, change, reason: `Route 53 would refuse the changes at this name: ${errorMessage(error)}` });
    return undefined;
  }
  return { name, changes };
}

/**
 * True when our `marker` lists exactly the `owned` sets, with the fleet's marker TTL.
 * classifyZone counts a set as owned only when the marker lists it (and each identity
 * once), so the lists are equal exactly when their lengths are.
 */
function markerListsExactly(marker: RecordSet, owned: readonly RecordSet[], ttl: number): boolean {
  return marker.ttl === ttl && (marker.values ?? []).length === owned.length;
}

/** Number of changes of each action in a plan. */
export function planCounts(p: Plan): Record<ChangeAction, number> {
  const counts: Record<ChangeAction, number> = { CREATE: 0, UPSERT: 0, DELETE: 0 };
  for (const zone of p.zones) for (const group of zone.groups) for (const change of group.changes) counts[change.action] += 1;
  return counts;
}

/** True when the plan changes nothing. */
export function isEmptyPlan(p: Plan): boolean {
  return p.zones.length === 0;
}
