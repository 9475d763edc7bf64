// The tasks of DrainCluster, RestoreCluster and UpgradeGuard: prepare (validate, plan,
// dry run), lock, weight steps, INSYNC polls, health gates, finish and rollback.
// Every weight change is decided inside a compare-and-set of the fleet document, under
// the cluster's lease (fencing token) and after a safety check against the current
// intents and health. Order of writes keeps the table's intents a lower bound of what
// DNS serves: a decrease writes the intent first, then DNS; an increase DNS first.
import * as z from 'zod';
import { cutLists, firstOf, someOf } from '../../core/bounded.ts';
import { clusterWeights, RECORD_TTL_SECONDS } from '../../core/catalogue.ts';
import {
  drainInputSchema,
  executionSchema,
  lockRefSchema,
  operationSpecSchema,
  parseInput,
  specifyOperation,
  restoreInputSchema,
  type OperationSpec,
} from '../../core/operation-spec.ts';
import { ChangeBlocked, DrainUnsafe, HealthDegraded, InvalidInput, LockHeld } from '../../core/errors.ts';
import { readBackKey, type ExpectedGroup, type ReadBackRef } from '../../core/verify.ts';
import { outEvent, type AppWeight, type EventToPut } from '../../core/events.ts';
import {
  acquireLock as takeLock,
  assertLockHeld,
  effectiveIntents,
  intentOf,
  projectRunningDrains,
  releaseLock,
  renewLock,
  withIntent,
  type FleetState,
  type IntentRecord,
} from '../../core/fleet-document.ts';
import type { ClusterIntentState } from '../../core/model.ts';
import { checkWeightChange, describeViolations, isHealthy, safetyInput, type HealthView } from '../../core/safety.ts';
import type { Deps, DnsApplyRequest } from '../../core/ports.ts';
import {
  appsServedBy,
  caughtErrorSchema,
  MAX_JOURNAL_APPS,
  clusterDnsRequest,
  clusterNames,
  journal,
  readCatalogue,
  readView,
  reasonOf,
  type FleetView,
} from './view.ts';
import { assertRoute53Holds, settleAndVerify } from './verify.ts';

const percent = z.number().int().min(0).max(100);
const phaseSchema = z.enum(['drain', 'restore']);

// ---------------------------------------------------------------------------
// Safety decisions (pure helpers over the fleet document)

/** Throws DrainUnsafe when taking `cluster` to `target` % would break minHealthyActive. */
function assertSafe(deps: Pick<Deps, 'fleet'>, state: FleetState, view: FleetView, health: HealthView, cluster: string, target: number, now: Date): void {
  const projected = projectRunningDrains(state, now, cluster);
  const input = safetyInput(projected, view.catalogue, health, deps.fleet.safety.minHealthyActive, [cluster]);
  const verdict = checkWeightChange(input, { cluster, weightPercent: target });
  if (!verdict.safe) {
    throw new DrainUnsafe(`taking ${cluster} to ${target}% is unsafe: ${describeViolations(verdict.violations)}`, {
      cluster,
      target,
      violations: verdict.violations,
    });
  }
}

/** One side of each app's record for the journal: `{hostname, routing, present, inTraffic, weight | role | region}`. */
function journalRecords(apps: readonly AppWeight[], side: 'before' | 'after'): Array<Record<string, unknown>> {
  return apps.map((app) => {
    const record = app[side];
    const weight = side === 'before' ? app.weightBefore : app.weightAfter;
    const tier = app.tier === undefined ? {} : { tier: app.tier, ...(app.upstreamOf === undefined ? {} : { upstreamOf: app.upstreamOf }) };
    return {
      hostname: app.hostname,
      ...(app.routing ? { routing: app.routing } : {}),
      ...tier,
      ...(record ?? {}),
      ...(weight === undefined ? {} : { weight }),
    };
  });
}

/** `weights` for one side of a journal entry: the first MAX_JOURNAL_APPS apps, and how many more there were. */
export function journalWeights(apps: readonly AppWeight[], side: 'before' | 'after'): { weights: Array<Record<string, unknown>>; appsNotListed?: number } {
  const { listed, notListed } = firstOf(apps, MAX_JOURNAL_APPS);
  const weights = journalRecords(listed, side);
  return notListed > 0 ? { weights, appsNotListed: notListed } : { weights };
}

function weightsFor(deps: Pick<Deps, 'fleet'>, state: FleetState, view: FleetView, cluster: string, before: number, after: number): AppWeight[] {
  return clusterWeights(deps.fleet, view.endpoints, effectiveIntents(state, clusterNames(deps)), cluster, before, after);
}

// ---------------------------------------------------------------------------
// prepareDrain / prepareRestore

