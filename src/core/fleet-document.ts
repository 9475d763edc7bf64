// The fleet's operational state as one document: cluster intents, per-cluster lease
// locks with fencing tokens, and failover marks. It is stored as a single DynamoDB
// item written with a version check, so a lock, the fleet-wide drain count and the
// intent it guards always change together (DynamoDB Local/dynalite has no
// transactions, and one item makes the invariant obvious). Pure: no I/O, time passed in.
import { LockHeld } from './errors.ts';
import type { ClusterIntent, ClusterIntentState } from './model.ts';

export const LOCK_OPERATIONS = ['drain', 'restore', 'upgrade', 'failover', 'failback'] as const;
export type LockOperation = (typeof LOCK_OPERATIONS)[number];

/** Operations that take a cluster out and so count against maxConcurrentDrains. */
export const DRAINING_OPERATIONS: readonly LockOperation[] = ['drain', 'upgrade'];

export interface Lock {
  cluster: string;
  /** Who holds it: an execution name (unique per workflow run). */
  holder: string;
  operation: LockOperation;
  /** Fencing token: grows with every acquisition fleet-wide; writes must present it. */
  token: number;
  acquiredAt: string;
  /** ISO 8601. A lease not renewed by then is free for the next taker. */
  expiresAt: string;
}

/** What the operation found before it changed anything; rollback returns to it. */
export interface SavedIntent {
  state: ClusterIntentState;
  weightPercent: number;
}

export interface IntentRecord extends ClusterIntent {
  /** The intent before the running (or last) operation, for rollback. */
  saved?: SavedIntent;
  operation?: LockOperation;
  executionArn?: string;
}

/** A cluster (or one app on it) taken out by alarm-driven failover. */
export interface FailoverMark {
  cluster: string;
  hostname?: string;
  alarmName: string;
  at: string;
}

/** Operations that converge the whole fleet's records; one at a time (the fleet lock). */
export const FLEET_LOCK_OPERATIONS = ['reconcile', 'sync'] as const;
export type FleetLockOperation = (typeof FLEET_LOCK_OPERATIONS)[number];

/**
 * The fleet-wide lease Reconcile and `switchyard sync` take (not the clusters' locks:
 * drains and failovers run alongside, and both re-apply when an intent moved under them).
 * Its token comes from the same counter as the clusters' fencing tokens.
 */
export interface FleetLock {
  holder: string;
  operation: FleetLockOperation;
  token: number;
  acquiredAt: string;
  expiresAt: string;
}

export interface FleetState {
  /** Bumped on every write; writes are conditional on the version they read. */
  version: number;
  /** Last fencing token handed out. */
  lastToken: number;
  locks: Record<string, Lock>;
  /** Held while Reconcile or sync converges every record (absent: free). */
  fleetLock?: FleetLock;
  intents: Record<string, IntentRecord>;
  /** Keyed by failoverKey(cluster, hostname). */
  failovers: Record<string, FailoverMark>;
}

export function emptyFleetState(): FleetState {
  return { version: 0, lastToken: 0, locks: {}, intents: {}, failovers: {} };
}

/** A cluster nobody has touched is ACTIVE at 100 %. */
export function intentOf(state: FleetState, cluster: string): IntentRecord {
  return state.intents[cluster] ?? { cluster, state: 'ACTIVE', weightPercent: 100 };
}

export function failoverKey(cluster: string, hostname?: string): string {
  return hostname === undefined ? cluster : `${cluster}|${hostname}`;
}

function isLive(lock: Lock, now: Date): boolean {
  return Date.parse(lock.expiresAt) > now.getTime();
}

/** Locks whose lease has not run out. */
export function liveLocks(state: FleetState, now: Date): Lock[] {
  return Object.values(state.locks).filter((lock) => isLive(lock, now));
}

export interface AcquireRequest {
  cluster: string;
  holder: string;
  operation: LockOperation;
  now: Date;
  ttlSeconds: number;
  maxConcurrentDrains: number;
}

export interface Acquired {
  state: FleetState;
  lock: Lock;
  /** True when the holder already had it (a retried task): nothing new was taken. */
  reentered: boolean;
}

/**
 * Takes the cluster's lock (and, for draining operations, one of the fleet's
 * drain slots). Expired leases are dropped. Re-entrant for the same holder, so a
 * retried task gets its own lock back instead of LockHeld.
 */
