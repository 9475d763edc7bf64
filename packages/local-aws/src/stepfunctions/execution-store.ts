// Where the local Step Functions keeps its executions: a small summary of every execution
// in memory (what ListExecutions and the status view need), and each closed execution's
// body (input, output, history) on disk, read only when DescribeExecution or
// GetExecutionHistory asks for it. A restart reads the summaries and the executions that
// were still RUNNING, never the closed ones' histories.
//
// On disk (under `<stateDir>/stepfunctions/`):
//   executions.json, executions.json.log  a snapshot and its change log (../journal.ts):
//       every summary, the full record of every RUNNING execution (and of closed ones whose
//       body file is not written yet); each change appends what changed: a new execution,
//       the history events since the last entry and the fields that changed, or removals
//   execution-bodies/<sha256>.json        a closed execution; the file name is the SHA-256
//       of its ARN, written once it closed (from the log, so a crash before it is written
//       only means it is written again at the next start)
// A name or ARN a client sends therefore never chooses a path: `..`, `.` or
// `state-machines` are hashed like any other name. Earlier layouts (execution-index.json,
// and before that executions/<machine>/<name>.json) are moved into this one at start.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInput } from '../errors.ts';
import { Journal } from '../journal.ts';
import { JsonFileWriter, readJsonFile } from '../json-file.ts';
import type { HistoryEvent } from './history.ts';
import type { ExecutionStatus } from './runner.ts';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Times the runtime restarted it after the process died mid-run. */
  resumeCount?: number;
}

/** What is kept in memory for every execution. */
export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  error?: string;
}

export interface StoredExecutions {
  summaries: ExecutionSummary[];
  /** Full records of the executions that were RUNNING (a dead process left them so). */
  open: ExecutionRecord[];
}

export interface ExecutionStore {
  load(): Promise<StoredExecutions>;
  /** Records the execution's current state; resolves once it is on disk. */
  save(record: ExecutionRecord): Promise<void>;
  /** The execution's full record, or undefined when it is not stored. */
  read(executionArn: string): Promise<ExecutionRecord | undefined>;
  remove(executionArns: readonly string[]): Promise<void>;
  /** Resolves when everything saved so far is on disk; rejects when a write failed. */
  flush(): Promise<void>;
  /** Waits for the writes; what is kept is left in as few files as it can be. */
  close(): Promise<void>;
}

export function summaryOf(record: ExecutionRecord): ExecutionSummary {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    ...(record.stopDate === undefined ? {} : { stopDate: record.stopDate }),
    ...(record.error === undefined ? {} : { error: record.error }),
  };
}

/** Keeps every body in memory: the service without a state folder. */
export class MemoryExecutionStore implements ExecutionStore {
  readonly #records = new Map<string, ExecutionRecord>();

  async load(): Promise<StoredExecutions> {
    return { summaries: [], open: [] };
  }

  async save(record: ExecutionRecord): Promise<void> {
    this.#records.set(record.executionArn, record);
  }

  async read(executionArn: string): Promise<ExecutionRecord | undefined> {
    return this.#records.get(executionArn);
  }

