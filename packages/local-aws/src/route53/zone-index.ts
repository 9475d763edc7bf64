// A hosted zone's record sets, kept in Route 53's list order as they change: the zone's
// `records` array stays sorted (by name with its labels reversed, then type, then
// SetIdentifier), so ListResourceRecordSets finds any start name by binary search and
// reads one page (O(log n + page)); sets are also indexed by identity and by name, so a
// change batch looks only at the names it touches. Pure.
import type { HostedZone, RecordSet } from './model.ts';
import { compareAscii, sortKeyOfName } from './names.ts';

/** Identity of a set within a zone: name, type and SetIdentifier. */
export function recordKey(r: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  return `${r.name}|${r.type}|${r.setIdentifier ?? ''}`;
}

/** What a change batch needs to see of a zone: one set by identity, the sets at one name. */
export interface RecordLookup {
  get(key: string): RecordSet | undefined;
  named(name: string): ReadonlyMap<string, RecordSet>;
}

/** A list position: a name's sort key (labels reversed), then type and SetIdentifier when given. */
export interface ListPosition {
  nameKey: string;
  type?: string;
  identifier?: string;
}

const EMPTY: ReadonlyMap<string, RecordSet> = new Map();

/** Above this many sets added or removed, a batch rebuilds the order in one pass. */
const BULK_THRESHOLD = 32;

/** A record set with its sort key (labels reversed): the order ListResourceRecordSets pages in. */
export interface Keyed {
  record: RecordSet;
  nameKey: string;
}

export function compareKeyed(a: Keyed, b: Keyed): number {
  return (
    compareAscii(a.nameKey, b.nameKey) || compareAscii(a.record.type, b.record.type) || compareAscii(a.record.setIdentifier ?? '', b.record.setIdentifier ?? '')
  );
}

export class ZoneIndex implements RecordLookup {
  /** The zone's own `records` array, sorted; changed in place. */
  readonly #sorted: RecordSet[];
  /** Sort keys of the names, parallel to #sorted. */
  readonly #nameKeys: string[];
  readonly #byKey = new Map<string, RecordSet>();
  /** The set at a name, or the sets when there are several (most names hold one: no map for them). */
  readonly #byName = new Map<string, RecordSet | Map<string, RecordSet>>();

  /** Indexes `zone.records`, sorting it in place once. */
  constructor(zone: HostedZone) {
    const keyed = zone.records.map((record) => ({ record, nameKey: sortKeyOfName(record.name) }));
    keyed.sort(compareKeyed);
    this.#sorted = zone.records;
    this.#sorted.length = 0;
    this.#nameKeys = [];
    for (const { record, nameKey } of keyed) {
      this.#sorted.push(record);
      this.#nameKeys.push(nameKey);
      this.#remember(record);
    }
  }

  get size(): number {
    return this.#sorted.length;
  }

  get(key: string): RecordSet | undefined {
    return this.#byKey.get(key);
  }

  named(name: string): ReadonlyMap<string, RecordSet> {
    const sets = this.#byName.get(name);
    if (sets === undefined) return EMPTY;
    return sets instanceof Map ? sets : new Map([[recordKey(sets), sets]]);
  }

