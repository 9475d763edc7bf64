// The emulator's state on disk: a snapshot (the JSON file the state path names, version 1)
// and an append-only log of changes next to it (journal.ts). Every change is a list of
// operations, applied in memory and appended as one log line, so a write costs what the
// change costs and a change batch lands whole or not at all. A zone of more than
// INLINE_RECORDS sets keeps them out of the snapshot file, in chunk files of consecutive
// sets in list order (`<file>.records/`); the snapshot names each chunk with its count and
// first set. Start-up reads the snapshot file and replays the log with the same apply; a
// chunk is read when a request first needs it, so time to ready does not grow with the
// records held. A compaction writes only the chunks that changed since they were written.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InvalidInput } from '../errors.ts';
import { Journal, SnapshotParts } from '../journal.ts';
import { emptyState, type ChangeRecord, type HealthCheck, type HostedZone, type RecordSet, type Route53State } from './model.ts';
import { ZoneIndex, type ChunkRef } from './zone-index.ts';

/** How many changes GetChange remembers. */
export const MAX_CHANGES_KEPT = 5000;

/** A zone with at most this many sets keeps them in the snapshot file itself. */
export const INLINE_RECORDS = 100;

export type Route53Operation =
  | { op: 'zone'; zone: HostedZone }
  | { op: 'deleteZone'; zoneId: string }
  | { op: 'records'; zoneId: string; put: RecordSet[]; deleted: string[] }
  | { op: 'zoneReference'; reference: string }
  | { op: 'healthCheck'; check: HealthCheck }
  | { op: 'deleteHealthCheck'; id: string }
  | { op: 'lastHealthy'; id: string; healthy: boolean }
  | { op: 'tags'; key: string; tags: Record<string, string> | null }
  | { op: 'change'; change: ChangeRecord };

/** A zone in the snapshot file: its sets inline (`records`), or the chunk files that hold them (`chunks`). */
type StoredZone = Omit<HostedZone, 'records'> & { records?: RecordSet[]; chunks?: ChunkRef[] };

/** The snapshot file. */
type Route53Snapshot = Omit<Route53State, 'zones'> & { zones: StoredZone[] };

export interface Route53StoreOptions {
  compactAfterBytes?: number;
  /** Sets per chunk (default 2,048; tests make it small). */
  chunkSize?: number;
  /** A zone with at most this many sets keeps them in the snapshot file (default INLINE_RECORDS). */
  inlineRecords?: number;
}

/** The state in memory with each zone's sorted index. */
export class Route53Store {
  readonly state: Route53State;
  readonly #indexes = new Map<string, ZoneIndex>();
  readonly #journal: Journal<Route53Snapshot, Route53Operation[]> | undefined;
  /** The folder of the record chunks: `<state file>.records`. */
  readonly #chunkDir: string | undefined;
  readonly #chunkSize: number | undefined;
  readonly #inlineRecords: number;

  private constructor(journal: Journal<Route53Snapshot, Route53Operation[]> | undefined, options: Route53StoreOptions) {
    this.state = emptyState();
    this.#journal = journal;
    this.#chunkDir = journal === undefined ? undefined : `${journal.path}.records`;
    this.#chunkSize = options.chunkSize;
    this.#inlineRecords = options.inlineRecords ?? INLINE_RECORDS;
  }

  /** Opens the state at `path` (snapshot + log); memory only without one. Reads no record chunk. */
  static open(path: string | undefined, options: Route53StoreOptions = {}): Route53Store {
    if (path === undefined) return new Route53Store(undefined, options);
    const { journal, recovered } = Journal.open<Route53Snapshot, Route53Operation[]>(path, readSnapshot, {
      ...(options.compactAfterBytes === undefined ? {} : { compactAfterBytes: options.compactAfterBytes }),
      label: 'Route 53 state file',
    });
    const store = new Route53Store(journal, options);
    if (recovered.snapshot !== undefined) store.#load(recovered.snapshot);
    for (const operations of recovered.entries) store.#apply(operations);
    return store;
  }

  /** The sorted index of a zone of the state. */
  index(zoneId: string): ZoneIndex {
    const index = this.#indexes.get(zoneId);
    if (index === undefined) throw new Error(`no index for hosted zone ${zoneId}`);
    return index;
  }

  /** Applies the operations in memory, then resolves once they are on disk (one log line). */
  commit(operations: Route53Operation[]): Promise<void> {
    this.#apply(operations);
    return this.#journal?.append(operations, () => this.#snapshot()) ?? Promise.resolve();
  }

  flush(): Promise<void> {
    return this.#journal?.flush() ?? Promise.resolve();
  }

  /** Stops writing; the state is left as the snapshot file (and its chunks). */
  close(): Promise<void> {
    return this.#journal?.close(() => this.#snapshot()) ?? Promise.resolve();
  }

  /** Writes the state as the snapshot and empties the log. */
  compact(): Promise<void> {
    return this.#journal?.compact(() => this.#snapshot()) ?? Promise.resolve();
  }