const prepareInputSchema = z.object({ input: z.unknown(), execution: executionSchema });

export interface DryRunStep {
  weightPercent: number;
  safe: boolean;
  violations: string;
  changes: Awaited<ReturnType<Deps['dns']['apply']>>['changes'];
  weights: Awaited<ReturnType<Deps['dns']['apply']>>['weights'];
  /** Changes this step needs that the fleet's policy or another owner's records keep out of Route 53. */
  withheld: Awaited<ReturnType<Deps['dns']['apply']>>['withheld'];
}

/** Why the real operation would be refused before changing anything (a dry run reports it instead). */
export interface DryRunRefusal {
  error: string;
  reason: string;
}

/** A dry run's step as the execution returns it: each list its first MAX_LISTED entries, `<list>NotListed` counting the rest. */
export type ListedDryRunStep = DryRunStep & { changesNotListed?: number; weightsNotListed?: number; withheldNotListed?: number };

export interface DryRunPlan {
  cluster: string;
  dryRun: true;
  /** False when the real run would be refused or a step is unsafe: `refusals` and the steps' violations say why. */
  safe: boolean;
  refusals: DryRunRefusal[];
  steps: ListedDryRunStep[];
  lockedBy?: string;
  waitSeconds: number;
}

export interface PreparedOperation {
  op: OperationSpec;
  /** Dry run only (null otherwise, so ASL paths always resolve): every step's changes and safety verdict, and who holds the lock now. */
  dryRun: DryRunPlan | null;
}

/** The refusals Prepare and AcquireLock would make, decided on the same data without writing. */
/** The lock an operation takes; a dry run asks for the same one without writing it. */
function lockRequest(deps: Pick<Deps, 'fleet'>, op: OperationSpec, now: Date) {
  return {
    cluster: op.cluster,
    holder: op.holder,
    operation: op.operation,
    now,
    ttlSeconds: deps.fleet.safety.lockTtlSeconds,
    maxConcurrentDrains: deps.fleet.safety.maxConcurrentDrains,
  };
}

function refusalsOf(deps: Deps, view: FleetView, health: HealthView, op: OperationSpec, now: Date): DryRunRefusal[] {
  if (op.noop) return [];
  const refusals: DryRunRefusal[] = [];
  const refuse = (check: () => void) => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof DrainUnsafe || error instanceof HealthDegraded || error instanceof LockHeld)) throw error;
      refusals.push({ error: error.name, reason: error.message });
    }
  };
  if (op.operation !== 'restore' && !op.force) refuse(() => assertSafe(deps, view.state, view, health, op.cluster, 0, now));
  if (op.operation === 'restore') refuse(() => assertRestorable(health, op.cluster));
  refuse(() => takeLock(view.state, lockRequest(deps, op, now)));
  return refusals;
}

function assertRestorable(health: HealthView, cluster: string): void {
  if (health.clusters[cluster] !== 'HEALTHY') {
    throw new HealthDegraded(`cannot restore ${cluster}: its health is ${health.clusters[cluster] ?? 'UNKNOWN'} (the canary health check must pass first)`, {
      cluster,
    });
  }
}

async function dryRunSteps(deps: Deps, view: FleetView, health: HealthView, op: OperationSpec): Promise<DryRunStep[]> {
  const steps: Array<Pick<DryRunStep, 'weightPercent' | 'safe' | 'violations'>> = [];
  const requests: DnsApplyRequest[] = [];
  let state = view.state;
  const now = deps.clock.now();
  for (const [phase, list] of [
    ['drain', op.drainSteps],
    ['restore', op.restoreSteps],
  ] as const) {
    for (const step of list) {
      const current = intentOf(state, op.cluster).weightPercent;
      let safe = true;
      let violations = '';
      if (phase === 'drain' && step < current && !op.force) {
        try {
          assertSafe(deps, state, view, health, op.cluster, step, now);
        } catch (error) {
          safe = false;
          violations = (error as Error).message;
        }
      }
      requests.push(
        clusterDnsRequest(deps, state, view, op.cluster, { override: step, reason: `dry run: ${op.operation} ${op.cluster} to ${step}%`, dryRun: true }),
      );
      steps.push({ weightPercent: step, safe, violations });
      state = withIntent(state, { ...intentOf(state, op.cluster), weightPercent: step });
    }
  }
  // Every step planned against one reading of Route 53 (a dry run changes nothing).
  const results = await deps.dns.dryRuns(requests);
  return steps.map((step, i) => ({ ...step, changes: results[i]!.changes, weights: results[i]!.weights, withheld: results[i]!.withheld }));
}

/**
 * A refusal when some step's changes would not reach Route 53: under `upsert-only` a
 * drain cannot delete a failover or latency app's record, under `create-only` no weight
 * can change, and a name another owner holds cannot be changed at all. The operation
 * would report a drain DNS never made, so it is refused before anything changes.
 */
