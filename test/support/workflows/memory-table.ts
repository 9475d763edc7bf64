// An in-memory StateTable with the DynamoDB adapter's semantics (compare-and-set of the
// fleet document and of app entries on their versions, conditional alarm and journal writes, copies in and
// out). Every call yields to the event loop first, so concurrent workflows interleave
// between a read and its conditional write as they would against DynamoDB. For the
// randomized concurrency test, where dynalite (~20 ms a call) would be too slow; the
// DynamoDB adapter itself is tested against dynalite.
import { randomUUID } from 'node:crypto';
import { InvalidInput, TransientAwsError } from '../../../src/core/errors.ts';
import { emptyFleetState, type FleetState } from '../../../src/core/fleet-document.ts';
import type { AlarmRecord, AppChange, AppEntry, JournalEntry, JournalQuery, StateTable } from '../../../src/core/ports.ts';
import { expectedCount, type ExpectedGroup, type ReadBackRef } from '../../../src/core/verify.ts';

export class MemoryStateTable implements StateTable {
  #fleet: FleetState = emptyFleetState();
  #apps = new Map<string, AppEntry>();
  #alarms = new Map<string, AlarmRecord>();
  #journal = new Map<string, JournalEntry>();
  #readBacks = new Map<string, { id: string; expected: ExpectedGroup[] }>();
  /** Fleet-document writes that lost a compare-and-set race. */
  conflicts = 0;
  readonly #yield: () => Promise<void>;

  constructor(yieldFn: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))) {
    this.#yield = yieldFn;
  }

  async readFleet(): Promise<FleetState> {
    await this.#yield();
    return structuredClone(this.#fleet);
  }

  async updateFleet<T>(change: (current: FleetState) => { next?: FleetState; result: T }): Promise<T> {
    for (let attempt = 1; attempt <= 200; attempt++) {
      const current = await this.readFleet();
      const { next, result } = change(current);
      if (next === undefined) return result;
      await this.#yield();
      if (this.#fleet.version !== current.version) {
        this.conflicts++;
        continue;
      }
      this.#fleet = structuredClone({ ...next, version: current.version + 1 });
      return result;
    }
    throw new TransientAwsError('memory table: too many conflicts');
  }

  async listApps(): Promise<AppEntry[]> {
    await this.#yield();
    return structuredClone([...this.#apps.values()].sort((a, b) => (a.hostname < b.hostname ? -1 : 1)));
  }

  async getApp(hostname: string): Promise<AppEntry | undefined> {
    await this.#yield();
    return structuredClone(this.#apps.get(hostname));
  }

  async updateApp<T>(hostname: string, change: (current: AppEntry | undefined) => AppChange<T>): Promise<T> {
    for (let attempt = 1; attempt <= 200; attempt++) {
      const current = await this.getApp(hostname);
      const { next, result } = change(current);
      if (next === undefined || (next === null && current === undefined)) return result;
      await this.#yield();
      if (this.#apps.get(hostname)?.version !== current?.version || this.#apps.has(hostname) !== (current !== undefined)) {
        this.conflicts++;
        continue;
      }
      if (next === null) this.#apps.delete(hostname);
      else this.#apps.set(hostname, structuredClone({ ...next, hostname, version: (current?.version ?? 0) + 1 }));
      return result;
    }
    throw new TransientAwsError('memory table: too many conflicts');
  }

  async putApp(entry: AppEntry): Promise<void> {
    await this.#yield();
    this.#apps.set(entry.hostname, structuredClone(entry));
  }

  async deleteApp(hostname: string): Promise<void> {
    await this.#yield();
    this.#apps.delete(hostname);
  }

  async recordAlarm(record: AlarmRecord): Promise<boolean> {
    await this.#yield();
    const existing = this.#alarms.get(record.alarmName);
    if (existing && existing.timestamp > record.timestamp) return false;
    this.#alarms.set(record.alarmName, structuredClone(record));
    return true;
  }

  async listAlarms(): Promise<AlarmRecord[]> {
    await this.#yield();
    return structuredClone([...this.#alarms.values()]);
  }

  async appendJournal(entry: JournalEntry): Promise<boolean> {
    await this.#yield();
    if (this.#journal.has(entry.id)) return false;
    this.#journal.set(entry.id, structuredClone(entry));
    return true;
  }

  async listJournal(query: JournalQuery = {}): Promise<JournalEntry[]> {
    await this.#yield();
    let entries = [...this.#journal.values()];
    if (query.cluster !== undefined) entries = entries.filter((e) => e.cluster === query.cluster);
    if (query.since !== undefined) entries = entries.filter((e) => e.at >= query.since!);
    entries.sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
    return structuredClone(query.limit === undefined ? entries : entries.slice(0, query.limit));
  }

  async putReadBack(key: string, expected: readonly ExpectedGroup[]): Promise<ReadBackRef> {
    await this.#yield();
    const id = randomUUID();
    this.#readBacks.set(key, { id, expected: structuredClone([...expected]) });
    return { key, id, parts: expected.length === 0 ? 0 : 1, sets: expectedCount(expected) };
  }

  async getReadBack(ref: ReadBackRef): Promise<ExpectedGroup[]> {
    await this.#yield();
    const stored = this.#readBacks.get(ref.key);
    if (ref.parts === 0) return [];
    if (stored?.id !== ref.id) throw new InvalidInput(`read-back ${ref.key} (write ${ref.id}): replaced or lost`, { ref });
    return structuredClone(stored.expected);
  }
}
