// Ownership of record sets: the one layer that decides what Switchyard may touch. Pure.
//
// Every name Switchyard publishes gets a marker: a TXT record at `_switchyard.<name>` with
// SIMPLE routing and one quoted value per owned set,
//   "heritage=switchyard,owner=<ownerId>,set=<TYPE>/<setIdentifier or ->".
// The marker never copies the records' routing policy. external-dns's TXT registry writes
// one TXT per record with the record's own policy, and a failover TXT then competes with
// the real failover sets for the PRIMARY/SECONDARY slots, so Route 53 rejects the batch
// (external-dns issues 1420 and 2469). A simple TXT at its own name cannot collide.
//
// A set is ours only when our marker lists it. Anything else is foreign (no marker) or
// another owner's, and is never updated or deleted; a desired name that collides with it
// is a conflict, reported, and nothing at that name is changed.
import { compareStrings, hasAt, MARKER_LABEL, markerNameFor, normalizeName, recordKey } from './dns-names.ts';
import type { RecordSet, RoutingPolicy } from './model.ts';
import { compareRecordSets, routingPolicyOf } from './route53-rules.ts';
import { OrderedGroups } from './grouping.ts';
import { sortInPlace } from './sort.ts';

export const MARKER_HERITAGE = 'switchyard';
const MARKER_PREFIX = `${MARKER_LABEL}.`;
/** Only these types are ever created, updated or deleted (besides our TXT markers). */
export const MANAGED_TYPES: readonly string[] = ['A', 'AAAA'];

export function isManagedType(type: string): boolean {
  return type === 'A' || type === 'AAAA' || MANAGED_TYPES.includes(type.toUpperCase());
}

export interface MarkerEntry {
  owner: string;
  type: string;
  setIdentifier?: string;
}

/** One marker value, quoted as Route 53 stores TXT strings. */
export function markerValue(ownerId: string, type: string, setIdentifier?: string): string {
  // The planner asks for the same few values once per name (twice per name at 10k names a
  // plan): they are reused, and found by nested lookups that build no key string.
  if (markerValuesCached >= MAX_MARKER_VALUES_CACHED) {
    markerValueCache.clear();
    markerValuesCached = 0;
  }
  let byType = markerValueCache.get(ownerId);
  if (byType === undefined) markerValueCache.set(ownerId, (byType = new Map()));
  let byIdentifier = byType.get(type);
  if (byIdentifier === undefined) byType.set(type, (byIdentifier = new Map()));
  const id = setIdentifier ?? '-';
  let value = byIdentifier.get(id);
  if (value === undefined) {
    value = `"heritage=${MARKER_HERITAGE},owner=${ownerId},set=${type.toUpperCase()}/${id}"`;
    byIdentifier.set(id, value);
    markerValuesCached += 1;
  }
  return value;
}
/** Owner → type as given → SetIdentifier (`-` for none) → value. */
const markerValueCache = new Map<string, Map<string, Map<string, string>>>();
const MAX_MARKER_VALUES_CACHED = 10_000;
let markerValuesCached = 0;

const MARKER_VALUE = /^heritage=switchyard,owner=([^,]+),set=([A-Za-z0-9]+)\/(.+)$/;

/** Reads one marker value (quoted or not); undefined when it is not a Switchyard marker value. */
export function parseMarkerValue(value: string): MarkerEntry | undefined {
  const text = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  const match = MARKER_VALUE.exec(text);
  if (!match) return undefined;
  const [, owner = '', type = '', set = ''] = match;
  return set === '-' ? { owner, type: type.toUpperCase() } : { owner, type: type.toUpperCase(), setIdentifier: set };
}

/** The marker of `name` listing `sets` (sorted, deduplicated); undefined when there are none. */
export function markerRecordFor(
  name: string,
  ownerId: string,
  sets: ReadonlyArray<Pick<RecordSet, 'type' | 'setIdentifier'>>,
  ttl: number,
): RecordSet | undefined {
  const values: string[] = [];
  for (let i = 0; i < sets.length; i++) {
    const set = sets[i] as Pick<RecordSet, 'type' | 'setIdentifier'>;
    const value = markerValue(ownerId, set.type, set.setIdentifier);
    if (!values.includes(value)) values.push(value);
  }
  if (values.length === 0) return undefined;
  sortInPlace(values, compareStrings);
  return { name: markerNameFor(name), type: 'TXT', ttl, values };
}