function blockedRefusal(deps: Pick<Deps, 'fleet'>, op: OperationSpec, steps: readonly DryRunStep[]): DryRunRefusal | undefined {
  const lines = [...new Set(steps.flatMap((step) => step.withheld.map((w) => `${w.subject} at ${step.weightPercent}%: ${w.reason}`)))];
  if (lines.length === 0) return undefined;
  const shown = someOf(lines);
  return {
    error: 'ChangeBlocked',
    reason: `cannot ${op.operation} ${op.cluster}: Route 53 would not get the changes it needs (fleet policy ${deps.fleet.policy}, or records Switchyard does not own): ${shown}`,
  };
}

async function prepare(deps: Deps, kind: 'drain' | 'restore', raw: unknown): Promise<PreparedOperation> {
  const { input, execution } = parseInput(prepareInputSchema, raw, 'task input');
  const parsed = kind === 'drain' ? parseInput(drainInputSchema, input, 'DrainCluster input') : parseInput(restoreInputSchema, input, 'RestoreCluster input');
  const view = await readView(deps);
  const current = intentOf(view.state, parsed.cluster);
  const op = specifyOperation({
    operation: kind,
    fleet: deps.fleet,
    cluster: parsed.cluster,
    reason: parsed.reason,
    by: parsed.by,
    ...(kind === 'drain' ? { drainSteps: parsed.steps } : { restoreSteps: parsed.steps }),
    bakeSeconds: parsed.bakeSeconds,
    dryRun: parsed.dryRun,
    force: 'force' in parsed && parsed.force === true,
    ...('expiresAt' in parsed && typeof parsed.expiresAt === 'string' ? { expiresAt: parsed.expiresAt } : {}),
    currentPercent: current.weightPercent,
    ttlSeconds: RECORD_TTL_SECONDS,
    execution,
  });
  if (op.noop && !op.dryRun) return { op, dryRun: null };
  const health = await deps.health.snapshot(clusterNames(deps));
  const now = deps.clock.now();
  // A dry run reports what the real run would refuse instead of failing: it must change
  // nothing, and the refusal path puts an Aborted event on the bus.
  if (op.dryRun) return { op, dryRun: await dryRunPlan(deps, view, health, op, now) };
  if (kind === 'drain' && !op.force && !op.noop) assertSafe(deps, view.state, view, health, op.cluster, 0, now);
  if (kind === 'restore' && !op.noop) assertRestorable(health, op.cluster);
  const blocked = blockedRefusal(deps, op, await dryRunSteps(deps, view, health, op));
  if (blocked) throw new ChangeBlocked(blocked.reason, { cluster: op.cluster, policy: deps.fleet.policy });
  return { op, dryRun: null };
}

async function dryRunPlan(deps: Deps, view: FleetView, health: HealthView, op: OperationSpec, now: Date): Promise<DryRunPlan> {
  const refusals = refusalsOf(deps, view, health, op, now);
  const steps = await dryRunSteps(deps, view, health, op);
  const blocked = op.noop ? undefined : blockedRefusal(deps, op, steps);
  if (blocked) refusals.push(blocked);
  const lock = view.state.locks[op.cluster];
  const live = lock && Date.parse(lock.expiresAt) > now.getTime();
  return {
    cluster: op.cluster,
    dryRun: true,
    safe: refusals.length === 0 && steps.every((step) => step.safe),
    refusals,
    steps: steps.map(listedStep),
    waitSeconds: op.waitSeconds,
    ...(live ? { lockedBy: `${lock.operation} ${lock.holder}` } : {}),
  };
}

/**
 * A step's changes, weights and withheld changes grow with the cluster's apps; the plan is
 * the execution's output (Step Functions' 256 KiB), so each lists MAX_LISTED and counts the rest.
 */
function listedStep(step: DryRunStep): ListedDryRunStep {
  return cutLists<ListedDryRunStep>(step, ['changes', 'weights', 'withheld']);
}

export const prepareDrain = (deps: Deps) => (raw: unknown) => prepare(deps, 'drain', raw);
export const prepareRestore = (deps: Deps) => (raw: unknown) => prepare(deps, 'restore', raw);

// ---------------------------------------------------------------------------
// acquireLock

const acquireInputSchema = z.object({ op: operationSpecSchema });

export interface Acquired {
  token: number;
  weightPercentBefore: number;
  /** "Cluster Drain Started" for drains and upgrades; null for restores. */
  event: EventToPut | null;
}

