// Where the local Step Functions keeps its executions: a small summary of every execution
// in memory (what ListExecutions and the status view need), and each execution's body
// (input, output, history) on disk, read only when DescribeExecution or
// GetExecutionHistory asks for it. A restart reads the summaries' index and the bodies of
// the executions that were still RUNNING, never the closed ones.
//
// On disk (under `<stateDir>/stepfunctions/`):
//   execution-index.json            every execution's summary (written shortly after a change)
//   execution-bodies/<sha256>.json  one execution; the file name is the SHA-256 of its ARN
// A name or ARN a client sends therefore never chooses a path: `..`, `.` or
// `state-machines` are hashed like any other name. The bodies are the truth: an index
// that lags behind them (a crash before it was written) is repaired from them at the next
// start. A later store can replace this one behind the same interface.
import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
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
  /** Records the execution's current state (coalesced: the latest state is what lands). */
  save(record: ExecutionRecord): void;
  /** The execution's full record, or undefined when it is not stored. */
  read(executionArn: string): Promise<ExecutionRecord | undefined>;
  remove(executionArns: readonly string[]): Promise<void>;
  /** Resolves when everything saved so far is on disk. */
  flush(): Promise<void>;
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

  save(record: ExecutionRecord): void {
    this.#records.set(record.executionArn, record);
  }

  async read(executionArn: string): Promise<ExecutionRecord | undefined> {
    return this.#records.get(executionArn);
  }

  async remove(executionArns: readonly string[]): Promise<void> {
    for (const arn of executionArns) this.#records.delete(arn);
  }

  async flush(): Promise<void> {}
}

const INDEX_FILE = 'execution-index.json';
const BODIES_FOLDER = 'execution-bodies';
/** The layout before bodies were keyed by hash: executions/<machine name>/<execution name>.json. */
const LEGACY_FOLDER = 'executions';
const INDEX_DELAY_MS = 200;

/** The body file's name for an execution ARN: 64 hex digits, whatever the ARN holds. */
export function executionFileKey(executionArn: string): string {
  return createHash('sha256').update(executionArn, 'utf8').digest('hex');
}

interface StoredIndex {
  version: 1;
  executions: ExecutionSummary[];
}

export class FileExecutionStore implements ExecutionStore {
  readonly #folder: string;
  // A Map state or a burst of starts saves hundreds of bodies at once: a few files at a
  // time keeps memory flat (each write holds its record's JSON text while it lasts).
  readonly #writer = new JsonFileWriter({ maxConcurrentWrites: 8 });
  readonly #index = new Map<string, ExecutionSummary>();
  /** Records whose latest state may not be on disk yet: reads are served from here. */
  readonly #unwritten = new Map<string, ExecutionRecord>();
  #indexTimer: NodeJS.Timeout | undefined;

  /** `folder` is the service's own folder (`<stateDir>/stepfunctions`). */
  constructor(folder: string) {
    this.#folder = folder;
  }

