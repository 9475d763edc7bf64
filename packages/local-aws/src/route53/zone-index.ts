// A hosted zone's record sets, kept in Route 53's list order as they change (by name with
// its labels reversed, then type, then SetIdentifier), cut into chunks of about
// `chunkSize` consecutive sets. Each chunk knows its first set and its count, so
// ListResourceRecordSets finds any start name by binary search over the chunks, then within
// one, and reads one page (O(chunks + log n + page)); a change batch looks only at the
// names it touches. A chunk stored on disk is read when a lookup first needs it (`read`,
// given by the store), so a zone of a million sets answers its first page after a restart
// by reading one chunk, not the zone. Pure apart from that callback.
import { InvalidInput } from '../errors.ts';
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

/** A chunk as the snapshot names it: its file, how many sets it holds and the first one's identity. */
export interface ChunkRef {
  file: string;
  count: number;
  first: { name: string; type: string; setIdentifier?: string };
}

/** Reads a chunk's sets from its file (the store's I/O); throws InvalidInput naming the file. */
export type ChunkReader = (file: string) => RecordSet[];

export interface ZoneIndexOptions {
  /** Sets per chunk: a chunk is cut in two above twice this (default 2,048). */
  chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 2048;
const EMPTY: ReadonlyMap<string, RecordSet> = new Map();

interface Chunk {
  /** The sets in list order; undefined until read from `file`. */
  records: RecordSet[] | undefined;
  /** Sort keys of the names, parallel to `records`. */
  nameKeys: string[] | undefined;
  count: number;
  /** The first set's position. */
  first: Required<ListPosition>;
  /** The file holding exactly these sets; undefined once they changed (the next snapshot writes them). */
  file: string | undefined;
  /** For a chunk not read yet: its first set's identity as the snapshot named it. */
  ref?: ChunkRef['first'];
}

interface Cursor {
  chunk: number;
  at: number;
}

function positionOf(record: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>, nameKey = sortKeyOfName(record.name)): Required<ListPosition> {
  return { nameKey, type: record.type, identifier: record.setIdentifier ?? '' };
}

/** The position of a set's identity (`name|type|SetIdentifier`; a canonical name and a type hold no `|`). */
function positionOfKey(key: string): Required<ListPosition> {
  const bar = key.indexOf('|');
  const second = key.indexOf('|', bar + 1);
  return { nameKey: sortKeyOfName(key.slice(0, bar)), type: key.slice(bar + 1, second), identifier: key.slice(second + 1) };
}

/** True when `a` comes before `position` in list order (a position without type or identifier compares only what it has). */
function before(a: Required<ListPosition>, position: ListPosition): boolean {
  const byName = compareAscii(a.nameKey, position.nameKey);
  if (byName !== 0 || position.type === undefined) return byName < 0;
  const byType = compareAscii(a.type, position.type);
  if (byType !== 0 || position.identifier === undefined) return byType < 0;
  return compareAscii(a.identifier, position.identifier) < 0;
}

export class ZoneIndex implements RecordLookup {
  readonly #chunks: Chunk[] = [];
  readonly #chunkSize: number;
  readonly #read: ChunkReader | undefined;
  #size = 0;
  /** Changes with every put or delete: the flat list below is rebuilt after one. */
  #version = 0;
  #flat: { version: number; records: RecordSet[] } | undefined;

