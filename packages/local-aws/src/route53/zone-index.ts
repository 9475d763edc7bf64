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

export class ZoneIndex implements RecordLookup {
  /** The zone's own `records` array, sorted; changed in place. */
  readonly #sorted: RecordSet[];
  /** Sort keys of the names, parallel to #sorted. */
  readonly #nameKeys: string[];
  readonly #byKey = new Map<string, RecordSet>();
  readonly #byName = new Map<string, Map<string, RecordSet>>();

  /** Indexes `zone.records`, sorting it in place once. */
  constructor(zone: HostedZone) {
    const keyed = zone.records.map((record) => ({ record, nameKey: sortKeyOfName(record.name) }));
    keyed.sort((a, b) => compareAscii(a.nameKey, b.nameKey) || compareAscii(a.record.type, b.record.type) || compareAscii(a.record.setIdentifier ?? '', b.record.setIdentifier ?? ''));
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
    return this.#byName.get(name) ?? EMPTY;
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
    const sets = this.#byName.get(record.name)!;
    sets.delete(key);
    if (sets.size === 0) this.#byName.delete(record.name);
    return true;
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
    let sets = this.#byName.get(record.name);
    if (sets === undefined) this.#byName.set(record.name, (sets = new Map()));
    sets.set(key, record);
  }
}
