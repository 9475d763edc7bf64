// Route 53 record-set semantics, simulated purely: what a change batch does to a zone's
// record sets, and which states Route 53 refuses. Used for dry runs, property tests
// (plan → apply → plan again = nothing to do) and by anything that emulates Route 53.
import { compareStrings, normalizeName, recordKey } from './dns-names.ts';
import { Route53Rejected } from './errors.ts';
import type { Change, RecordSet, RoutingPolicy } from './model.ts';
import { sortInPlace } from './sort.ts';

/** The routing policy a record set uses, from the fields that are set. */
export function routingPolicyOf(record: RecordSet): RoutingPolicy {
  if (record.weight !== undefined) return 'weighted';
  if (record.failover !== undefined) return 'failover';
  if (record.region !== undefined) return 'latency';
  return 'simple';
}

/** A total order on record sets: key, then content (so duplicates resolve the same way every time). */
export function compareRecordSets(a: RecordSet, b: RecordSet): number {
  return compareKeys(a, b) || compareStrings(JSON.stringify(a), JSON.stringify(b));
}

/** compareStrings(recordKey(a), recordKey(b)), without building the keys in the usual case (same name and type). */
function compareKeys(a: RecordSet, b: RecordSet): number {
  const sameName = a.name === b.name || normalizeName(a.name) === normalizeName(b.name);
  const sameNameAndType = sameName && (a.type === b.type || a.type.toUpperCase() === b.type.toUpperCase());
  // The keys then share "name|TYPE|" and differ only in the SetIdentifier after it.
  if (sameNameAndType) return compareStrings(a.setIdentifier ?? '', b.setIdentifier ?? '');
  return compareStrings(recordKey(a), recordKey(b));
}

/** The same values in any order (as Route 53 compares them); no copies when they come in the same order. */
function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i === a.length) return true;
  const as = sortInPlace(a.slice(i), compareStrings);
  const bs = sortInPlace(b.slice(i), compareStrings);
  for (let k = 0; k < as.length; k++) if (as[k] !== bs[k]) return false;
  return true;
}

/** Field-by-field equality as Route 53 sees it (names canonical, value order ignored). */
export function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  return recordKey(a) === recordKey(b) && sameRecordContent(a, b);
}

/** Equality of everything but the identity (name, type, SetIdentifier), for sets known to share a key. */
export function sameRecordContent(a: RecordSet, b: RecordSet): boolean {
  if (a.weight !== b.weight || a.failover !== b.failover || a.region !== b.region) return false;
  if (a.ttl !== b.ttl || (a.healthCheckId ?? undefined) !== (b.healthCheckId ?? undefined)) return false;
  if ((a.values === undefined) !== (b.values === undefined)) return false;
  if (a.values && b.values && !sameValues(a.values, b.values)) return false;
  const at = a.aliasTarget;
  const bt = b.aliasTarget;
  if ((at === undefined) !== (bt === undefined)) return false;
  if (at && bt) {
    const sameDnsName = at.dnsName === bt.dnsName || normalizeName(at.dnsName) === normalizeName(bt.dnsName);
    if (at.hostedZoneId !== bt.hostedZoneId || !sameDnsName || at.evaluateTargetHealth !== bt.evaluateTargetHealth) {
      return false;
    }
  }
  return true;
}

/** Why one record set is not a valid Route 53 record set on its own; empty when it is. */
export function recordSetProblems(record: RecordSet): string[] {
  const problems: string[] = [];
  const routed = [record.weight !== undefined, record.failover !== undefined, record.region !== undefined].filter(Boolean).length;
  if (routed > 1) problems.push('has more than one routing policy (weight, failover, region)');
  if (routed === 1 && !record.setIdentifier) problems.push(`${routingPolicyOf(record)} routing needs a SetIdentifier`);
  if (routed === 0 && record.setIdentifier) problems.push('has a SetIdentifier but no routing policy');
  if (record.weight !== undefined && !(Number.isInteger(record.weight) && record.weight >= 0 && record.weight <= 255))
    problems.push('weight must be an integer 0–255');
  if (record.aliasTarget) {
    if (record.ttl !== undefined) problems.push('an alias record has no TTL');
    if (record.values && record.values.length > 0) problems.push('an alias record has no values');
  } else {
    if (record.ttl === undefined) problems.push('a non-alias record needs a TTL');
    if (!record.values || record.values.length === 0) problems.push('a non-alias record needs at least one value');
  }
  return problems;
}

