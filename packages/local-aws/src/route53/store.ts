// The emulator's state on disk: a snapshot (the JSON file the state path names, version 1)
// and an append-only log of changes next to it (journal.ts). Every change is a list of
// operations, applied in memory and appended as one log line, so a write costs what the
// change costs and a change batch lands whole or not at all. Start-up reads the snapshot
// and replays the log with the same applyOperations.
import { InvalidInput } from '../errors.ts';
import { Journal } from '../journal.ts';
import { emptyState, type ChangeRecord, type HealthCheck, type HostedZone, type RecordSet, type Route53State } from './model.ts';
import { ZoneIndex } from './zone-index.ts';

/** How many changes GetChange remembers. */
export const MAX_CHANGES_KEPT = 5000;

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

/** The state in memory with each zone's sorted index. */
export class Route53Store {
  readonly state: Route53State;
  readonly #indexes = new Map<string, ZoneIndex>();
  readonly #journal: Journal<Route53State, Route53Operation[]> | undefined;

  private constructor(state: Route53State, journal: Journal<Route53State, Route53Operation[]> | undefined) {
    this.state = state;
    this.#journal = journal;
  }

  /** Opens the state at `path` (snapshot + log); memory only without one. */
  static open(path: string | undefined, options: { compactAfterBytes?: number } = {}): Route53Store {
    if (path === undefined) return new Route53Store(emptyState(), undefined);
    const { journal, recovered } = Journal.open<Route53State, Route53Operation[]>(path, readSnapshot, { ...options, label: 'Route 53 state file' });
    const store = new Route53Store(recovered.snapshot ?? emptyState(), journal);
    for (const operations of recovered.entries) store.#apply(operations);
    return store;
  }

  /** The sorted index of a zone of the state, built when the zone is first used (not at start). */
  index(zoneId: string): ZoneIndex {
    let index = this.#indexes.get(zoneId);
    if (index === undefined) {
      const zone = this.state.zones.find((z) => z.id === zoneId);
      if (zone === undefined) throw new Error(`no index for hosted zone ${zoneId}`);
      this.#indexes.set(zoneId, (index = new ZoneIndex(zone)));
    }
    return index;
  }

  /** Applies the operations in memory, then resolves once they are on disk (one log line). */
  commit(operations: Route53Operation[]): Promise<void> {
    this.#apply(operations);
    return this.#journal?.append(operations, () => this.state) ?? Promise.resolve();
  }

  flush(): Promise<void> {
    return this.#journal?.flush() ?? Promise.resolve();
  }

  /** Stops writing; the state is left as one snapshot file. */
  close(): Promise<void> {
    return this.#journal?.close(this.state) ?? Promise.resolve();
  }

  /** Writes the state as the snapshot and empties the log. */
  compact(): Promise<void> {
    return this.#journal?.compact(this.state) ?? Promise.resolve();
  }

  #apply(operations: readonly Route53Operation[]): void {
    const state = this.state;
    for (const operation of operations) {
      switch (operation.op) {
        case 'zone':
          state.zones.push(operation.zone);
          break;
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

function readSnapshot(parsed: unknown, path: string): Route53State {
  const state = parsed as Partial<Route53State>;
  if (typeof parsed !== 'object' || parsed === null || state.version !== 1 || !Array.isArray(state.zones) || !Array.isArray(state.healthChecks)) {
    throw new InvalidInput(`Route 53 state file ${path} is not a Switchyard Route 53 state (version 1)`, { path });
  }
  return { ...emptyState(), ...state } as Route53State;
}
