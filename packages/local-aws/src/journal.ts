// Durable state whose write cost follows the change: a snapshot file plus an append-only
// log next to it (`<file>.log`). Each commit is one log line, `<sequence> <crc32> <json>`,
// written whole before the commit resolves: a batch is one line, so a crash (kill -9 at
// any moment) leaves either all of it or, at worst, a torn last line that fails its
// checksum and is cut off at the next start, never acknowledged. Commits made while a
// write is under way go out together in the next write (group commit). When the log outgrows
// the snapshot, the state is written as a new snapshot (temporary file + rename, carrying
// the last sequence it holds) and the log starts again; a crash between the two only
// leaves log lines the snapshot already holds, which the next start skips. Writes reach
// the operating system before a commit resolves (safe against a killed process); they are
// not fsynced (a power cut may lose the last ones). A snapshot may come in parts
// (SnapshotParts: Route 53's record chunks): the parts are written first under new names,
// then the snapshot file that names them, so the rename still switches from one whole state
// to the next. Route 53, Step Functions, EventBridge and the CloudWatch alarms keep their
// state this way; see docs/local-runtime.md.
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { InvalidInput } from './errors.ts';

export interface Recovered<Snapshot, Entry> {
  /** The snapshot file's content, without its `journalSequence`; undefined when there is none. */
  snapshot: Snapshot | undefined;
  /** Log entries after the snapshot, in order. */
  entries: Entry[];
  /** Bytes of a torn last line that were cut off (0 normally). */
  tornBytes: number;
}

export interface JournalOptions {
  /** Compact once the log holds this many bytes and more than the last compaction wrote (the snapshot; default 4 MiB). */
  compactAfterBytes?: number;
  /** What the file is, for messages (default "state file"). */
  label?: string;
}

/**
 * A snapshot written as several files: `files` first (new names, never one the current
 * snapshot names), then the snapshot file naming them, then `written()` (which may remove
 * files no snapshot names any more). A crash before the snapshot file's rename leaves the
 * previous snapshot whole, with its own files.
 */
export class SnapshotParts<Snapshot> {
  readonly snapshot: Snapshot;
  readonly files: ReadonlyArray<{ path: string; text: string }>;
  readonly written: () => Promise<void>;

  constructor(snapshot: Snapshot, files: ReadonlyArray<{ path: string; text: string }>, written: () => Promise<void>) {
    this.snapshot = snapshot;
    this.files = files;
    this.written = written;
  }
}

/** What a compaction writes, taken when it runs (a function) or given as is. */
export type SnapshotSource<Snapshot> = Snapshot | SnapshotParts<Snapshot> | (() => Snapshot | SnapshotParts<Snapshot>);

const NEWLINE = 0x0a;

function lineOf(sequence: number, entry: unknown): Buffer {
  const json = JSON.stringify(entry);
  return Buffer.from(`${sequence} ${crc32(json).toString(16)} ${json}\n`, 'utf8');
}

/** Parses one log line; undefined when it is not whole (bad checksum or JSON). */
function parseLine(text: string): { sequence: number; entry: unknown } | undefined {
  const first = text.indexOf(' ');
  const second = text.indexOf(' ', first + 1);
  if (first < 1 || second < 0) return undefined;
  const sequence = Number(text.slice(0, first));
  const json = text.slice(second + 1);
  if (!Number.isSafeInteger(sequence) || crc32(json).toString(16) !== text.slice(first + 1, second)) return undefined;
  try {
    return { sequence, entry: JSON.parse(json) };
  } catch {
    return undefined;
  }
}

function readBytes(path: string, label: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InvalidInput(`${label} ${path} cannot be read: ${(error as Error).message}`, { path }, error);
  }
}

export class Journal<Snapshot extends object, Entry> {
  readonly path: string;
  readonly logPath: string;
  readonly #compactAfter: number;
  #sequence: number;
  #logBytes: number;
  #snapshotBytes: number;
  #handle: Promise<FileHandle> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #group: { lines: Buffer[]; written: Promise<void> } | undefined;
  #snapshot: (() => Snapshot | SnapshotParts<Snapshot>) | undefined;
  #failure: unknown;

  private constructor(path: string, sequence: number, logBytes: number, snapshotBytes: number, options: JournalOptions) {
    this.path = path;
    this.logPath = `${path}.log`;
    this.#sequence = sequence;
    this.#logBytes = logBytes;
    this.#snapshotBytes = snapshotBytes;
    this.#compactAfter = options.compactAfterBytes ?? 4 * 1024 * 1024;
  }