export const acquireLock =
  (deps: Deps) =>
  async (raw: unknown): Promise<Acquired> => {
    const { op } = parseInput(acquireInputSchema, raw, 'acquireLock input');
    const view = await readView(deps);
    const draining = op.operation !== 'restore';
    const health = draining && !op.force ? await deps.health.snapshot(clusterNames(deps)) : { clusters: {} };
    const now = deps.clock.now();
    const result = await deps.table.updateFleet((state) => {
      const acquired = takeLock(state, lockRequest(deps, op, now));
      const intent = intentOf(state, op.cluster);
      if (acquired.reentered)
        return { next: acquired.state, result: { token: acquired.lock.token, before: intent.saved?.weightPercent ?? intent.weightPercent } };
      // Decided in the same write as the lock: no other drain can slip in between.
      if (draining && !op.force) assertSafe(deps, state, view, health, op.cluster, 0, now);
      const next: IntentRecord = {
        ...intent,
        state: draining ? 'DRAINING' : 'RESTORING',
        saved: { state: intent.state, weightPercent: intent.weightPercent },
        operation: op.operation,
        executionArn: op.executionArn,
        by: op.by,
        reason: op.reason,
        at: now.toISOString(),
      };
      return { next: withIntent(acquired.state, next), result: { token: acquired.lock.token, before: intent.weightPercent } };
    });
    await journal(deps, op, '00-lock', {
      what: `${op.operation} started: lock taken (token ${result.token})`,
      why: op.reason,
      before: { weightPercent: result.before },
      after: { steps: [...op.drainSteps, ...op.restoreSteps] },
    });
    const acquired: Acquired = { token: result.token, weightPercentBefore: result.before, event: null };
    if (draining) {
      acquired.event = outEvent('Cluster Drain Started', {
        cluster: op.cluster,
        reason: op.reason,
        by: op.by,
        steps: op.drainSteps,
        bakeSeconds: op.bakeSeconds,
        weightPercentBefore: result.before,
        apps: weightsFor(deps, view.state, view, op.cluster, result.before, 0),
        executionArn: op.executionArn,
      });
    }
    return acquired;
  };

// ---------------------------------------------------------------------------
// applyWeights

const applyInputSchema = z.object({ op: operationSpecSchema, lock: lockRefSchema, weightPercent: percent, phase: phaseSchema, index: z.number().int().min(0) });

export interface Applied {
  weightPercentBefore: number;
  weightPercentAfter: number;
  changeIds: string[];
  changeCount: number;
  attempt: number;
  /**
   * Where what the step intends in Route 53 is stored (the state table): CheckSync reads
   * it back once INSYNC. The sets themselves stay out of the workflow's state.
   */
  readBack: ReadBackRef;
}

function stateDuring(phase: 'drain' | 'restore'): ClusterIntentState {
  return phase === 'drain' ? 'DRAINING' : 'RESTORING';
}

export const applyWeights =
  (deps: Deps) =>
  async (raw: unknown): Promise<Applied> => {
    const { op, lock, weightPercent: target, phase, index } = parseInput(applyInputSchema, raw, 'applyWeights input');
    const view = await readView(deps);
    const now = deps.clock.now();
    assertLockHeld(view.state, op.cluster, lock.token, now);
    const before = intentOf(view.state, op.cluster).weightPercent;
    const health = target < before && !op.force ? await deps.health.snapshot(clusterNames(deps)) : { clusters: {} };
    const reason = `switchyard ${op.operation} ${op.cluster}: ${before}% -> ${target}% (${op.holder})`;

    const writeIntent = () =>
      deps.table.updateFleet((state) => {
        assertLockHeld(state, op.cluster, lock.token, now);
        const renewed = renewLock(state, op.cluster, lock.token, now, deps.fleet.safety.lockTtlSeconds);
        const intent = intentOf(state, op.cluster);
        if (intent.weightPercent === target) return { next: renewed, result: state };
        if (target < intent.weightPercent && !op.force) assertSafe(deps, state, view, health, op.cluster, target, now);
        const next = withIntent(renewed, { ...intent, state: stateDuring(phase), weightPercent: target, at: now.toISOString() });
        return { next, result: next };
      });

    let result;
    if (target < before) {
      const written = await writeIntent();
      result = await deps.dns.apply(clusterDnsRequest(deps, written, view, op.cluster, { reason }));
    } else {
      result = await deps.dns.apply(clusterDnsRequest(deps, view.state, view, op.cluster, { override: target, reason }));
      await writeIntent();
    }
    await journal(deps, op, `${phase === 'drain' ? '10' : '20'}-${phase}-${String(index).padStart(2, '0')}-${target}`, {
      what: `${phase} step ${index + 1}: ${op.cluster} ${before}% -> ${target}% of normal weight`,
      why: op.reason,
      before: { weightPercent: before, ...journalWeights(result.weights, 'before') },
      after: { weightPercent: target, ...journalWeights(result.weights, 'after'), changeIds: result.changeIds },
    });
    const readBack = await deps.table.putReadBack(readBackKey(op.cluster, phase, index), result.expected);
    return {
      weightPercentBefore: before,
      weightPercentAfter: target,
      changeIds: result.changeIds,
      changeCount: result.changes.length,
      attempt: 0,
      readBack,
    };
  };