  /** Takes the snapshot file's content now, with the chunks that changed as text, named anew. */
  #snapshot(): SnapshotParts<Route53Snapshot> {
    const dir = this.#chunkDir!;
    const token = randomBytes(4).toString('hex');
    const files: Array<{ path: string; text: string }> = [];
    const named = new Set<string>();
    const zones = this.state.zones.map((zone): StoredZone => {
      const index = this.index(zone.id);
      // The zone's `records` is the index's (not enumerable): the spread leaves it out and reads no chunk.
      const meta: Omit<HostedZone, 'records'> = { ...zone };
      if (index.size <= this.#inlineRecords) return { ...meta, records: index.inline() };
      let serial = 0;
      const stored = index.store(() => `${zone.id}-${token}-${serial++}.json`);
      for (const write of stored.writes) files.push({ path: join(dir, write.file), text: write.text });
      for (const chunk of stored.chunks) named.add(chunk.file);
      return { ...meta, chunks: stored.chunks };
    });
    return new SnapshotParts<Route53Snapshot>({ ...this.state, zones }, files, () => removeChunksExcept(dir, named));
  }

  /** The snapshot file's zones: indexes over inline sets, or over chunks read on demand. */
  #load(snapshot: Route53Snapshot): void {
    Object.assign(this.state, { ...snapshot, zones: [] });
    for (const stored of snapshot.zones) {
      const { records, chunks, ...meta } = stored;
      const zone = { ...meta, records: records ?? [] } as HostedZone;
      const index =
        chunks === undefined
          ? new ZoneIndex(zone, this.#indexOptions())
          : ZoneIndex.stored(zone, chunks, (file) => readChunk(join(this.#chunkDir!, basename(file))), this.#indexOptions());
      this.#indexes.set(zone.id, index);
      this.state.zones.push(zone);
    }
  }

  #indexOptions(): { chunkSize?: number } {
    return this.#chunkSize === undefined ? {} : { chunkSize: this.#chunkSize };
  }

  #apply(operations: readonly Route53Operation[]): void {
    const state = this.state;
    for (const operation of operations) {
      switch (operation.op) {
        case 'zone': {
          // A copy: the operation itself is what the log line holds.
          const zone = { ...operation.zone, records: [...operation.zone.records] };
          this.#indexes.set(zone.id, new ZoneIndex(zone, this.#indexOptions()));
          state.zones.push(zone);
          break;
        }
        case 'deleteZone':
          state.zones.splice(
            state.zones.findIndex((z) => z.id === operation.zoneId),
            1,
          );
          this.#indexes.delete(operation.zoneId);
          delete state.tags[`hostedzone/${operation.zoneId}`];
          break;
        case 'records': {
          this.index(operation.zoneId).apply(operation.put, operation.deleted);
          break;
        }
        case 'zoneReference':
          state.zoneCallerReferences.push(operation.reference);
          break;
        case 'healthCheck': {
          const at = state.healthChecks.findIndex((c) => c.id === operation.check.id);
          if (at < 0) state.healthChecks.push(operation.check);
          else state.healthChecks[at] = operation.check;
          break;
        }
        case 'deleteHealthCheck': {
          const at = state.healthChecks.findIndex((c) => c.id === operation.id);
          if (at < 0) break;
          state.deletedHealthCheckReferences.push(state.healthChecks[at]!.callerReference);
          state.healthChecks.splice(at, 1);
          delete state.tags[`healthcheck/${operation.id}`];
          break;
        }
        case 'lastHealthy': {
          const check = state.healthChecks.find((c) => c.id === operation.id);
          if (check !== undefined) check.lastHealthy = operation.healthy;
          break;
        }
        case 'tags':
          if (operation.tags === null) delete state.tags[operation.key];
          else state.tags[operation.key] = operation.tags;
          break;
        case 'change':
          state.changes.push(operation.change);
          if (state.changes.length > MAX_CHANGES_KEPT) state.changes.splice(0, state.changes.length - MAX_CHANGES_KEPT);
          break;
      }
    }
  }
}

function readSnapshot(parsed: unknown, path: string): Route53Snapshot {
  const state = parsed as Partial<Route53Snapshot>;
  if (typeof parsed !== 'object' || parsed === null || state.version !== 1 || !Array.isArray(state.zones) || !Array.isArray(state.healthChecks)) {
    throw new InvalidInput(`Route 53 state file ${path} is not a Switchyard Route 53 state (version 1)`, { path });
  }
  for (const zone of state.zones) {
    if (!Array.isArray(zone?.records) && !Array.isArray(zone?.chunks)) {
      throw new InvalidInput(`Route 53 state file ${path}: hosted zone ${String(zone?.id)} has neither records nor chunks`, { path });
    }
    for (const chunk of zone.chunks ?? []) {
      const whole =
        typeof chunk?.file === 'string' &&
        Number.isSafeInteger(chunk.count) &&
        chunk.count > 0 &&
        typeof chunk.first?.name === 'string' &&
        typeof chunk.first.type === 'string';
      if (!whole) throw new InvalidInput(`Route 53 state file ${path}: hosted zone ${zone.id} names a chunk without its file, count or first set`, { path });
    }
  }
  return { ...emptyState(), ...state } as Route53Snapshot;
}

/** A chunk file's sets; InvalidInput naming the file when it cannot be read or is not a list. */
function readChunk(path: string): RecordSet[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidInput(`Route 53 record chunk ${path} cannot be read: ${(error as Error).message}`, { path }, error);
  }
  if (!Array.isArray(parsed)) throw new InvalidInput(`Route 53 record chunk ${path} is not a list of record sets`, { path });
  return parsed as RecordSet[];
}

/** After a snapshot: removes the chunk files it does not name (replaced ones, and any a crash left). */
async function removeChunksExcept(dir: string, named: ReadonlySet<string>): Promise<void> {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return;
  }
  for (const file of files) if (file.endsWith('.json') && !named.has(file)) await rm(join(dir, file), { force: true });
}