  /**
   * Reads the snapshot and the log (synchronously), cuts off a torn last line, and returns
   * the journal to append to with what it recovered. `readSnapshot` checks the snapshot's
   * shape (throwing InvalidInput naming the file).
   */
  static open<Snapshot extends object, Entry>(
    path: string,
    readSnapshot: (value: unknown, path: string) => Snapshot,
    options: JournalOptions = {},
  ): { journal: Journal<Snapshot, Entry>; recovered: Recovered<Snapshot, Entry> } {
    mkdirSync(dirname(path), { recursive: true });
    const label = options.label ?? 'state file';
    const snapshotBytes = readBytes(path, label);
    let snapshot: Snapshot | undefined;
    let after = 0;
    if (snapshotBytes !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(snapshotBytes.toString('utf8'));
      } catch (error) {
        throw new InvalidInput(`${label} ${path} is not valid JSON: ${(error as Error).message}`, { path }, error);
      }
      const sequence = (parsed as { journalSequence?: unknown } | null)?.journalSequence;
      if (typeof sequence === 'number' && Number.isSafeInteger(sequence)) after = sequence;
      if (typeof parsed === 'object' && parsed !== null) delete (parsed as { journalSequence?: unknown }).journalSequence;
      snapshot = readSnapshot(parsed, path);
    }
    const logPath = `${path}.log`;
    const log = readBytes(logPath, `${label} log`) ?? Buffer.alloc(0);
    const entries: Entry[] = [];
    let sequence = after;
    let offset = 0;
    let tornBytes = 0;
    while (offset < log.length) {
      const end = log.indexOf(NEWLINE, offset);
      const line = end < 0 ? undefined : parseLine(log.toString('utf8', offset, end));
      if (line === undefined) {
        // Only the last line can be torn (a crash mid-append); anything else is damage.
        if (end >= 0 && end + 1 < log.length) {
          throw new InvalidInput(`state log ${logPath} is damaged at byte ${offset} (a line before the last fails its checksum)`, { path: logPath, offset });
        }
        tornBytes = log.length - offset;
        const fd = openSync(logPath, 'r+');
        try {
          ftruncateSync(fd, offset);
        } finally {
          closeSync(fd);
        }
        break;
      }
      if (line.sequence > after) {
        if (line.sequence !== sequence + 1)
          throw new InvalidInput(`state log ${logPath}: entry ${line.sequence} follows ${sequence}`, { path: logPath, offset });
        entries.push(line.entry as Entry);
        sequence = line.sequence;
      }
      offset = end + 1;
    }
    const journal = new Journal<Snapshot, Entry>(path, sequence, log.length - tornBytes, snapshotBytes?.length ?? 0, options);
    return { journal, recovered: { snapshot, entries, tornBytes } };
  }

  /**
   * Appends one entry (one line, all or nothing); resolves once it is written. `snapshot`
   * gives the whole state for a compaction when the log has grown past the snapshot.
   * Entries appended while a write is under way are written together by the next one
   * (one system call for the group), in the order they were appended.
   */
  append(entry: Entry, snapshot: () => Snapshot | SnapshotParts<Snapshot>): Promise<void> {
    const line = lineOf(++this.#sequence, entry);
    this.#snapshot = snapshot;
    if (this.#group === undefined) {
      const group: { lines: Buffer[]; written: Promise<void> } = { lines: [], written: Promise.resolve() };
      group.written = this.#queue.then(() => {
        // From here on, new entries form the next group.
        if (this.#group === group) this.#group = undefined;
        return this.#write(group.lines.length === 1 ? group.lines[0]! : Buffer.concat(group.lines));
      });
      this.#group = group;
      this.#queue = group.written.catch(() => undefined);
    }
    this.#group.lines.push(line);
    return this.#group.written;
  }

  async #write(lines: Buffer): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      const handle = await this.#openLog();
      await handle.appendFile(lines);
      this.#logBytes += lines.length;
      if (this.#logBytes >= this.#compactAfter && this.#logBytes > this.#snapshotBytes && this.#snapshot !== undefined) await this.#compact(this.#snapshot());
    } catch (error) {
      // Later entries must not land after a gap: the journal stops taking writes.
      this.#failure = error;
      throw error;
    }
  }

  /** Writes the whole state as the snapshot and empties the log. */
  compact(snapshot: SnapshotSource<Snapshot>): Promise<void> {
    const run = this.#queue.then(() => this.#compact(snapshot));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every write so far has landed; rejects when the journal stopped on a failed write. */
  async flush(): Promise<void> {
    await this.#queue;
    if (this.#failure !== undefined) throw this.#failure;
  }

  /**
   * Waits for the writes so far; with `snapshot`, writes it and removes the log, so a clean
   * stop leaves the state in one file.
   */
  async close(snapshot?: SnapshotSource<Snapshot>): Promise<void> {
    await this.#queue;
    if (snapshot !== undefined && this.#failure === undefined && (this.#logBytes > 0 || this.#handle !== undefined)) {
      await this.#compact(snapshot);
      this.#logBytes = 0;
    }
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await (await handle).close();
    if (snapshot !== undefined && this.#failure === undefined) await rm(this.logPath, { force: true });
  }

  /** Bytes in the log now (for tests and figures). */
  get logBytes(): number {
    return this.#logBytes;
  }

  #openLog(): Promise<FileHandle> {
    this.#handle ??= open(this.logPath, 'a');
    return this.#handle;
  }

  async #compact(source: SnapshotSource<Snapshot>): Promise<void> {
    // Taken at once, with the sequence it holds: changes made while the files are written go to the log.
    const taken = typeof source === 'function' ? source() : source;
    const parts = taken instanceof SnapshotParts ? taken : undefined;
    const text = JSON.stringify({ ...(parts === undefined ? taken : parts.snapshot), journalSequence: this.#sequence });
    let bytes = Buffer.byteLength(text);
    const folders = new Set<string>();
    for (const file of parts?.files ?? []) {
      if (!folders.has(dirname(file.path))) await mkdir(dirname(file.path), { recursive: true });
      folders.add(dirname(file.path));
      await writeFile(file.path, file.text, 'utf8');
      bytes += Buffer.byteLength(file.text);
    }
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, this.path);
    const handle = await this.#openLog();
    await handle.truncate(0);
    this.#logBytes = 0;
    // What this compaction wrote: the log may grow as large before the next one (whole snapshots: the snapshot's size).
    this.#snapshotBytes = bytes;
    await parts?.written();
  }
}