export function acquireLock(state: FleetState, request: AcquireRequest): Acquired {
  const { cluster, holder, operation, now } = request;
  // Other clusters' expired leases stay recorded (Reconcile recovers them: their holder may
  // have died part-way); they count for nothing here. This cluster's expired lease is taken over.
  const locks = Object.fromEntries(Object.entries(state.locks).filter(([name, lock]) => name !== cluster || isLive(lock, now)));
  const expiresAt = new Date(now.getTime() + request.ttlSeconds * 1000).toISOString();
  const held = locks[cluster];
  if (held && held.holder === holder) {
    const lock = { ...held, expiresAt };
    return { state: { ...state, locks: { ...locks, [cluster]: lock } }, lock, reentered: true };
  }
  if (held) {
    throw new LockHeld(`cluster "${cluster}" is locked by ${held.operation} ${held.holder} until ${held.expiresAt}`, {
      cluster,
      heldBy: held.holder,
      operation: held.operation,
      expiresAt: held.expiresAt,
    });
  }
  if (DRAINING_OPERATIONS.includes(operation)) {
    const draining = Object.values(locks).filter((lock) => isLive(lock, now) && DRAINING_OPERATIONS.includes(lock.operation));
    if (draining.length >= request.maxConcurrentDrains) {
      const names = draining.map((lock) => lock.cluster).sort();
      throw new LockHeld(`maxConcurrentDrains (${request.maxConcurrentDrains}) reached: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} draining`, {
        cluster,
        draining: names,
        maxConcurrentDrains: request.maxConcurrentDrains,
      });
    }
  }
  const token = state.lastToken + 1;
  const lock: Lock = { cluster, holder, operation, token, acquiredAt: now.toISOString(), expiresAt };
  return { state: { ...state, lastToken: token, locks: { ...locks, [cluster]: lock } }, lock, reentered: false };
}

/** Throws LockHeld unless `token` still holds the cluster's live lease (the fence). */
export function assertLockHeld(state: FleetState, cluster: string, token: number, now: Date): Lock {
  const lock = state.locks[cluster];
  if (!lock || lock.token !== token) {
    throw new LockHeld(`lock on "${cluster}" with token ${token} is no longer held${lock ? ` (now held by ${lock.holder}, token ${lock.token})` : ''}`, {
      cluster,
      token,
    });
  }
  if (!isLive(lock, now)) {
    throw new LockHeld(`lease on "${cluster}" (token ${token}) expired at ${lock.expiresAt}`, { cluster, token, expiresAt: lock.expiresAt });
  }
  return lock;
}

/** Extends a held lease; the fence is checked first. */
export function renewLock(state: FleetState, cluster: string, token: number, now: Date, ttlSeconds: number): FleetState {
  const lock = assertLockHeld(state, cluster, token, now);
  const renewed = { ...lock, expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString() };
  return { ...state, locks: { ...state.locks, [cluster]: renewed } };
}

/**
 * Takes a lease back for recovery, live or expired, when `token` still holds it (nobody
 * acquired the cluster since): the lease is renewed so the rollback that follows can
 * write. LockHeld when another holder took the cluster (fencing: never touch a newer run's lock).
 */
export function reclaimLock(state: FleetState, cluster: string, token: number, now: Date, ttlSeconds: number): FleetState {
  const lock = state.locks[cluster];
  if (!lock || lock.token !== token) {
    throw new LockHeld(`lock on "${cluster}" with token ${token} is no longer held${lock ? ` (now held by ${lock.holder}, token ${lock.token})` : ''}`, {
      cluster,
      token,
    });
  }
  const renewed = { ...lock, expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString() };
  return { ...state, locks: { ...state.locks, [cluster]: renewed } };
}

/** Operations whose lock marks a half-done weight change: a holder that ended without releasing it is rolled back. */
export const RECOVERABLE_OPERATIONS: readonly LockOperation[] = ['drain', 'restore', 'upgrade'];

/**
 * The lock an execution still holds on a cluster it was draining, restoring or upgrading:
 * held under its name, and the cluster's intent names the same execution (names are only
 * unique per state machine). Undefined when it holds none (its own Catch released it, it
 * never took one, or a newer operation took the cluster over).
 */