  async remove(executionArns: readonly string[]): Promise<void> {
    for (const arn of executionArns) this.#records.delete(arn);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

const JOURNAL_FILE = 'executions.json';
/** The layout before the change log: every summary in one file, rewritten after changes. */
const INDEX_FILE = 'execution-index.json';
const BODIES_FOLDER = 'execution-bodies';
/** The layout before bodies were keyed by hash: executions/<machine name>/<execution name>.json. */
const LEGACY_FOLDER = 'executions';

/** The body file's name for an execution ARN: 64 hex digits, whatever the ARN holds. */
export function executionFileKey(executionArn: string): string {
  return createHash('sha256').update(executionArn, 'utf8').digest('hex');
}

interface StoredIndex {
  version: 1;
  executions: ExecutionSummary[];
}

interface ExecutionsSnapshot {
  version: 1;
  /** Every execution kept. */
  summaries: ExecutionSummary[];
  /** Full records: the RUNNING executions, and closed ones whose body file is not written yet. */
  records: ExecutionRecord[];
}

/** The fields of a record that change after it starts (history aside). */
type ExecutionFields = Pick<ExecutionRecord, 'status' | 'stopDate' | 'output' | 'error' | 'cause' | 'resumeCount'>;

type ExecutionEntry =
  | { op: 'put'; record: ExecutionRecord }
  /** History events from index `from` on (replaying one twice changes nothing), and the fields as they are now. */
  | { op: 'update'; arn: string; from: number; events: HistoryEvent[]; fields: ExecutionFields }
  | { op: 'remove'; arns: string[] };

function fieldsOf(record: ExecutionRecord): ExecutionFields {
  const fields: ExecutionFields = { status: record.status };
  for (const key of ['stopDate', 'output', 'error', 'cause', 'resumeCount'] as const) {
    if (record[key] !== undefined) (fields as Record<string, unknown>)[key] = record[key];
  }
  return fields;
}

function applyEntry(entry: ExecutionEntry, summaries: Map<string, ExecutionSummary>, records: Map<string, ExecutionRecord>): void {
  if (entry.op === 'put') {
    records.set(entry.record.executionArn, entry.record);
    summaries.set(entry.record.executionArn, summaryOf(entry.record));
  } else if (entry.op === 'update') {
    const record = records.get(entry.arn);
    if (record === undefined) return;
    record.history.length = Math.min(record.history.length, entry.from);
    record.history.push(...entry.events);
    for (const key of ['stopDate', 'output', 'error', 'cause', 'resumeCount'] as const) delete record[key];
    Object.assign(record, entry.fields);
    summaries.set(entry.arn, summaryOf(record));
  } else {
    for (const arn of entry.arns) {
      summaries.delete(arn);
      records.delete(arn);
    }
  }
}

export class FileExecutionStore implements ExecutionStore {
  readonly #folder: string;
  readonly #compactAfterBytes: number | undefined;
  // A burst of ends writes hundreds of bodies at once: a few files at a time keeps memory
  // flat (each write holds its record's JSON text while it lasts).
  readonly #writer = new JsonFileWriter({ maxConcurrentWrites: 8 });
  #journal: Journal<ExecutionsSnapshot, ExecutionEntry> | undefined;
  readonly #summaries = new Map<string, ExecutionSummary>();
  /** Records held in full: RUNNING, or closed with the body file not written yet. */
  readonly #records = new Map<string, ExecutionRecord>();
  /** What the log holds of each record in #records: its history length and fields. */
  readonly #logged = new Map<string, { events: number; fields: string }>();

  /** `folder` is the service's own folder (`<stateDir>/stepfunctions`). */
  constructor(folder: string, options: { compactAfterBytes?: number } = {}) {
    this.#folder = folder;
    this.#compactAfterBytes = options.compactAfterBytes;
  }

  async load(): Promise<StoredExecutions> {
    const path = join(this.#folder, JOURNAL_FILE);
    const earlier = !existsSync(path) && !existsSync(`${path}.log`) ? await this.#readEarlierLayouts() : undefined;
    const { journal, recovered } = Journal.open<ExecutionsSnapshot, ExecutionEntry>(path, readExecutionsSnapshot, {
      label: 'Step Functions executions file',
      ...(this.#compactAfterBytes === undefined ? {} : { compactAfterBytes: this.#compactAfterBytes }),
    });
    this.#journal = journal;
    for (const summary of recovered.snapshot?.summaries ?? earlier?.summaries ?? []) this.#summaries.set(summary.executionArn, summary);
    for (const record of recovered.snapshot?.records ?? earlier?.records ?? []) {
      this.#records.set(record.executionArn, record);
      this.#summaries.set(record.executionArn, summaryOf(record));
    }
    for (const entry of recovered.entries) applyEntry(entry, this.#summaries, this.#records);
    const open: ExecutionRecord[] = [];
    for (const record of this.#records.values()) {
      this.#logged.set(record.executionArn, { events: record.history.length, fields: JSON.stringify(fieldsOf(record)) });
      if (record.status === 'RUNNING') open.push(record);
      // Closed since the last snapshot: its body file may not have been written.
      else this.#writeBody(record);
    }
    if (earlier !== undefined) {
      await journal.compact(this.#snapshot());
      await rm(join(this.#folder, INDEX_FILE), { force: true });
      await rm(join(this.#folder, LEGACY_FOLDER), { recursive: true, force: true });
    }
    await this.#writer.flush();
    return { summaries: [...this.#summaries.values()], open };
  }

  save(record: ExecutionRecord): Promise<void> {
    const journal = this.#journal;
    if (journal === undefined) return Promise.reject(new Error('the execution store is not loaded'));
    const arn = record.executionArn;
    const logged = this.#logged.get(arn);
    const fields = JSON.stringify(fieldsOf(record));
    let entry: ExecutionEntry;
    if (logged === undefined || this.#records.get(arn) !== record) entry = { op: 'put', record };
    else if (logged.events === record.history.length && logged.fields === fields) return journal.flush();
    else entry = { op: 'update', arn, from: logged.events, events: record.history.slice(logged.events), fields: fieldsOf(record) };
    this.#records.set(arn, record);
    this.#summaries.set(arn, summaryOf(record));
    this.#logged.set(arn, { events: record.history.length, fields });
    const written = journal.append(entry, () => this.#snapshot());
    if (record.status !== 'RUNNING')
      void written.then(
        () => this.#writeBody(record),
        () => undefined,
      );
    return written;
  }

  async read(executionArn: string): Promise<ExecutionRecord | undefined> {
    const held = this.#records.get(executionArn);
    if (held !== undefined) return held;
    if (!this.#summaries.has(executionArn)) return undefined;
    return this.#readBody(executionFileKey(executionArn), executionArn);
  }

  async remove(executionArns: readonly string[]): Promise<void> {
    const arns = executionArns.filter((arn) => this.#summaries.has(arn));
    if (arns.length === 0 || this.#journal === undefined) return;
    for (const arn of arns) {
      this.#summaries.delete(arn);
      this.#records.delete(arn);
      this.#logged.delete(arn);
    }
    await this.#journal.append({ op: 'remove', arns }, () => this.#snapshot());
    for (const arn of arns) {
      // A pending write of a removed body would bring it back: let it land first.
      await this.#writer.settled(this.#bodyPath(arn));
      await rm(this.#bodyPath(arn), { force: true });
    }
  }

  async flush(): Promise<void> {
    await this.#journal?.flush();
    await this.#writer.flush();
  }

  /** Waits for the writes and leaves the executions as one snapshot (plus the body files). */
  async close(): Promise<void> {
    // The log first: a closed execution's body is written once its end is in the log.
    await this.#journal?.flush();
    await this.#writer.flush();
    await this.#journal?.close(this.#snapshot());
  }

  /** Exactly what the log holds: a record's events past the last entry are left to the next one. */
  #snapshot(): ExecutionsSnapshot {
    const records = [...this.#records.values()].map((record) => {
      const events = this.#logged.get(record.executionArn)?.events ?? record.history.length;
      return events === record.history.length ? record : { ...record, history: record.history.slice(0, events) };
    });
    return { version: 1, summaries: [...this.#summaries.values()], records };
  }

  #bodyPath(executionArn: string): string {
    return join(this.#folder, BODIES_FOLDER, `${executionFileKey(executionArn)}.json`);
  }

  /** Writes a closed execution's body file; from then on it is read from there. */
  #writeBody(record: ExecutionRecord): void {
    const arn = record.executionArn;
    void this.#writer
      .schedule(this.#bodyPath(arn), () => record)
      .then((failure) => {
        // Held in full until the write that carries its latest state has landed.
        if (failure === undefined && this.#records.get(arn) === record && record.status !== 'RUNNING') {
          this.#records.delete(arn);
          this.#logged.delete(arn);
        }
      });
  }

  /** A body file's record, only when it is an execution whose ARN hashes to this file. */
  async #readBody(key: string, expectedArn?: string): Promise<ExecutionRecord | undefined> {
    const record = await readJsonFile<unknown>(join(this.#folder, BODIES_FOLDER, `${key}.json`)).catch(() => undefined);
    if (!isRecord(record) || executionFileKey(record.executionArn) !== key) return undefined;
    if (expectedArn !== undefined && record.executionArn !== expectedArn) return undefined;
    return record;
  }

  /**
   * The executions an earlier version left: execution-index.json with every body in
   * execution-bodies/ (the bodies are the truth: an index that lags behind them is
   * repaired from them), and before that executions/<machine>/<name>.json. Closed
   * bodies stay where they are; the rest becomes the first snapshot.
   */
  async #readEarlierLayouts(): Promise<{ summaries: ExecutionSummary[]; records: ExecutionRecord[] } | undefined> {
    const stored = await readJsonFile<StoredIndex>(join(this.#folder, INDEX_FILE)).catch(() => undefined);
    const indexed = stored !== undefined && stored.version === 1 && Array.isArray(stored.executions) ? stored.executions : [];
    const files = new Set(await this.#bodyKeys());
    const summaries = new Map<string, ExecutionSummary>();
    const records = new Map<string, ExecutionRecord>();
    const keep = (record: ExecutionRecord) => {
      summaries.set(record.executionArn, summaryOf(record));
      // Closed bodies written by the oldest layout are not in execution-bodies/ yet.
      if (record.status === 'RUNNING' || !files.has(executionFileKey(record.executionArn))) records.set(record.executionArn, record);
    };
    for (const summary of indexed) {
      if (!isSummary(summary)) continue;
      const key = executionFileKey(summary.executionArn);
      if (!files.has(key) || summaries.has(summary.executionArn)) continue; // its body is gone: nothing to describe
      if (summary.status !== 'RUNNING') {
        summaries.set(summary.executionArn, summary);
        continue;
      }
      // The index may lag behind the body (written later): the body says how it ended.
      const record = await this.#readBody(key, summary.executionArn);
      if (record !== undefined) keep(record);
    }
    const seen = new Set([...summaries.keys()].map(executionFileKey));
    // Bodies the index does not know (the process died before it was written).
    for (const key of files) {
      if (seen.has(key)) continue;
      const record = await this.#readBody(key);
      if (record !== undefined) keep(record);
      seen.add(key);
    }
    for (const record of await this.#readLegacy()) {
      if (seen.has(executionFileKey(record.executionArn))) continue;
      seen.add(executionFileKey(record.executionArn));
      keep(record);
    }
    return summaries.size === 0 ? undefined : { summaries: [...summaries.values()], records: [...records.values()] };
  }

  async #bodyKeys(): Promise<string[]> {
    try {
      const names = await readdir(join(this.#folder, BODIES_FOLDER));
      return names.filter((name) => /^[0-9a-f]{64}\.json$/.test(name)).map((name) => name.slice(0, -'.json'.length));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Executions of the oldest layout (one folder per state machine, one file per execution name); only execution records are taken. */
  async #readLegacy(): Promise<ExecutionRecord[]> {
    const legacy = join(this.#folder, LEGACY_FOLDER);
    let machineFolders: string[];
    try {
      machineFolders = await readdir(legacy);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: ExecutionRecord[] = [];
    for (const machineFolder of machineFolders) {
      let files: string[];
      try {
        files = await readdir(join(legacy, machineFolder));
      } catch {
        continue;
      }
      for (const file of files) {
        if (!file.endsWith('.json')) continue;
        const record = await readJsonFile<unknown>(join(legacy, machineFolder, file)).catch(() => undefined);
        if (isRecord(record)) records.push(record);
      }
    }
    return records;
  }
}

function readExecutionsSnapshot(value: unknown, path: string): ExecutionsSnapshot {
  const stored = value as Partial<ExecutionsSnapshot> | null;
  if (stored === null || typeof stored !== 'object' || stored.version !== 1 || !Array.isArray(stored.summaries) || !Array.isArray(stored.records)) {
    throw new InvalidInput(
      `Step Functions executions file ${path} is not a list of executions (version 1); restore it from a backup or start again with --reset`,
      {
        path,
      },
    );
  }
  return { version: 1, summaries: stored.summaries.filter(isSummary), records: stored.records.filter(isRecord) };
}

function isSummary(value: unknown): value is ExecutionSummary {
  if (value === null || typeof value !== 'object') return false;
  const summary = value as Partial<ExecutionSummary>;
  return (
    typeof summary.executionArn === 'string' &&
    typeof summary.stateMachineArn === 'string' &&
    typeof summary.name === 'string' &&
    typeof summary.status === 'string' &&
    typeof summary.startDate === 'number'
  );
}

function isRecord(value: unknown): value is ExecutionRecord {
  return isSummary(value) && typeof (value as Partial<ExecutionRecord>).input === 'string' && Array.isArray((value as Partial<ExecutionRecord>).history);
}