/** Who holds one name in one zone, as far as Switchyard is concerned. */
export interface NameOwnership {
  /** Canonical name of the app records (not the marker name). */
  name: string;
  /** Our marker TXT (every value ours), exactly as read. */
  ourMarker?: RecordSet;
  /** Owners other than us named by a marker at this name. */
  otherOwners: readonly string[];
  /** Records at the marker name that are not our marker: another owner's marker, a foreign TXT, anything. */
  markerBlockers: readonly RecordSet[];
  /** A/AAAA sets at the name that our marker lists: the only sets we may change. */
  owned: readonly RecordSet[];
  /** Every other set at the name (foreign, another owner's, types we never manage). */
  others: readonly RecordSet[];
}

/** The empty list every name without such records shares (a zone has 100,000 names). */
const NONE: readonly never[] = Object.freeze([]);

/** Same type and SetIdentifier: the identity of two sets already known to share a name. */
export function sameIdentity(a: Pick<RecordSet, 'type' | 'setIdentifier'>, b: Pick<RecordSet, 'type' | 'setIdentifier'>): boolean {
  return (a.setIdentifier ?? '') === (b.setIdentifier ?? '') && (a.type === b.type || a.type.toUpperCase() === b.type.toUpperCase());
}

/** The start of every value of our own markers, up to the set label. */
function ourValuePrefix(ownerId: string): string {
  return `"heritage=${MARKER_HERITAGE},owner=${ownerId},set=`;
}

/**
 * True when every value of a marker is ours: `prefix` (ourValuePrefix(ownerId), built once
 * per zone), then a set label ("TYPE/set", no comma), then the closing quote.
 */
function isOurMarker(record: RecordSet, prefix: string): boolean {
  if (record.type.toUpperCase() !== 'TXT' || record.setIdentifier || !record.values || record.values.length === 0) return false;
  for (const value of record.values) {
    if (!(value.length > prefix.length + 1 && value.charCodeAt(value.length - 1) === QUOTE && hasAt(value, prefix, 0) && !value.includes(',', prefix.length)))
      return false;
  }
  return true;
}

/**
 * True when one of our marker's values lists the set: its label, from `from` (the prefix
 * length) to the closing quote, is "TYPE/setIdentifier-or--". Compared in place, without
 * building the label: the planner asks this for every set of a zone.
 */
function listsSet(values: readonly string[], from: number, record: Pick<RecordSet, 'type' | 'setIdentifier'>): boolean {
  const type = record.type.toUpperCase();
  const set = record.setIdentifier ?? '-';
  const slash = from + type.length;
  const length = slash + 1 + set.length + 1;
  for (const value of values) {
    if (value.length === length && value.charCodeAt(slash) === SLASH && hasAt(value, type, from) && hasAt(value, set, slash + 1)) return true;
  }
  return false;
}
const SLASH = 47;
const QUOTE = 34;

/** Owners other than us that a marker's values name, sorted. */
function otherOwnersOf(record: RecordSet, ownerId: string): string[] {
  if (record.type.toUpperCase() !== 'TXT' || record.setIdentifier || !record.values) return [];
  const parsed = record.values.map(parseMarkerValue);
  return [...new Set(parsed.filter((p) => p !== undefined).map((p) => p.owner))].filter((o) => o !== ownerId).sort(compareStrings);
}

/** The records of one name: the markers at its marker name, and its own sets. */
export interface NameRecords {
  name: string;
  markers: RecordSet[];
  sets: RecordSet[];
}

/**
 * Classifies a zone's record sets by name. Names without any record or marker are absent.
 * A marker with a value that is not ours (another owner, or not a marker value at all)
 * is not ours: the sets it would list stay untouched.
 */