export function heldLockOf(state: FleetState, execution: { executionArn: string; name: string }): Lock | undefined {
  return Object.values(state.locks).find(
    (lock) =>
      lock.holder === execution.name &&
      RECOVERABLE_OPERATIONS.includes(lock.operation) &&
      intentOf(state, lock.cluster).executionArn === execution.executionArn,
  );
}

/** Locks whose lease ran out without being released: their holder stalled or died. */
export function expiredLocks(state: FleetState, now: Date): Lock[] {
  return Object.values(state.locks).filter((lock) => !isLive(lock, now));
}

/** A lock no running operation will release, and why. */
export interface StaleLock {
  lock: Lock;
  why: string;
}

/**
 * Locks nobody will release: leases that ran out, and (when the running executions are
 * known) drain/restore/upgrade locks whose holder is not among them. Reconcile recovers
 * both; `status` shows them.
 */
export function staleLocks(state: FleetState, now: Date, runningHolders?: ReadonlySet<string>): StaleLock[] {
  const stale: StaleLock[] = [];
  for (const lock of Object.values(state.locks).sort((a, b) => a.cluster.localeCompare(b.cluster))) {
    if (!isLive(lock, now)) stale.push({ lock, why: `lease ran out at ${lock.expiresAt}` });
    else if (runningHolders !== undefined && RECOVERABLE_OPERATIONS.includes(lock.operation) && !runningHolders.has(lock.holder)) {
      stale.push({ lock, why: `its ${lock.operation} run ${lock.holder} is no longer running` });
    }
  }
  return stale;
}

/** Frees the lock if `token` holds it; otherwise unchanged (releasing twice is fine). */
export function releaseLock(state: FleetState, cluster: string, token: number): { state: FleetState; released: boolean } {
  const lock = state.locks[cluster];
  if (!lock || lock.token !== token) return { state, released: false };
  const { [cluster]: _gone, ...rest } = state.locks;
  return { state: { ...state, locks: rest }, released: true };
}

/**
 * Takes the fleet lock in the write that returns the state the holder then reads its
 * intents from. An expired lease is free; re-entrant for the same holder (a retried task).
 */
export function acquireFleetLock(
  state: FleetState,
  request: { holder: string; operation: FleetLockOperation; now: Date; ttlSeconds: number },
): { state: FleetState; lock: FleetLock; reentered: boolean } {
  const { holder, operation, now } = request;
  const expiresAt = new Date(now.getTime() + request.ttlSeconds * 1000).toISOString();
  const held = state.fleetLock;
  if (held && Date.parse(held.expiresAt) > now.getTime()) {
    if (held.holder === holder) {
      const lock = { ...held, expiresAt };
      return { state: { ...state, fleetLock: lock }, lock, reentered: true };
    }
    throw new LockHeld(`the fleet is locked by ${held.operation} ${held.holder} until ${held.expiresAt}`, {
      heldBy: held.holder,
      operation: held.operation,
      expiresAt: held.expiresAt,
    });
  }
  const token = state.lastToken + 1;
  const lock: FleetLock = { holder, operation, token, acquiredAt: now.toISOString(), expiresAt };
  return { state: { ...state, lastToken: token, fleetLock: lock }, lock, reentered: false };
}

/** Throws LockHeld unless `token` still holds the fleet lock's live lease (the fence). */
export function assertFleetLock(state: FleetState, token: number, now: Date): FleetLock {
  const lock = state.fleetLock;
  if (!lock || lock.token !== token) {
    throw new LockHeld(
      `the fleet lock with token ${token} is no longer held${lock ? ` (now held by ${lock.operation} ${lock.holder}, token ${lock.token})` : ''}`,
      { token },
    );
  }
  if (Date.parse(lock.expiresAt) <= now.getTime())
    throw new LockHeld(`the fleet lock (token ${token}) expired at ${lock.expiresAt}`, { token, expiresAt: lock.expiresAt });
  return lock;
}

/** Extends the fleet lock's lease; the fence is checked first. */
export function renewFleetLock(state: FleetState, token: number, now: Date, ttlSeconds: number): FleetState {
  const lock = assertFleetLock(state, token, now);
  return { ...state, fleetLock: { ...lock, expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString() } };
}

/** Frees the fleet lock if `token` holds it; otherwise unchanged. */
export function releaseFleetLock(state: FleetState, token: number): { state: FleetState; released: boolean } {
  if (state.fleetLock?.token !== token) return { state, released: false };
  const { fleetLock: _gone, ...rest } = state;
  return { state: rest, released: true };
}

