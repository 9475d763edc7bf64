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

  /**
   * Indexes `zone.records`, sorting it in place once (a snapshot written from a sorted zone
   * is already in order: checked in one pass, not sorted again). No map by identity or by
   * name: a lookup is a binary search, so building costs one sort key per set and the sort
   * (maps of a million string keys took seconds to fill).
   */
  constructor(zone: HostedZone) {
    this.#sorted = zone.records;
    this.#nameKeys = zone.records.map((record) => sortKeyOfName(record.name));
    if (this.#inOrder()) return;
    const keyed: Keyed[] = this.#sorted.map((record, i) => ({ record, nameKey: this.#nameKeys[i]! }));
    keyed.sort(compareKeyed);
    for (let i = 0; i < keyed.length; i++) {
      this.#sorted[i] = keyed[i]!.record;
      this.#nameKeys[i] = keyed[i]!.nameKey;
    }
  }

  get size(): number {
    return this.#sorted.length;
  }

  get(key: string): RecordSet | undefined {
    const at = this.#find(key);
    return at === undefined ? undefined : this.#sorted[at];
  }

  named(name: string): ReadonlyMap<string, RecordSet> {
    const nameKey = sortKeyOfName(name);
    let at = this.lowerBound({ nameKey });
    if (this.#nameKeys[at] !== nameKey) return EMPTY;
    const sets = new Map<string, RecordSet>();
    for (; this.#nameKeys[at] === nameKey; at++) sets.set(recordKey(this.#sorted[at]!), this.#sorted[at]!);
    return sets;
  }

  /** Adds a set, or replaces the set with its identity. */
  put(record: RecordSet): void {
    const nameKey = sortKeyOfName(record.name);
    const at = this.lowerBound({ nameKey, type: record.type, identifier: record.setIdentifier ?? '' });
    if (this.#holds(at, nameKey, record)) this.#sorted[at] = record;
    else {
      this.#sorted.splice(at, 0, record);
      this.#nameKeys.splice(at, 0, nameKey);
    }
  }

  /** Removes the set with this identity; false when there is none. */
  delete(key: string): boolean {
    const at = this.#find(key);
    if (at === undefined) return false;
    this.#sorted.splice(at, 1);
    this.#nameKeys.splice(at, 1);
    return true;
  }

  /**
   * A change batch's effect: removes the identities in `deleted`, then writes `put`. A few
   * changes go one by one (a binary search and a move each); many go in one pass that
   * filters and merges (O(zone + batch log batch)), not one move of the zone per change.
   */
  apply(put: readonly RecordSet[], deleted: readonly string[]): void {
    const fresh = put.filter((record) => this.#find(recordKey(record)) === undefined);
    if (deleted.length + fresh.length <= BULK_THRESHOLD) {
      for (const key of deleted) this.delete(key);
      for (const record of put) this.put(record);
      return;
    }
    const gone = new Set(deleted.filter((key) => this.#find(key) !== undefined));
    const added = fresh.map((record) => ({ record, nameKey: sortKeyOfName(record.name) })).sort(compareKeyed);
    const freshSet = new Set(fresh);
    for (const record of put) if (!freshSet.has(record)) this.put(record);
    const last = this.#sorted.length - 1;
    if (gone.size === 0 && (last < 0 || compareKeyed({ record: this.#sorted[last]!, nameKey: this.#nameKeys[last]! }, added[0]!) < 0)) {
      // All after the last set (a zone filled in name order): appended, O(batch).
      for (const { record, nameKey } of added) {
        this.#sorted.push(record);
        this.#nameKeys.push(nameKey);
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

  /** True when the sets are in list order (each after the one before). */
  #inOrder(): boolean {
    for (let i = 1; i < this.#sorted.length; i++) {
      const byName = compareAscii(this.#nameKeys[i - 1]!, this.#nameKeys[i]!);
      if (byName > 0) return false;
      if (byName === 0 && compareKeyed({ record: this.#sorted[i - 1]!, nameKey: '' }, { record: this.#sorted[i]!, nameKey: '' }) > 0) return false;
    }
    return true;
  }

  /** True when the set at list index `at` has `record`'s identity. */
  #holds(at: number, nameKey: string, record: RecordSet): boolean {
    const there = this.#sorted[at];
    return there !== undefined && this.#nameKeys[at] === nameKey && there.type === record.type && (there.setIdentifier ?? '') === (record.setIdentifier ?? '');
  }

  /** List index of the set with this identity (`name|type|SetIdentifier`; a canonical name holds no `|`). */
  #find(key: string): number | undefined {
    const nameKey = sortKeyOfName(key.slice(0, key.indexOf('|')));
    for (let at = this.lowerBound({ nameKey }); this.#nameKeys[at] === nameKey; at++) if (recordKey(this.#sorted[at]!) === key) return at;
    return undefined;
  }
}