export function classifyZone(records: readonly RecordSet[], ownerId: string): Map<string, NameOwnership> {
  const { groups, marked } = recordsByName(records);
  // Marked names first, then the others, each in order of first appearance.
  const prefix = ourValuePrefix(ownerId);
  const result = new Map<string, NameOwnership>();
  for (const group of marked) result.set(group.name, classifyName(group, ownerId, prefix));
  for (const group of groups) if (group.markers.length === 0) result.set(group.name, classifyName(group, ownerId, prefix));
  return result;
}

/**
 * classifyZone as a list, each name in order of first appearance (as Route 53 lists
 * them, name order), for a caller that walks every name: no Map of names to build.
 */
export function classifyNames(records: readonly RecordSet[], ownerId: string): NameOwnership[] {
  const zone = zoneNames(records, ownerId);
  return zone.names.map((group) => zone.classify(group));
}

/** A zone's records by name (as classifyNames lists them), each name classified when asked. */
export interface ZoneNames {
  names: readonly NameRecords[];
  /** classifyNames' answer for one of `names`. */
  classify(group: NameRecords): NameOwnership;
}

/**
 * classifyNames without classifying every name up front: a planner that walks the names
 * classifies each as it comes to it, so no classification of 100,000 names is held at once.
 */
export function zoneNames(records: readonly RecordSet[], ownerId: string): ZoneNames {
  const prefix = ourValuePrefix(ownerId);
  return { names: recordsByName(records).groups, classify: (group) => classifyName(group, ownerId, prefix) };
}

/** Every record under the app name it concerns (a marker under the name it marks), by name in order of first appearance; the names with a marker, in order. */
function recordsByName(records: readonly RecordSet[]): { groups: NameRecords[]; marked: NameRecords[] } {
  const byName = new OrderedGroups<NameRecords>();
  const marked: NameRecords[] = [];
  // Route 53 lists the sets of one name together: each run of one name is normalised once
  // and, when its list is new, taken as one slice (no list grown set by set).
  for (let i = 0; i < records.length;) {
    const raw = (records[i] as RecordSet).name;
    let j = i + 1;
    while (j < records.length && (records[j] as RecordSet).name === raw) j++;
    const name = normalizeName(raw);
    const isMarker = name.length > MARKER_PREFIX.length + 1 && hasAt(name, MARKER_PREFIX, 0);
    const appName = isMarker ? name.slice(MARKER_PREFIX.length) : name;
    const group = byName.find(appName);
    if (!group) {
      const run = records.slice(i, j);
      const created = byName.add(appName, isMarker ? { name: appName, markers: run, sets: [] } : { name: appName, markers: [], sets: run });
      if (isMarker) marked.push(created);
    } else {
      const list = isMarker ? group.markers : group.sets;
      if (isMarker && list.length === 0) marked.push(group);
      if (list.length === 0) {
        if (isMarker) group.markers = records.slice(i, j);
        else group.sets = records.slice(i, j);
      } else for (let k = i; k < j; k++) list.push(records[k] as RecordSet);
    }
    i = j;
  }
  return { groups: byName.groups, marked };
}

/** One name: its markers (ours or not), then its sets, owned only when our marker lists them. */
function classifyName(group: NameRecords, ownerId: string, prefix: string): NameOwnership {
  const { name } = group;
  let ourMarker: RecordSet | undefined;
  let otherOwners: string[] | undefined;
  let markerBlockers: RecordSet[] | undefined;
  for (const record of sortInPlace(group.markers, compareRecordSets)) {
    if (!ourMarker && isOurMarker(record, prefix)) {
      ourMarker = record;
    } else {
      (markerBlockers ??= []).push(record);
      for (const owner of otherOwnersOf(record, ownerId)) if (!(otherOwners ??= []).includes(owner)) otherOwners.push(owner);
    }
  }
  const { owned, others } = splitOwned(group.sets, ourMarker?.values, prefix.length);
  const owners = otherOwners ? sortInPlace(otherOwners, compareStrings) : NONE;
  const blockers = markerBlockers ?? NONE;
  return ourMarker
    ? { name, otherOwners: owners, markerBlockers: blockers, owned, others, ourMarker }
    : { name, otherOwners: owners, markerBlockers: blockers, owned, others };
}