export function withIntent(state: FleetState, intent: IntentRecord): FleetState {
  return { ...state, intents: { ...state.intents, [intent.cluster]: intent } };
}

export function withFailover(state: FleetState, mark: FailoverMark): FleetState {
  return { ...state, failovers: { ...state.failovers, [failoverKey(mark.cluster, mark.hostname)]: mark } };
}

export function withoutFailover(state: FleetState, cluster: string, hostname?: string): FleetState {
  const { [failoverKey(cluster, hostname)]: _gone, ...rest } = state.failovers;
  return { ...state, failovers: rest };
}

/**
 * The marks an alarm is answerable for: on its cluster, naming it, and for a per-app
 * alarm only that app's. Fail-back removes exactly these; an OK with none has nothing
 * to bring back.
 */
export function marksOfAlarm(state: FleetState, alarm: { cluster: string; hostname?: string; alarmName: string }): Array<[string, FailoverMark]> {
  return Object.entries(state.failovers).filter(
    ([, mark]) => mark.cluster === alarm.cluster && mark.alarmName === alarm.alarmName && (alarm.hostname === undefined || mark.hostname === alarm.hostname),
  );
}

/**
 * The share of normal weight a cluster gets for one app right now: the operator's
 * intent, or 0 when failover took the cluster (or this app on it) out.
 */
export function effectiveWeightPercent(state: FleetState, cluster: string, hostname: string): number {
  if (state.failovers[failoverKey(cluster)] || state.failovers[failoverKey(cluster, hostname)]) return 0;
  return intentOf(state, cluster).weightPercent;
}

/**
 * effectiveWeightPercent for many apps of one state: each cluster's intent read once, and
 * no failover key built while the state has no failover marks (the usual case).
 */
export function effectiveWeights(state: FleetState): (cluster: string, hostname: string) => number {
  if (Object.keys(state.failovers).length > 0) return (cluster, hostname) => effectiveWeightPercent(state, cluster, hostname);
  const byCluster = new Map<string, number>();
  return (cluster) => {
    let percent = byCluster.get(cluster);
    if (percent === undefined) byCluster.set(cluster, (percent = intentOf(state, cluster).weightPercent));
    return percent;
  };
}

/** The state a weight percent means while an operation runs or after it ends. */
export function intentStateFor(weightPercent: number, operation: 'drain' | 'restore', finished: boolean): ClusterIntentState {
  if (finished) return weightPercent === 0 ? 'DRAINED' : weightPercent === 100 ? 'ACTIVE' : operation === 'drain' ? 'DRAINING' : 'RESTORING';
  return operation === 'drain' ? 'DRAINING' : 'RESTORING';
}

/**
 * The fleet as it will be once every running drain finishes: clusters holding a live
 * drain or upgrade lock count as already at 0 %. Safety decisions use this view, so
 * drains admitted together are safe together and a later step is never refused
 * because of another drain (only because health changed). `except`: the cluster being
 * decided about keeps its current intent.
 */
export function projectRunningDrains(state: FleetState, now: Date, except?: string): FleetState {
  let projected = state;
  for (const lock of liveLocks(state, now)) {
    if (!DRAINING_OPERATIONS.includes(lock.operation) || lock.cluster === except) continue;
    projected = withIntent(projected, { ...intentOf(projected, lock.cluster), weightPercent: 0 });
  }
  return projected;
}

/** Per-cluster intents with whole-cluster failover folded in as 0 % (what desired state takes). */
export function effectiveIntents(state: FleetState, clusters: readonly string[]): ClusterIntent[] {
  return clusters.map((cluster) => {
    const intent = intentOf(state, cluster);
    const out = state.failovers[failoverKey(cluster)] !== undefined;
    return { cluster, state: intent.state, weightPercent: out ? 0 : intent.weightPercent };
  });
}

/** Single apps taken out of single clusters by per-app failover. */
export function appsTakenOut(state: FleetState): Array<{ cluster: string; hostname: string }> {
  return Object.values(state.failovers)
    .filter((mark): mark is FailoverMark & { hostname: string } => mark.hostname !== undefined)
    .map((mark) => ({ cluster: mark.cluster, hostname: mark.hostname }));
}