  /**
   * Indexes `zone.records` (sorted once unless in order already, checked in one pass), and
   * from then on `zone.records` reads the sorted sets from the index (a new array after each
   * change). No map by identity or by name: a lookup is a binary search, so building costs
   * one sort key per set and the sort (maps of a million string keys took seconds to fill).
   */
  constructor(zone: HostedZone, options: ZoneIndexOptions = {}, stored?: { chunks: readonly ChunkRef[]; read: ChunkReader }) {
    this.#chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.#read = stored?.read;
    if (stored === undefined) this.#cut(ZoneIndex.#sorted(zone.records ?? []));
    else {
      for (const ref of stored.chunks) {
        this.#chunks.push({
          records: undefined,
          nameKeys: undefined,
          count: ref.count,
          first: positionOf(ref.first as RecordSet),
          file: ref.file,
          ref: ref.first,
        });
        this.#size += ref.count;
      }
    }
    Object.defineProperty(zone, 'records', { get: () => this.records(), enumerable: false, configurable: true });
  }

  /** A zone whose chunks are on disk, each read when a lookup first needs it. */
  static stored(zone: HostedZone, chunks: readonly ChunkRef[], read: ChunkReader, options: ZoneIndexOptions = {}): ZoneIndex {
    return new ZoneIndex(zone, options, { chunks, read });
  }

  get size(): number {
    return this.#size;
  }

  /** Every set in list order (reads every chunk): the same array until the next change. */
  records(): RecordSet[] {
    if (this.#flat?.version !== this.#version) {
      const records: RecordSet[] = [];
      for (const chunk of this.#chunks) for (const record of this.#load(chunk).records) records.push(record);
      this.#flat = { version: this.#version, records };
    }
    return this.#flat.records;
  }

  get(key: string): RecordSet | undefined {
    const position = positionOfKey(key);
    const cursor = this.#lowerCursor(position);
    return this.#holds(cursor, position) ? this.#chunks[cursor.chunk]!.records![cursor.at] : undefined;
  }

  named(name: string): ReadonlyMap<string, RecordSet> {
    const nameKey = sortKeyOfName(name);
    let sets: Map<string, RecordSet> | undefined;
    for (let cursor = this.#lowerCursor({ nameKey }); cursor.chunk < this.#chunks.length; cursor = { chunk: cursor.chunk + 1, at: 0 }) {
      const { records, nameKeys } = this.#load(this.#chunks[cursor.chunk]!);
      for (; cursor.at < records.length; cursor.at++) {
        if (nameKeys[cursor.at] !== nameKey) return sets ?? EMPTY;
        (sets ??= new Map()).set(recordKey(records[cursor.at]!), records[cursor.at]!);
      }
    }
    return sets ?? EMPTY;
  }

  /** Adds a set, or replaces the set with its identity. */
  put(record: RecordSet): void {
    const nameKey = sortKeyOfName(record.name);
    const position = positionOf(record, nameKey);
    if (this.#chunks.length === 0) {
      this.#chunks.push({ records: [], nameKeys: [], count: 0, first: position, file: undefined });
    }
    const cursor = this.#lowerCursor(position);
    const chunk = this.#chunks[cursor.chunk]!;
    const { records, nameKeys } = this.#load(chunk);
    if (this.#holds(cursor, position)) records[cursor.at] = record;
    else {
      records.splice(cursor.at, 0, record);
      nameKeys.splice(cursor.at, 0, nameKey);
      chunk.count += 1;
      this.#size += 1;
    }
    this.#changed(cursor.chunk);
  }

  /** Removes the set with this identity; false when there is none. */
  delete(key: string): boolean {
    const position = positionOfKey(key);
    const cursor = this.#lowerCursor(position);
    if (!this.#holds(cursor, position)) return false;
    const chunk = this.#chunks[cursor.chunk]!;
    chunk.records!.splice(cursor.at, 1);
    chunk.nameKeys!.splice(cursor.at, 1);
    chunk.count -= 1;
    this.#size -= 1;
    this.#changed(cursor.chunk);
    return true;
  }

  /**
   * A change batch's effect: removes the identities in `deleted`, then writes `put`, one by
   * one: a binary search and a move within one chunk each (O(batch × (log n + chunk))).
   */
  apply(put: readonly RecordSet[], deleted: readonly string[]): void {
    for (const key of deleted) this.delete(key);
    for (const record of put) this.put(record);
  }

  /** Index of the first set at or after `position` in list order. */
  lowerBound(position: ListPosition): number {
    const cursor = this.#lowerCursor(position);
    let index = cursor.at;
    for (let i = 0; i < cursor.chunk; i++) index += this.#chunks[i]!.count;
    return index;
  }

  /** `count` sets from list index `from` (reads only the chunks they are in). */
  slice(from: number, count: number): RecordSet[] {
    const out: RecordSet[] = [];
    let skip = Math.max(0, from);
    for (const chunk of this.#chunks) {
      if (out.length >= count) break;
      if (skip >= chunk.count) {
        skip -= chunk.count;
        continue;
      }
      const { records } = this.#load(chunk);
      const end = Math.min(records.length, skip + count - out.length);
      for (let i = skip; i < end; i++) out.push(records[i]!);
      skip = 0;
    }
    return out;
  }

  at(index: number): RecordSet | undefined {
    return index < 0 ? undefined : this.slice(index, 1)[0];
  }

  /**
   * How the snapshot stores the zone: every chunk with its file. A chunk that changed since
   * its file was written gets the name `fileFor()` gives and is returned with its sets as
   * text (taken now, so later changes do not reach it); from then on that file holds it.
   */
  store(fileFor: () => string): { chunks: ChunkRef[]; writes: Array<{ file: string; text: string }> } {
    const chunks: ChunkRef[] = [];
    const writes: Array<{ file: string; text: string }> = [];
    for (const chunk of this.#chunks) {
      if (chunk.file === undefined) {
        chunk.file = fileFor();
        writes.push({ file: chunk.file, text: JSON.stringify(chunk.records) });
      }
      const first = chunk.records?.[0];
      const identity =
        first === undefined
          ? chunk.ref!
          : { name: first.name, type: first.type, ...(first.setIdentifier === undefined ? {} : { setIdentifier: first.setIdentifier }) };
      chunks.push({ file: chunk.file, count: chunk.count, first: identity });
    }
    return { chunks, writes };
  }

  /** Every set, for a snapshot that holds them itself: no chunk file is named from then on. */
  inline(): RecordSet[] {
    const records = [...this.records()];
    for (const chunk of this.#chunks) chunk.file = undefined;
    return records;
  }

  /** How many chunks are read (for tests and figures). */
  get chunksRead(): number {
    return this.#chunks.filter((chunk) => chunk.records !== undefined).length;
  }

  /** Sorts sets into list order (a no-op check in one pass when they are in order already). */
  static #sorted(records: RecordSet[]): Keyed[] {
    const keyed = records.map((record) => ({ record, nameKey: sortKeyOfName(record.name) }));
    for (let i = 1; i < keyed.length; i++) {
      if (compareKeyed(keyed[i - 1]!, keyed[i]!) > 0) return keyed.sort(compareKeyed);
    }
    return keyed;
  }

  /** Cuts sorted sets into chunks of `chunkSize` (none written yet). */
  #cut(keyed: readonly Keyed[]): void {
    for (let from = 0; from < keyed.length; from += this.#chunkSize) {
      const part = keyed.slice(from, from + this.#chunkSize);
      this.#chunks.push({
        records: part.map((k) => k.record),
        nameKeys: part.map((k) => k.nameKey),
        count: part.length,
        first: positionOf(part[0]!.record, part[0]!.nameKey),
        file: undefined,
      });
    }
    this.#size = keyed.length;
  }

  /** After a put or delete in chunk `at`: first set, empty chunk, a chunk cut in two. */
  #changed(at: number): void {
    this.#version += 1;
    const chunk = this.#chunks[at]!;
    chunk.file = undefined;
    if (chunk.count === 0) {
      this.#chunks.splice(at, 1);
      return;
    }
    chunk.first = positionOf(chunk.records![0]!, chunk.nameKeys![0]!);
    if (chunk.count <= 2 * this.#chunkSize) return;
    const half = chunk.count >> 1;
    const records = chunk.records!.splice(half);
    const nameKeys = chunk.nameKeys!.splice(half);
    chunk.count = half;
    this.#chunks.splice(at + 1, 0, { records, nameKeys, count: records.length, first: positionOf(records[0]!, nameKeys[0]!), file: undefined });
  }

  /** Reads a chunk's sets from its file the first time they are needed. */
  #load(chunk: Chunk): { records: RecordSet[]; nameKeys: string[] } {
    if (chunk.records === undefined || chunk.nameKeys === undefined) {
      const file = chunk.file!;
      const records = this.#read!(file);
      const nameKeys = records.map((record) => sortKeyOfName(record.name));
      if (records.length !== chunk.count) {
        throw new InvalidInput(`Route 53 record chunk ${file} is damaged: it holds ${records.length} sets, the snapshot names ${chunk.count}`, { file });
      }
      for (let i = 0; i < records.length; i++) {
        const position = positionOf(records[i]!, nameKeys[i]);
        const previous = i === 0 ? chunk.first : positionOf(records[i - 1]!, nameKeys[i - 1]);
        // The first set is the one the snapshot names; each next one comes after the one before.
        const inOrder = i === 0 ? !before(position, previous) && !before(previous, position) : before(previous, position);
        if (!inOrder) throw new InvalidInput(`Route 53 record chunk ${file} is damaged: its sets are not the ones the snapshot names, in list order`, { file });
      }
      chunk.records = records;
      chunk.nameKeys = nameKeys;
    }
    return { records: chunk.records, nameKeys: chunk.nameKeys };
  }

  /** Where `position` is, or would go: the first set at or after it (chunk, index within it). */
  #lowerCursor(position: ListPosition): Cursor {
    // Chunks whose first set comes before the position: the answer is in the last of them.
    let low = 0;
    let high = this.#chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(this.#chunks[middle]!.first, position)) low = middle + 1;
      else high = middle;
    }
    if (low === 0) return { chunk: 0, at: 0 };
    const chunkAt = low - 1;
    const { records, nameKeys } = this.#load(this.#chunks[chunkAt]!);
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const middle = (lo + hi) >>> 1;
      if (before(positionOf(records[middle]!, nameKeys[middle]), position)) lo = middle + 1;
      else hi = middle;
    }
    // At the end of a chunk: the next chunk's first set (a set is never found past the last chunk).
    if (lo === records.length && chunkAt + 1 < this.#chunks.length) return { chunk: chunkAt + 1, at: 0 };
    return { chunk: chunkAt, at: lo };
  }

  /** True when the set at `cursor` is at exactly this (full) position. */
  #holds(cursor: Cursor, position: Required<ListPosition>): boolean {
    const chunk = this.#chunks[cursor.chunk];
    if (chunk === undefined || cursor.at >= chunk.count) return false;
    const { records, nameKeys } = this.#load(chunk);
    const there = records[cursor.at]!;
    return nameKeys[cursor.at] === position.nameKey && there.type === position.type && (there.setIdentifier ?? '') === position.identifier;
  }
}