  async load(): Promise<StoredExecutions> {
    const stored = await readJsonFile<StoredIndex>(this.#indexPath).catch(() => undefined);
    const indexed = stored !== undefined && stored.version === 1 && Array.isArray(stored.executions) ? stored.executions : [];
    const files = new Set(await this.#bodyKeys());
    const open: ExecutionRecord[] = [];
    const seen = new Set<string>();
    const keep = (summary: ExecutionSummary) => {
      this.#index.set(summary.executionArn, summary);
      seen.add(executionFileKey(summary.executionArn));
    };
    for (const summary of indexed) {
      if (!isSummary(summary)) continue;
      const key = executionFileKey(summary.executionArn);
      if (!files.has(key) || seen.has(key)) continue; // its body is gone: nothing to describe
      if (summary.status !== 'RUNNING') {
        keep(summary);
        continue;
      }
      // The index may lag behind the body (written later): the body says how it ended.
      const record = await this.#readBody(key, summary.executionArn);
      if (record === undefined) continue;
      keep(summaryOf(record));
      if (record.status === 'RUNNING') open.push(record);
    }
    // Bodies the index does not know yet (the process died before it was written).
    for (const key of files) {
      if (seen.has(key)) continue;
      const record = await this.#readBody(key);
      if (record === undefined) continue;
      keep(summaryOf(record));
      if (record.status === 'RUNNING') open.push(record);
    }
    open.push(...(await this.#migrateLegacy(seen)));
    this.#scheduleIndex();
    return { summaries: [...this.#index.values()], open };
  }

  save(record: ExecutionRecord): void {
    const arn = record.executionArn;
    this.#unwritten.set(arn, record);
    void this.#writer
      .schedule(this.#bodyPath(arn), () => record)
      .then((failure) => {
        // Served from memory until the write that carries its latest state has landed.
        if (failure === undefined && this.#unwritten.get(arn) === record) this.#unwritten.delete(arn);
      });
    const summary = summaryOf(record);
    const known = this.#index.get(arn);
    if (known === undefined || known.status !== summary.status || known.stopDate !== summary.stopDate || known.error !== summary.error) {
      this.#index.set(arn, summary);
      this.#scheduleIndex();
    }
  }

  async read(executionArn: string): Promise<ExecutionRecord | undefined> {
    const unwritten = this.#unwritten.get(executionArn);
    if (unwritten !== undefined) return unwritten;
    if (!this.#index.has(executionArn)) return undefined;
    return this.#readBody(executionFileKey(executionArn), executionArn);
  }

  async remove(executionArns: readonly string[]): Promise<void> {
    for (const arn of executionArns) {
      this.#index.delete(arn);
      this.#unwritten.delete(arn);
    }
    for (const arn of executionArns) {
      // A pending write of a removed body would bring it back: let it land first.
      await this.#writer.settled(this.#bodyPath(arn));
      await rm(this.#bodyPath(arn), { force: true });
    }
    this.#scheduleIndex();
  }

  async flush(): Promise<void> {
    if (this.#indexTimer !== undefined) {
      clearTimeout(this.#indexTimer);
      this.#indexTimer = undefined;
      this.#writeIndex();
    }
    await this.#writer.flush();
  }

  get #indexPath(): string {
    return join(this.#folder, INDEX_FILE);
  }

  #bodyPath(executionArn: string): string {
    return join(this.#folder, BODIES_FOLDER, `${executionFileKey(executionArn)}.json`);
  }

  #scheduleIndex(): void {
    if (this.#indexTimer !== undefined) return;
    // Summaries change in bursts (a Map starts many executions): one write per burst.
    this.#indexTimer = setTimeout(() => {
      this.#indexTimer = undefined;
      this.#writeIndex();
    }, INDEX_DELAY_MS);
    this.#indexTimer.unref();
  }

  #writeIndex(): void {
    void this.#writer.schedule(this.#indexPath, (): StoredIndex => ({ version: 1, executions: [...this.#index.values()] }));
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

  /** A body file's record, only when it is an execution whose ARN hashes to this file. */
  async #readBody(key: string, expectedArn?: string): Promise<ExecutionRecord | undefined> {
    const record = await readJsonFile<unknown>(join(this.#folder, BODIES_FOLDER, `${key}.json`)).catch(() => undefined);
    if (!isRecord(record) || executionFileKey(record.executionArn) !== key) return undefined;
    if (expectedArn !== undefined && record.executionArn !== expectedArn) return undefined;
    return record;
  }

  /**
   * Moves executions of the old layout (one folder per state machine, one file per
   * execution name) into this one, then deletes the old folder. Only execution records
   * are taken; anything else there is left out.
   */
  async #migrateLegacy(seen: Set<string>): Promise<ExecutionRecord[]> {
    const legacy = join(this.#folder, LEGACY_FOLDER);
    let machineFolders: string[];
    try {
      machineFolders = await readdir(legacy);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const open: ExecutionRecord[] = [];
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
        if (!isRecord(record)) continue;
        const key = executionFileKey(record.executionArn);
        if (seen.has(key)) continue;
        seen.add(key);
        this.save(record);
        if (record.status === 'RUNNING') open.push(record);
      }
    }
    await this.flush();
    await rm(legacy, { recursive: true, force: true });
    return open;
  }
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
