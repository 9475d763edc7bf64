// `switchyard sync` as an operation like the others: it takes the fleet lock Reconcile
// takes (one conditional write, whose result is also where the intents and failover marks
// are read from), syncs Route 53 to them, re-syncs while a drain or failover moved an
// intent under it, journals the changes, emits `Records Changed` and releases the lock.
// The lease is renewed while it runs; a sync that lost it says so and fails. Pure I/O
// orchestration over syncDns (src/app/dns/sync.ts), which makes the Route 53 changes.
import { randomUUID } from 'node:crypto';
import { syncDns, type DnsInput, type DnsPorts, type DnsSyncReport, type SyncOptions } from '../../app/dns/sync.ts';
import type { StateTable } from '../../core/ports.ts';
import { LockHeld } from '../../core/errors.ts';
import { outEvent, type EventToPut, type RecordChangeSummary } from '../../core/events.ts';
import {
  acquireFleetLock,
  appsTakenOut,
  effectiveIntents,
  releaseFleetLock,
  renewFleetLock,
  type FleetLock,
  type FleetState,
} from '../../core/fleet-document.ts';

/** Events and journal entries carry at most this many record changes, as Reconcile's do. */
const MAX_CHANGES_IN_EVENT = 100;

/** Syncs again while intents moved under it, at most this many times in all. */
export const MAX_SYNC_PASSES = 3;

export interface SyncOperationPorts extends Omit<DnsPorts, 'intents' | 'appIntents'> {
  table: StateTable;
  /** Puts one event on the app's bus; throws when it cannot. */
  putEvent: (event: EventToPut) => Promise<void>;
  now: () => Date;
  /** Starts a repeating timer (lease renewal); returns its stop. */
  every: (ms: number, tick: () => void) => () => void;
}

export interface SyncOperationResult {
  report: DnsSyncReport;
  /** Passes of syncDns (more than one when a drain or failover moved an intent meanwhile). */
  passes: number;
  holder: string;
  changes: RecordChangeSummary[];
  journalId?: string;
  /** Records Changed emitted; or why not (no change, dry run, or the bus refused). */
  event: { emitted: boolean; reason?: string };
  /** Set when the lease was lost while Route 53 was being written: the sync fails. */
  lockLost?: string;
}

function intentKey(state: FleetState, clusters: readonly string[]): string {
  return JSON.stringify([effectiveIntents(state, clusters), appsTakenOut(state)]);
}

function changesOf(report: DnsSyncReport): RecordChangeSummary[] {
  return report.groups
    .filter((g) => g.status === 'applied')
    .flatMap((g) =>
      g.group.changes.map((c) => ({
        action: c.action,
        name: c.recordSet.name,
        type: c.recordSet.type,
        ...(c.recordSet.setIdentifier === undefined ? {} : { setIdentifier: c.recordSet.setIdentifier }),
        ...(c.recordSet.weight === undefined ? {} : { weight: c.recordSet.weight }),
      })),
    );
}

/**
 * Runs sync under the fleet lock. A dry run reads the intents and changes nothing: no lock,
 * no journal, no event. LockHeld (a Reconcile or another sync holds the lock) is thrown
 * before anything is written.
 */
export async function syncOperation(
  input: DnsInput,
  ports: SyncOperationPorts,
  options: SyncOptions & { by: string; dryRun: boolean; lockTtlSeconds: number },
): Promise<SyncOperationResult> {
  const clusters = input.fleet.clusters.map((c) => c.name);
  const holder = `sync-${randomUUID()}`;
  const started = ports.now();
  const say = ports.onProgress ?? (() => {});
  const portsFor = (state: FleetState): DnsPorts => ({
    ...ports,
    intents: async () => effectiveIntents(state, clusters),
    appIntents: async () => appsTakenOut(state).map((app) => ({ ...app, weightPercent: 0 })),
  });

  if (options.dryRun) {
    const report = await syncDns(input, portsFor(await ports.table.readFleet()), options);
    return { report, passes: 1, holder, changes: [], event: { emitted: false, reason: 'dry run' } };
  }

  const taken = await ports.table.updateFleet((state) => {
    const acquired = acquireFleetLock(state, { holder, operation: 'sync', now: ports.now(), ttlSeconds: options.lockTtlSeconds });
    return { next: acquired.state, result: { lock: acquired.lock, state: acquired.state } };
  });
  const lock: FleetLock = taken.lock;
  say(`fleet lock taken (token ${lock.token}, lease ${options.lockTtlSeconds} s)`);
  let lockLost: string | undefined;
  const renew = async () => {
    try {
      await ports.table.updateFleet((state) => ({ next: renewFleetLock(state, lock.token, ports.now(), options.lockTtlSeconds), result: null }));
    } catch (error) {
      if (error instanceof LockHeld) lockLost ??= error.message;
    }
  };
  const stop = ports.every((options.lockTtlSeconds * 1000) / 3, () => void renew());
  const changes: RecordChangeSummary[] = [];
  let report: DnsSyncReport | undefined;
  let passes = 0;
  let journalId: string | undefined;
  let event: SyncOperationResult['event'] = { emitted: false, reason: 'no record changed' };
  try {
    let state = taken.state;
    for (;;) {
      passes++;
      report = await syncDns(input, portsFor(state), options);
      changes.push(...changesOf(report));
      const after = await ports.table.readFleet();
      if (intentKey(after, clusters) === intentKey(state, clusters)) break;
      if (passes >= MAX_SYNC_PASSES) {
        say(`intents kept changing during ${passes} passes; the next Reconcile converges the rest`);
        break;
      }
      say('an intent or failover mark changed during the sync: syncing again from the table as it is now');
      state = after;
    }
    await renew();
    // Fenced: a holder that lost its lease journals and announces nothing (the output shows what it wrote).
    if (lockLost) return { report, passes, holder, changes, event: { emitted: false, reason: 'the fleet lock was lost' }, lockLost };
    const hostnames = [...new Set(changes.map((c) => c.name.replace(/^_switchyard\./, '').replace(/\.$/, '')))].sort();
    const changeIds = [...new Set(report.groups.flatMap((g) => (g.changeId === undefined ? [] : [g.changeId])))];
    if (changes.length > 0) {
      journalId = `${started.toISOString()}#${holder}#10-sync`;
      await ports.table.appendJournal({
        id: journalId,
        at: ports.now().toISOString(),
        by: options.by,
        what: `sync: ${changes.length} record change(s)${report.failed ? ' (some failed)' : ''}`,
        why: 'switchyard sync',
        operation: 'sync',
        executionArn: holder,
        after: { changes: changes.slice(0, MAX_CHANGES_IN_EVENT), hostnames, failed: report.failed },
      });
      try {
        await ports.putEvent(outEvent('Records Changed', { trigger: 'sync', hostnames, changes, changeIds, executionArn: holder }));
        event = { emitted: true };
      } catch (error) {
        event = { emitted: false, reason: `the bus refused it: ${(error as Error).message}` };
      }
    }
  } finally {
    stop();
    await ports.table.updateFleet((state) => {
      const released = releaseFleetLock(state, lock.token);
      return released.released ? { next: released.state, result: null } : { result: null };
    });
  }
  return { report: report!, passes, holder, changes, ...(journalId ? { journalId } : {}), event, ...(lockLost ? { lockLost } : {}) };
}