  /** Adds a set, or replaces the set with its identity. */
  put(record: RecordSet): void {
    const key = recordKey(record);
    const nameKey = sortKeyOfName(record.name);
    const at = this.lowerBound({ nameKey, type: record.type, identifier: record.setIdentifier ?? '' });
    if (this.#byKey.has(key)) this.#sorted[at] = record;
    else {
      this.#sorted.splice(at, 0, record);
      this.#nameKeys.splice(at, 0, nameKey);
    }
    this.#remember(record);
  }

  /** Removes the set with this identity; false when there is none. */
  delete(key: string): boolean {
    const record = this.#byKey.get(key);
    if (record === undefined) return false;
    const at = this.lowerBound({ nameKey: sortKeyOfName(record.name), type: record.type, identifier: record.setIdentifier ?? '' });
    this.#sorted.splice(at, 1);
    this.#nameKeys.splice(at, 1);
    this.#byKey.delete(key);
    this.#forget(record, key);
    return true;
  }

  /**
   * A change batch's effect: removes the identities in `deleted`, then writes `put`. A few
   * changes go one by one (a binary search and a move each); many go in one pass that
   * filters and merges (O(zone + batch log batch)), not one move of the zone per change.
   */
  apply(put: readonly RecordSet[], deleted: readonly string[]): void {
    const fresh = put.filter((record) => !this.#byKey.has(recordKey(record)));
    if (deleted.length + fresh.length <= BULK_THRESHOLD) {
      for (const key of deleted) this.delete(key);
      for (const record of put) this.put(record);
      return;
    }
    const gone = new Set<string>();
    for (const key of deleted) {
      const record = this.#byKey.get(key);
      if (record === undefined) continue;
      gone.add(key);
      this.#byKey.delete(key);
      this.#forget(record, key);
    }
    const added = fresh.map((record) => ({ record, nameKey: sortKeyOfName(record.name) })).sort(compareKeyed);
    for (const record of put) if (this.#byKey.has(recordKey(record))) this.put(record);
    const last = this.#sorted.length - 1;
    if (gone.size === 0 && (last < 0 || compareKeyed({ record: this.#sorted[last]!, nameKey: this.#nameKeys[last]! }, added[0]!) < 0)) {
      // All after the last set (a zone filled in name order): appended, O(batch).
      for (const { record, nameKey } of added) {
        this.#sorted.push(record);
        this.#nameKeys.push(nameKey);
        this.#remember(record);
      }
      return;
    }
    // One pass: the zone's sets minus the deleted ones, merged with the new ones in order.
    const records: RecordSet[] = [];
    const nameKeys: string[] = [];
    let next = 0;
    for (let i = 0; i < this.#sorted.length; i++) {
      const current = { record: this.#sorted[i]!, nameKey: this.#nameKeys[i]! };
      if (gone.has(recordKey(current.record))) continue;
      while (next < added.length && compareKeyed(added[next]!, current) < 0) {
        records.push(added[next]!.record);
        nameKeys.push(added[next]!.nameKey);
        next += 1;
      }
      records.push(current.record);
      nameKeys.push(current.nameKey);
    }
    for (; next < added.length; next++) {
      records.push(added[next]!.record);
      nameKeys.push(added[next]!.nameKey);
    }
    // The zone's own array stays the same array (the zone object holds it).
    this.#sorted.length = 0;
    this.#nameKeys.length = 0;
    for (let i = 0; i < records.length; i++) {
      this.#sorted.push(records[i]!);
      this.#nameKeys.push(nameKeys[i]!);
    }
    for (const { record } of added) this.#remember(record);
  }

  /** Index of the first set at or after `position` in list order (binary search). */
  lowerBound(position: ListPosition): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#before(middle, position)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** `count` sets from list index `from`. */
  slice(from: number, count: number): RecordSet[] {
    return this.#sorted.slice(from, from + count);
  }

  at(index: number): RecordSet | undefined {
    return this.#sorted[index];
  }

  #before(index: number, position: ListPosition): boolean {
    const byName = compareAscii(this.#nameKeys[index]!, position.nameKey);
    if (byName !== 0 || position.type === undefined) return byName < 0;
    const record = this.#sorted[index]!;
    const byType = compareAscii(record.type, position.type);
    if (byType !== 0 || position.identifier === undefined) return byType < 0;
    return compareAscii(record.setIdentifier ?? '', position.identifier) < 0;
  }

  #remember(record: RecordSet): void {
    const key = recordKey(record);
    this.#byKey.set(key, record);
    const sets = this.#byName.get(record.name);
    if (sets instanceof Map) sets.set(key, record);
    else if (sets === undefined || recordKey(sets) === key) this.#byName.set(record.name, record);
    else
      this.#byName.set(
        record.name,
        new Map([
          [recordKey(sets), sets],
          [key, record],
        ]),
      );
  }

  #forget(record: RecordSet, key: string): void {
    const sets = this.#byName.get(record.name);
    if (sets instanceof Map) {
      sets.delete(key);
      if (sets.size === 0) this.#byName.delete(record.name);
    } else if (sets !== undefined && recordKey(sets) === key) this.#byName.delete(record.name);
  }
}