// ---------------------------------------------------------------------------
// changeStatus: one INSYNC poll

/** ExpectedGroup (src/core/verify.ts) as the workflow hands it on. */
const expectedGroupSchema = z.object({
  zoneId: z.string(),
  type: z.string(),
  setIdentifier: z.string().optional(),
  want: z.record(z.string(), z.unknown()).nullable(),
  names: z.array(z.string()),
});

const readBackRefSchema = z.object({
  key: z.string().min(1),
  id: z.string().min(1),
  parts: z.number().int().min(0),
  sets: z.number().int().min(0),
});

const changeStatusInputSchema = z.object({
  changeIds: z.array(z.string()),
  attempt: z.number().int().min(0).default(0),
  /** Drain, restore and upgrade steps: the lock to renew with every poll (OnboardApp and the like hold none). */
  op: operationSpecSchema.optional(),
  lock: lockRefSchema.optional(),
  /** A weight step's intended sets, as ApplyWeights stored them: read back once INSYNC. */
  readBack: readBackRefSchema.optional(),
  /**
   * The intended sets themselves, as ApplyWeights returned them before they were stored
   * (a step that was running when this version was deployed): read back the same way.
   */
  expected: z.array(expectedGroupSchema).optional(),
});

/**
 * One GetChange poll. Under an operation's lock it renews the lease first: INSYNC can take
 * up to maxPolls × pollSeconds, and the bake that follows must start from a fresh lease
 * (a lost lease fails here with LockHeld, before Route 53 is asked anything).
 */
export const changeStatus =
  (deps: Deps) =>
  async (raw: unknown): Promise<{ insync: boolean; attempt: number; changeIds: string[]; readBack: ReadBackRef | null; expected?: ExpectedGroup[] }> => {
    const { changeIds, attempt, op, lock, readBack, expected } = parseInput(changeStatusInputSchema, raw, 'changeStatus input');
    if (readBack !== undefined && expected !== undefined)
      throw new InvalidInput('changeStatus input: readBack and expected are two forms of one thing (give one)');
    if ((op === undefined) !== (lock === undefined)) throw new InvalidInput('changeStatus input: op and lock go together (both or neither)');
    if (op && lock) {
      const now = deps.clock.now();
      await deps.table.updateFleet((state) => ({ next: renewLock(state, op.cluster, lock.token, now, deps.fleet.safety.lockTtlSeconds), result: null }));
    }
    const insync = changeIds.length === 0 || (await deps.dns.changeStatus(changeIds)) === 'INSYNC';
    // Once INSYNC, the step is done only if Route 53 holds what it intended.
    if (insync && (readBack !== undefined || expected !== undefined)) {
      const intended = readBack !== undefined ? await deps.table.getReadBack(readBack) : (expected as ExpectedGroup[]);
      await assertRoute53Holds(deps, intended, op ? `${op.operation} ${op.cluster}` : 'step');
    }
    // Handed on as given: the next poll of the same step reads back the same intention.
    return {
      insync,
      attempt: attempt + 1,
      changeIds,
      readBack: readBack ?? null,
      ...(expected === undefined ? {} : { expected: expected as ExpectedGroup[] }),
    };
  };

// ---------------------------------------------------------------------------
// healthGate

const bakeSchema = z.object({
  /** Seconds of the bake waited so far (the sum of the loop's Waits before this gate). */
  elapsedSeconds: z.number().int().min(0),
  /** The Wait that came just before this gate (0 for the first gate of a step). */
  waitSeconds: z.number().int().min(0),
});
const gateInputSchema = z.object({ op: operationSpecSchema, lock: lockRefSchema, phase: phaseSchema, bake: bakeSchema.nullish() });

/** Where a step's bake loop stands after a gate: `done` ends it; otherwise Wait `waitSeconds`, then gate again. */
export interface BakeProgress {
  elapsedSeconds: number;
  waitSeconds: number;
  done: boolean;
}

/**
 * The step's bake after this gate. A step's bake (record TTL + bake) is a loop of Waits of
 * at most `op.watchSeconds`, each followed by this gate, so a failure is seen within
 * `watchSeconds`, not at the end of the bake. Without `bake` (a one-off gate, e.g. before
 * UpgradeGuard's restore) there is nothing to wait.
 */