/** True when a set before `sets[i]` has its identity. */
function identityBefore(sets: readonly RecordSet[], i: number): boolean {
  for (let j = 0; j < i; j++) if (sameIdentity(sets[j] as RecordSet, sets[i] as RecordSet)) return true;
  return false;
}

/**
 * The sets of one name our marker's values (`ours`, labels from `from`) list, each identity
 * once, and the others, each sorted. The sets' own list (sorted in place) is one of the
 * two when the other is empty, as it usually is.
 */
function splitOwned(sets: RecordSet[], ours: readonly string[] | undefined, from: number): { owned: readonly RecordSet[]; others: readonly RecordSet[] } {
  if (ours === undefined) return { owned: NONE, others: sortInPlace(sets, compareRecordSets) };
  if (allOwnable(sets, ours, from)) return { owned: sortInPlace(sets, compareRecordSets), others: NONE };
  const owned: RecordSet[] = [];
  const others: RecordSet[] = [];
  for (const record of sets) {
    if (ownable(record, ours, from) && !owned.some((o) => sameIdentity(o, record))) owned.push(record);
    else others.push(record);
  }
  return { owned: sortInPlace(owned, compareRecordSets), others: sortInPlace(others, compareRecordSets) };
}

/** A managed type our marker's values list. */
function ownable(record: RecordSet, ours: readonly string[], from: number): boolean {
  return isManagedType(record.type) && listsSet(ours, from, record);
}

/** True when our marker lists every set and no two share an identity (the usual case). */
function allOwnable(sets: readonly RecordSet[], ours: readonly string[], from: number): boolean {
  for (let i = 0; i < sets.length; i++) if (!ownable(sets[i] as RecordSet, ours, from) || identityBefore(sets, i)) return false;
  return true;
}

/**
 * Why Switchyard may not publish `desired` sets at this name; empty when it may.
 * Collisions: another owner's marker; anything else at the marker name; a CNAME; a set
 * with the same name, type and SetIdentifier that is not ours; a set of the same type
 * with another routing policy (Route 53 refuses the mix); any failover set of the same
 * type that is not ours (it competes for the PRIMARY/SECONDARY slots).
 */
export function conflictsAt(ownership: NameOwnership | undefined, desired: readonly RecordSet[]): string[] {
  if (!ownership || desired.length === 0) return [];
  // The usual case: nothing but our own sets here.
  if (ownership.others.length === 0 && ownership.markerBlockers.length === 0 && ownership.otherOwners.length === 0) return [];
  const reasons: string[] = [];
  const name = ownership.name;
  if (ownership.otherOwners.length > 0) {
    // Their marker explains every collision at this name; one line says it.
    return [`${name} is held by another owner (${ownership.otherOwners.join(', ')})`];
  }
  if (ownership.markerBlockers.length > 0) {
    const what = ownership.markerBlockers.map((r) => r.type.toUpperCase()).join(', ');
    reasons.push(`${markerNameFor(name)} already has a record Switchyard does not own (${what}), so the ownership marker cannot be written`);
  }
  const desiredKeys = new Set(desired.map(recordKey));
  const desiredPolicy = new Map<string, RoutingPolicy>();
  for (const d of desired) desiredPolicy.set(d.type.toUpperCase(), routingPolicyOf(d));
  for (const other of ownership.others) {
    const type = other.type.toUpperCase();
    const label = `${type}${other.setIdentifier ? ` "${other.setIdentifier}"` : ''}`;
    if (type === 'CNAME') {
      reasons.push(`${name} has a CNAME that Switchyard does not own`);
      continue;
    }
    const ours = desiredPolicy.get(type);
    if (ours === undefined) continue;
    const theirs = routingPolicyOf(other);
    if (desiredKeys.has(recordKey(other))) reasons.push(`${name} ${label} exists and is not owned by Switchyard`);
    else if (theirs !== ours) reasons.push(`${name} ${label} is a ${theirs} set not owned by Switchyard; Switchyard wants ${ours} sets of this type`);
    else if (theirs === 'failover') reasons.push(`${name} ${label} is a failover set not owned by Switchyard`);
  }
  return reasons;
}