/**
 * Rules Route 53 enforces between the record sets of one zone: the sets of one name and
 * type share a routing policy; at most one PRIMARY and one SECONDARY; a CNAME is alone
 * at its name; keys are unique. Returns one line per violation; empty when valid.
 */
export function zoneProblems(records: readonly RecordSet[]): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  const byName = new Map<string, RecordSet[]>();
  for (const record of records) {
    const key = recordKey(record);
    if (keys.has(key)) problems.push(`${key}: duplicate record set`);
    keys.add(key);
    for (const p of recordSetProblems(record)) problems.push(`${key}: ${p}`);
    const name = normalizeName(record.name);
    const list = byName.get(name);
    if (list) list.push(record);
    else byName.set(name, [record]);
  }
  for (const [name, sets] of byName) problems.push(...nameProblems(name, sets));
  return problems;
}

/** The cross-set rules for the record sets of one name. */
export function nameProblems(name: string, sets: readonly RecordSet[]): string[] {
  const problems: string[] = [];
  if (sets.some((s) => s.type.toUpperCase() === 'CNAME') && sets.some((s) => s.type.toUpperCase() !== 'CNAME')) {
    problems.push(`${name}: a CNAME cannot share its name with other record types`);
  }
  const byType = new Map<string, RecordSet[]>();
  for (const set of sets) {
    const type = set.type.toUpperCase();
    const list = byType.get(type);
    if (list) list.push(set);
    else byType.set(type, [set]);
  }
  for (const [type, list] of byType) {
    const policies = new Set(list.map(routingPolicyOf));
    if (policies.size > 1) problems.push(`${name} ${type}: record sets mix routing policies (${[...policies].sort().join(', ')})`);
    if (policies.has('simple') && list.length > 1) problems.push(`${name} ${type}: more than one simple record set`);
    for (const role of ['PRIMARY', 'SECONDARY'] as const) {
      if (list.filter((s) => s.failover === role).length > 1) problems.push(`${name} ${type}: more than one ${role} failover record set`);
    }
  }
  return problems;
}

function describe(change: Change): string {
  return `${change.action} ${recordKey(change.recordSet)}`;
}

/**
 * Applies a change batch the way Route 53 does: all or nothing. Throws Route53Rejected
 * (InvalidChangeBatch) on a CREATE of an existing set, a DELETE that does not match the
 * existing set exactly, or a resulting state Route 53 refuses; the input is never changed.
 */
export function applyChanges(actual: readonly RecordSet[], changes: readonly Change[]): RecordSet[] {
  const byKey = new Map<string, RecordSet>();
  for (const record of actual) byKey.set(recordKey(record), record);
  const touched = new Set<string>();
  const errors: string[] = [];
  for (const change of changes) {
    const key = recordKey(change.recordSet);
    const existing = byKey.get(key);
    touched.add(normalizeName(change.recordSet.name));
    switch (change.action) {
      case 'CREATE':
        if (existing) errors.push(`${describe(change)}: it already exists`);
        else byKey.set(key, change.recordSet);
        break;
      case 'UPSERT':
        byKey.set(key, change.recordSet);
        break;
      case 'DELETE':
        if (!existing) errors.push(`${describe(change)}: it was not found`);
        else if (!sameRecordSet(existing, change.recordSet)) errors.push(`${describe(change)}: the values provided do not match the current values`);
        else byKey.delete(key);
        break;
      default:
        errors.push(`${describe(change)}: unknown action`);
    }
    for (const p of change.action === 'DELETE' ? [] : recordSetProblems(change.recordSet)) errors.push(`${describe(change)}: ${p}`);
  }
  const result = [...byKey.values()];
  if (errors.length === 0) {
    const byName = new Map<string, RecordSet[]>();
    for (const record of result) {
      const name = normalizeName(record.name);
      if (!touched.has(name)) continue;
      const list = byName.get(name);
      if (list) list.push(record);
      else byName.set(name, [record]);
    }
    for (const [name, sets] of byName) errors.push(...nameProblems(name, sets));
  }
  if (errors.length > 0) {
    throw new Route53Rejected(`InvalidChangeBatch: ${errors.join('; ')}`, { errors });
  }
  return result;
}