export function bakeProgress(op: Pick<OperationSpec, 'waitSeconds' | 'watchSeconds'>, bake: z.infer<typeof bakeSchema> | null | undefined): BakeProgress {
  if (!bake) return { elapsedSeconds: op.waitSeconds, waitSeconds: 0, done: true };
  const elapsedSeconds = bake.elapsedSeconds + bake.waitSeconds;
  const left = Math.max(0, op.waitSeconds - elapsedSeconds);
  return { elapsedSeconds, waitSeconds: Math.min(left, op.watchSeconds), done: left === 0 };
}

/**
 * Run at the start of each step's bake and after every Wait of it (see bakeProgress).
 * Drain: would the cluster being out (at 0 %) leave an app below its minimum where the
 * saved weights would not? Then a remaining cluster failed: HealthDegraded (roll back at
 * once, even while the cluster is already at 0 % and only waiting out its bake). Restore:
 * the cluster being restored must be healthy (a restore only adds capacity: another
 * cluster failing never makes rolling it back safer). Renews the lease either way.
 */
export const healthGate =
  (deps: Deps) =>
  async (raw: unknown): Promise<{ healthy: true; health: HealthView; bake: BakeProgress }> => {
    const { op, lock, phase, bake: previous } = parseInput(gateInputSchema, raw, 'healthGate input');
    const bake = bakeProgress(op, previous);
    const [catalogue, health] = await Promise.all([readCatalogue(deps), deps.health.snapshot(clusterNames(deps))]);
    const now = deps.clock.now();
    // The fleet document the lease renewal reads is the one the checks below decide on (one read, not two).
    const state = await deps.table.updateFleet((current) => ({
      next: renewLock(current, op.cluster, lock.token, now, deps.fleet.safety.lockTtlSeconds),
      result: current,
    }));
    const view: FleetView = { ...catalogue, state };
    if (phase === 'restore') {
      const unhealthyApps = appsServedBy(view, op.cluster).filter((app) => !isHealthy({ clusters: health.clusters }, op.cluster, app));
      if (health.clusters[op.cluster] !== 'HEALTHY') {
        throw new HealthDegraded(`${op.cluster} is ${health.clusters[op.cluster] ?? 'UNKNOWN'} while being restored`, {
          cluster: op.cluster,
          apps: unhealthyApps,
        });
      }
      return { healthy: true, health, bake };
    }
    if (op.force) return { healthy: true, health, bake };
    const intent = intentOf(view.state, op.cluster);
    const asSaved = withIntent(view.state, { ...intent, weightPercent: intent.saved?.weightPercent ?? op.weightPercentBefore });
    try {
      assertSafe(deps, asSaved, view, health, op.cluster, 0, now);
    } catch (error) {
      if (!(error instanceof DrainUnsafe)) throw error;
      const when = previous ? ` (${bake.elapsedSeconds} s into the ${op.waitSeconds} s wait after the step to ${intent.weightPercent}%)` : '';
      throw new HealthDegraded(
        `remaining clusters degraded while draining ${op.cluster}${when}: ${error.message.replace(/^taking .*? is unsafe: /, '')}`,
        error.context,
      );
    }
    return { healthy: true, health, bake };
  };

// ---------------------------------------------------------------------------
// finishOperation

const finishInputSchema = z.object({
  op: operationSpecSchema,
  lock: lockRefSchema,
  outcome: z.enum(['drained', 'restored', 'upgrade-drained', 'upgrade-failed', 'upgrade-done']),
  /** UpgradeGuard: the EKS update as last described. */
  update: z.object({ status: z.string(), errors: z.array(z.string()) }).nullish(),
  /** UpgradeGuard: the health gate that kept the cluster drained after its update. */
  error: caughtErrorSchema.nullish(),
});

export const finishOperation =
  (deps: Deps) =>
  async (raw: unknown): Promise<{ result: Record<string, unknown>; event: EventToPut | null }> => {
    const { op, lock, outcome, error } = parseInput(finishInputSchema, raw, 'finishOperation input');
    const update = error
      ? { status: error.Error, errors: [reasonOf(error)] }
      : (parseInput(finishInputSchema, raw, 'finishOperation input').update ?? undefined);
    const view = await readView(deps);
    const now = deps.clock.now();
    const keepLock = outcome === 'upgrade-drained';
    const target = outcome === 'restored' ? 100 : outcome === 'upgrade-done' ? undefined : 0;
    const finalState: ClusterIntentState | undefined = outcome === 'restored' ? 'ACTIVE' : outcome === 'upgrade-done' ? undefined : 'DRAINED';
    const written = await deps.table.updateFleet((state) => {
      const intent = intentOf(state, op.cluster);
      const held = state.locks[op.cluster]?.token === lock.token;
      // A retried finish after the release: the intent already says how it ended.
      if (!held && !keepLock && intent.executionArn === op.executionArn && intent.state === (finalState ?? intent.state)) return { result: state };
      assertLockHeld(state, op.cluster, lock.token, now);
      let next = state;
      if (finalState !== undefined && target !== undefined) {
        const record: IntentRecord = { ...intent, state: finalState, weightPercent: target, at: now.toISOString() };
        // After an upgrade's drain, a failure of its restore must return to drained.
        if (outcome === 'upgrade-drained') record.saved = { state: 'DRAINED', weightPercent: 0 };
        if (outcome === 'restored') delete record.saved;
        // A drain's expiry belongs to the DRAINED intent it ends in (Reconcile restores it then); anything else has none.
        if (outcome === 'drained' && op.expiresAt !== undefined) record.expiresAt = op.expiresAt;
        else delete record.expiresAt;
        next = withIntent(next, record);
      }
      next = keepLock ? renewLock(next, op.cluster, lock.token, now, deps.fleet.safety.lockTtlSeconds) : releaseLock(next, op.cluster, lock.token).state;
      return { next, result: next };
    });
    const weightPercentAfter = intentOf(written, op.cluster).weightPercent;
    const apps = weightsFor(deps, written, view, op.cluster, op.weightPercentBefore, weightPercentAfter);
    await journal(deps, op, `90-${outcome}`, {
      what: `${op.operation} ${outcome}: ${op.cluster} is ${intentOf(written, op.cluster).state} at ${weightPercentAfter}%${keepLock ? ' (lock kept)' : ', lock released'}`,
      why: op.reason,
      before: { weightPercent: op.weightPercentBefore, ...journalWeights(apps, 'before') },
      after: {
        weightPercent: weightPercentAfter,
        state: intentOf(written, op.cluster).state,
        ...journalWeights(apps, 'after'),
        ...(update ? { update } : {}),
      },
    });
    // The execution's output (Step Functions' 256 KiB): the first MAX_LISTED apps, the rest counted, as in the events.
    const { listed, notListed } = firstOf(apps);
    const result = {
      cluster: op.cluster,
      outcome,
      state: intentOf(written, op.cluster).state,
      weightPercent: weightPercentAfter,
      apps: listed,
      ...(notListed > 0 ? { appsNotListed: notListed } : {}),
      executionArn: op.executionArn,
    };
    const common = {
      cluster: op.cluster,
      reason: op.reason,
      by: op.by,
      weightPercentBefore: op.weightPercentBefore,
      weightPercentAfter,
      apps,
      executionArn: op.executionArn,
    };
    switch (outcome) {
      case 'drained':
      case 'upgrade-drained':
        return { result, event: outEvent('Cluster Drained', common) };
      case 'restored':
        // An upgrade restores from the 0 % its own drain left.
        return { result, event: outEvent('Cluster Restored', { ...common, weightPercentBefore: op.operation === 'upgrade' ? 0 : op.weightPercentBefore }) };
      case 'upgrade-failed':
        return {
          result,
          event: outEvent('Cluster Upgrade Failed', {
            cluster: op.cluster,
            eksClusterName: op.upgrade?.eksClusterName ?? op.cluster,
            updateId: op.upgrade?.updateId ?? 'unknown',
            status: update?.status ?? 'Failed',
            errors: update?.errors ?? [],
            intent: intentOf(written, op.cluster).state,
            executionArn: op.executionArn,
          }),
        };
      case 'upgrade-done':
        return { result, event: null };
    }
  };

// ---------------------------------------------------------------------------
// rollbackOperation

const rollbackInputSchema = z.object({
  op: operationSpecSchema.nullish(),
  lock: lockRefSchema.nullish(),
  error: caughtErrorSchema,
  /** The execution input and context, for a refusal before a plan existed. */
  input: z.unknown().optional(),
  execution: executionSchema.optional(),
  operation: z.enum(['drain', 'restore', 'upgrade']).default('drain'),
});

/**
 * Puts the saved weights back (when this execution still holds the lock), releases
 * the lock and returns "Cluster Drain Aborted" naming the error. A refusal (LockHeld,
 * DrainUnsafe before anything changed) rolls nothing back and only reports.
 */
export const rollbackOperation =
  (deps: Deps) =>
  async (raw: unknown): Promise<{ rolledBack: boolean; event: EventToPut }> => {
    const { op, lock, error, input, execution, operation } = parseInput(rollbackInputSchema, raw, 'rollbackOperation input');
    const reason = reasonOf(error);
    if (!op) {
      const cluster = typeof (input as { cluster?: unknown })?.cluster === 'string' ? (input as { cluster: string }).cluster : undefined;
      if (cluster === undefined || cluster === '')
        throw new InvalidInput(`rollbackOperation: no plan and no cluster in the input (error ${error.Error}: ${reason})`);
      return {
        rolledBack: false,
        event: outEvent('Cluster Drain Aborted', {
          cluster,
          operation,
          error: error.Error,
          reason,
          rolledBack: false,
          apps: [],
          executionArn: execution?.id ?? 'unknown',
        }),
      };
    }
    const view = await readView(deps);
    const now = deps.clock.now();
    const current = view.state.locks[op.cluster];
    const ours = current !== undefined && current.holder === op.holder && (!lock || current.token === lock.token);
    const intent = intentOf(view.state, op.cluster);
    const saved = intent.saved ?? { state: intent.state, weightPercent: op.weightPercentBefore };
    let rolledBack = false;
    let note = '';
    if (ours && Date.parse(current.expiresAt) > now.getTime()) {
      const token = current.token;
      const dnsReason = `switchyard rollback ${op.cluster} to ${saved.weightPercent}% (${op.holder})`;
      // Rolling back a restore lowers the weight: only when every app keeps minHealthyActive
      // (other clusters may have failed meanwhile). The cluster failing its own health gate
      // never counts against this: an unhealthy cluster is not a healthy active one.
      const lowering = intent.weightPercent > saved.weightPercent;
      const health = lowering ? await deps.health.snapshot(clusterNames(deps)) : { clusters: {} };
      const writeSaved = (release: boolean) =>
        deps.table.updateFleet((state) => {
          assertLockHeld(state, op.cluster, token, now);
          const i = intentOf(state, op.cluster);
          if (lowering && i.weightPercent > saved.weightPercent) assertSafe(deps, state, view, health, op.cluster, saved.weightPercent, now);
          let next = withIntent(state, { ...i, state: saved.state, weightPercent: saved.weightPercent, at: now.toISOString() });
          if (release) next = releaseLock(next, op.cluster, token).state;
          return { next, result: next };
        });
      if (intent.weightPercent < saved.weightPercent) {
        // Back up: DNS first, then the intent (and the lock goes with it).
        const applied = await deps.dns.apply(clusterDnsRequest(deps, view.state, view, op.cluster, { override: saved.weightPercent, reason: dnsReason }));
        // Read back before the intent says so: a rollback Route 53 did not take keeps the lock (RollbackFailed).
        await settleAndVerify(deps, applied, `rollback of ${op.cluster} to ${saved.weightPercent}%`);
        await writeSaved(true);
        rolledBack = true;
      } else {
        let written: FleetState | undefined;
        try {
          written = await writeSaved(false);
        } catch (unsafe) {
          if (!(unsafe instanceof DrainUnsafe)) throw unsafe;
          // Left where it is: the weight it has is what keeps the apps served.
          await deps.table.updateFleet((state) => ({ next: releaseLock(state, op.cluster, token).state, result: null }));
          note = ` (not rolled back: ${unsafe.message}; ${op.cluster} stays at ${intent.weightPercent}% until an operator acts)`;
        }
        if (written) {
          const applied = await deps.dns.apply(clusterDnsRequest(deps, written, view, op.cluster, { reason: dnsReason }));
          await settleAndVerify(deps, applied, `rollback of ${op.cluster} to ${saved.weightPercent}%`);
          await deps.table.updateFleet((state) => ({ next: releaseLock(state, op.cluster, token).state, result: null }));
          rolledBack = intent.weightPercent !== saved.weightPercent;
        }
      }
    } else if (ours) {
      note = ` (the lease ran out, so nothing was rolled back; ${op.cluster} stays at ${intent.weightPercent}% until an operator acts)`;
    } else if (lock && intent.executionArn === op.executionArn) {
      note = ' (already rolled back)';
    }
    const after = intentOf(await deps.table.readFleet(), op.cluster).weightPercent;
    const apps = weightsFor(deps, view.state, view, op.cluster, intent.weightPercent, after);
    await journal(deps, op, '99-aborted', {
      what: `${op.operation} aborted (${error.Error})${rolledBack ? `: ${op.cluster} rolled back to ${saved.weightPercent}%` : ''}${note}`,
      why: reason,
      before: { weightPercent: intent.weightPercent, ...journalWeights(apps, 'before') },
      after: { weightPercent: after, ...journalWeights(apps, 'after') },
    });
    return {
      rolledBack,
      event: outEvent('Cluster Drain Aborted', {
        cluster: op.cluster,
        operation: op.operation,
        error: error.Error,
        reason: `${reason}${note}`,
        rolledBack,
        weightPercentBefore: intent.weightPercent,
        weightPercentAfter: after,
        apps,
        executionArn: op.executionArn,
      }),
    };
  };
