// 10 drains of different clusters of one fleet, started at once, in 100 randomized fleets
// (apps, routing, weights, health, minHealthyActive, maxConcurrentDrains, steps, task
// timing), on the real DrainCluster ASL and the real task handlers. In about half of the
// runs clusters go unhealthy while the drains run.
//
// What the code guarantees, and so what is checked:
// - Every weight-lowering decision is made in the state-table write that records it, on
//   a health snapshot the task took just before (src/core/safety.ts via assertSafe in
//   acquireLock/applyWeights). So at every Route 53 batch, judged on the health the
//   issuing task read: no app ends with fewer than minHealthyActive healthy active
//   clusters *and* fewer than it had before the batch. A cluster failing underneath can
//   still leave an app short: the workflow cannot prevent that, it must not add to it.
// - With health fixed for the run, that becomes: no app is ever below minHealthyActive,
//   and a drain that took its lock always succeeds (drains admitted together are safe
//   together), so every failure is a refusal.
// - At every state-table write and Route 53 batch, at most maxConcurrentDrains clusters
//   are being drained (live drain locks, DRAINING intents, clusters moved in Route 53
//   and not yet DRAINED).
// - A refused drain (LockHeld or DrainUnsafe before it took the lock) sends no
//   ChangeResourceRecordSets and its cluster's records end as they began; a drain
//   aborted after it took the lock (only when health changed: DrainUnsafe at a step or
//   HealthDegraded at the gate) ends back at its records and intent of before.
// The 100 runs must all happen (no time limit) and must reach every outcome: drains that
// succeed, are refused with LockHeld and with DrainUnsafe, and are rolled back.
import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFleetConfig, type FleetConfig } from '../../src/core/config.ts';
import { TransientAwsError } from '../../src/core/errors.ts';
import { appsTakenOut, DRAINING_OPERATIONS, effectiveIntents, intentOf, liveLocks, type FleetState } from '../../src/core/fleet-document.ts';
import type { HealthState, PublishedEndpoint, RecordSet } from '../../src/core/model.ts';
import type { PutEventsRequestEntry, Workflow, WorkflowOutcome } from '@switchyard/local-aws/stepfunctions';
import type { Route53Port } from '../../src/core/ports.ts';
import type { StateTable } from '../../src/core/ports.ts';
import type { Deps } from '../../src/core/ports.ts';
import { route53Dns } from '../../src/app/dns/route53-dns.ts';
import type { HealthView } from '../../src/core/safety.ts';
import { createTasks } from '../../src/app/tasks/index.ts';
import { FakeRoute53 } from '../unit/aws/helpers/fake-route53.ts';
import { MemoryStateTable } from '../support/workflows/memory-table.ts';
import { executionArnOf, STAGE, workflowCompiler, ZONE } from './harness.ts';

const RUNS = 100;
/** The tasks of one drain step (one iteration of the Steps Map). */
const STEP_TASKS = ['applyWeights', 'changeStatus', 'healthGate'];
/** Tasks that run only under a drain's lock: where a health change lands mid-drain. */
const LOCKED_TASKS = ['applyWeights', 'changeStatus', 'healthGate', 'finishOperation'];
const CLUSTERS = Array.from({ length: 10 }, (_, i) => `c${i}`);

function fleetYaml(min: number, maxDrains: number): string {
  const clusters = CLUSTERS.map(
    (name, i) => `  - name: ${name}
    region: us-east-1
    eksClusterName: mesh-${name}
    entryPoint: ${name}-ingress-${String(i).repeat(16).slice(0, 16)}.elb.us-east-1.amazonaws.com
    canaryHostname: canary-${name}.example.com
    domainFilter: [example.com]
    failoverPriority: ${i}`,
  );
  return `ownerId: chaos
zones: [{ name: example.com }]
safety: { minHealthyActive: ${min}, maxConcurrentDrains: ${maxDrains}, bakeSeconds: 0 }
clusters:
${clusters.join('\n')}
`;
}

interface AppSpec {
  routing: 'weighted' | 'failover' | 'latency';
  members: number[];
  weights: number[];
}

/**
 * A cluster goes UNHEALTHY when the run's `atStep`-th applyWeights or task under a drain
 * lock (applyWeights, changeStatus, healthGate, finishOperation) starts: `pick` chooses one of the
 * apps a cluster being drained serves, and another healthy member of it.
 */
interface HealthFailure {
  atStep: number;
  pick: number;
  /** Count only applyWeights (the failure lands right before a step's own re-check) or every task under a lock. */
  counting: 'applyWeights' | 'locked';
}

interface Scenario {
  min: number;
  maxDrains: number;
  healthy: boolean[];
  apps: AppSpec[];
  steps: number[][];
  delays: number[];
  failures: HealthFailure[];
}

const failureArb: fc.Arbitrary<HealthFailure> = fc.record({
  atStep: fc.integer({ min: 1, max: 10 }),
  pick: fc.nat(999),
  counting: fc.constantFrom('applyWeights' as const, 'locked' as const),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    min: fc.integer({ min: 1, max: 2 }),
    maxDrains: fc.integer({ min: 1, max: 4 }),
    healthy: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
    apps: fc.array(
      fc.record({
        routing: fc.constantFrom('weighted' as const, 'weighted' as const, 'failover' as const, 'latency' as const),
        members: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 5 }),
        weights: fc.array(fc.constantFrom<number>(1, 2, 3, 100, 255), { minLength: 5, maxLength: 5 }),
      }),
      { minLength: 2, maxLength: 6 },
    ),
    steps: fc.array(fc.constantFrom<number[]>([0], [50, 0], [70, 30, 0]), { minLength: 10, maxLength: 10 }),
    delays: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 10, maxLength: 10 }),
    // Half of the runs keep health fixed; the other half lose one to three clusters mid-run.
    failures: fc.oneof(fc.constant<HealthFailure[]>([]), fc.array(failureArb, { minLength: 1, maxLength: 3 })),
  })
  .map((s) => {
    // c0 and c1 start healthy; every app starts with at least `min` healthy clusters.
    const healthy = s.healthy.map((h, i) => i < 2 || h);
    const apps = s.apps.map((app) => {
      let members = app.routing === 'failover' ? app.members.slice(0, 2) : [...app.members];
      const healthyCount = () => members.filter((m) => healthy[m]).length;
      for (const candidate of [0, 1]) if (healthyCount() < s.min && !members.includes(candidate)) members.push(candidate);
      if (app.routing === 'failover' && members.length > 2) members = members.filter((m) => healthy[m]).slice(0, 2);
      return { ...app, members };
    });
    return { ...s, healthy, apps };
  });

const hostnameOf = (index: number) => `app${index}.example.com`;
const isHealthyIn = (health: HealthView) => (cluster: string) => health.clusters[cluster] === 'HEALTHY';

/** Clusters an app is in traffic on, read from its Route 53 A records (weighted: weight above 0). */
function activeClusters(records: readonly RecordSet[], hostname: string, app: AppSpec): string[] {
  const sets = records.filter((r) => r.name === `${hostname}.` && r.type === 'A');
  return app.members
    .map((m) => `c${m}`)
    .filter((cluster) => {
      const set = sets.find((r) => (r.setIdentifier ?? cluster) === cluster);
      if (!set) return false;
      return app.routing === 'weighted' && set.weight !== undefined ? set.weight > 0 : true;
    });
}

/** Healthy active clusters: what minHealthyActive counts. */
function servingClusters(records: readonly RecordSet[], hostname: string, app: AppSpec, healthy: (cluster: string) => boolean): string[] {
  return activeClusters(records, hostname, app).filter(healthy);
}

/** A cluster's own records: its set of every app it is in (or the app's simple record when it is the only member). */
function clusterRecords(records: readonly RecordSet[], apps: readonly AppSpec[], cluster: string): string {
  const own = apps.flatMap((app, index) =>
    records.filter(
      (r) =>
        r.name === `${hostnameOf(index)}.` &&
        (r.setIdentifier === cluster || (r.setIdentifier === undefined && app.members.length === 1 && `c${app.members[0]}` === cluster)),
    ),
  );
  return JSON.stringify(own.map((r) => JSON.stringify(r)).sort());
}

/** The task invocation running now: the drain it belongs to and the health snapshot it decided on. */
interface TaskContext {
  cluster: string | undefined;
  task: string;
  health?: HealthView;
}
const taskContext = new AsyncLocalStorage<TaskContext>();

/** What the 100 runs exercised, so a generator that stopped reaching a path fails the test. */
const tally = {
  runs: 0,
  runsWithFailures: 0,
  runsWhereOneMustSucceed: 0,
  succeeded: 0,
  refusedLockHeld: 0,
  refusedDrainUnsafe: 0,
  abortedDrainUnsafe: 0,
  abortedHealthDegraded: 0,
  stepsAfterFailedStep: 0,
};

/** The table, with every committed fleet document shown to `onCommit` (the observation point for concurrent drains). */
function observedTable(onCommit: (state: FleetState) => void): StateTable {
  const inner = new MemoryStateTable();
  const updateFleet: StateTable['updateFleet'] = async (change) => {
    let written: FleetState | undefined;
    const result = await inner.updateFleet((current) => {
      const decided = change(current);
      written = decided.next;
      return decided;
    });
    if (written) onCommit(written);
    return result;
  };
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'updateFleet') return updateFleet;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as StateTable;
}

async function runScenario(s: Scenario): Promise<void> {
  tally.runs++;
  if (s.failures.length > 0) tally.runsWithFailures++;
  const fleet: FleetConfig = parseFleetConfig(fleetYaml(s.min, s.maxDrains), 'chaos.yaml');
  const health: HealthView = { clusters: Object.fromEntries(CLUSTERS.map((c, i) => [c, (s.healthy[i] ? 'HEALTHY' : 'UNHEALTHY') as HealthState])), apps: {} };
  const endpoints: PublishedEndpoint[] = [];
  s.apps.forEach((app, index) => {
    for (const [k, m] of app.members.entries()) {
      endpoints.push({
        hostname: hostnameOf(index),
        cluster: `c${m}`,
        kind: 'Gateway',
        gateway: `app${index}/gw`,
        annotations: { routing: app.members.length === 1 ? undefined : app.routing, ...(app.routing === 'weighted' ? { weight: app.weights[k] } : {}) },
      });
    }
  });

  const fake = new FakeRoute53([ZONE]);
  fake.pollsUntilInsync = 1;
  const violations: string[] = [];
  let checking = false;
  let committed: FleetState | undefined;
  const initialRecords = new Map<string, string>();
  const batchesBy = new Map<string, number>();
  /** Drains that took their lock, and those that finished or rolled back. */
  const acquired = new Set<string>();
  const ended = new Set<string>();

  const countDrainsInTable = (state: FleetState, when: string) => {
    const locks = liveLocks(state, new Date()).filter((lock) => DRAINING_OPERATIONS.includes(lock.operation));
    const draining = Object.values(state.intents).filter((intent) => intent.state === 'DRAINING');
    if (locks.length > s.maxDrains)
      violations.push(`${when}: ${locks.length} drain locks (${locks.map((l) => l.cluster)}) > maxConcurrentDrains ${s.maxDrains}`);
    if (draining.length > s.maxDrains)
      violations.push(`${when}: ${draining.length} DRAINING intents (${draining.map((i) => i.cluster)}) > maxConcurrentDrains ${s.maxDrains}`);
    const unlocked = draining.filter((intent) => !locks.some((lock) => lock.cluster === intent.cluster));
    if (unlocked.length > 0) violations.push(`${when}: ${unlocked.map((i) => i.cluster)} DRAINING without its drain lock`);
  };

  const onBatch = (context: TaskContext | undefined, before: readonly RecordSet[], after: readonly RecordSet[], comment: string | undefined) => {
    const by = context?.cluster ?? '(no drain)';
    batchesBy.set(by, (batchesBy.get(by) ?? 0) + 1);
    const when = `batch by ${by}'s ${context?.task ?? '?'} (${comment ?? ''})`;
    // The safety rule, on the health the task decided on (a task that lowers nothing takes no snapshot: any health will do).
    const decidedOn = isHealthyIn(context?.health ?? health);
    const healthyNow = isHealthyIn(health);
    s.apps.forEach((app, index) => {
      const hostname = hostnameOf(index);
      const was = servingClusters(before, hostname, app, decidedOn);
      const is = servingClusters(after, hostname, app, decidedOn);
      if (is.length < s.min && is.length < was.length) {
        violations.push(
          `${when}: app${index} (${app.routing} on ${app.members.map((m) => `c${m}`)}) went from [${was}] to [${is}] healthy active, minimum ${s.min}, on the health it read`,
        );
      }
      // Health fixed: nothing but the drains changes what serves, so the minimum holds at every moment.
      const now = servingClusters(after, hostname, app, healthyNow);
      if (s.failures.length === 0 && now.length < s.min) violations.push(`${when}: app${index} served by [${now}] < ${s.min}`);
    });
    // Clusters moved in Route 53 and not yet DRAINED are the ones being drained (rollback raises DNS before the intent).
    const moved = CLUSTERS.filter(
      (cluster) => clusterRecords(after, s.apps, cluster) !== initialRecords.get(cluster) && committed && intentOf(committed, cluster).state !== 'DRAINED',
    );
    if (moved.length > s.maxDrains)
      violations.push(`${when}: ${moved.length} clusters being drained in Route 53 (${moved}) > maxConcurrentDrains ${s.maxDrains}`);
  };

  const route53: Route53Port = {
    listHostedZones: () => fake.listHostedZones(),
    listRecordSets: (zoneId) => fake.listRecordSets(zoneId),
    listRecordSetsPage: (zoneId, start) => fake.listRecordSetsPage(zoneId, start),
    getChangeStatus: (id) => fake.getChangeStatus(id),
    listHealthChecks: () => fake.listHealthChecks(),
    listHealthCheckTags: (ids) => fake.listHealthCheckTags(ids),
    createHealthCheck: (reference, spec) => fake.createHealthCheck(reference, spec),
    updateHealthCheck: (id, version, spec) => fake.updateHealthCheck(id, version, spec),
    tagHealthCheck: (id, tags) => fake.tagHealthCheck(id, tags),
    deleteHealthCheck: (id) => fake.deleteHealthCheck(id),
    changeRecordSets: (zoneId, changes, comment) => {
      // The fake applies a batch synchronously: before and after are exactly this batch's effect.
      const before = fake.records.get(zoneId) ?? [];
      const accepted = fake.batches.length;
      const submitted = fake.changeRecordSets(zoneId, changes);
      if (checking && fake.batches.length > accepted) onBatch(taskContext.getStore(), before, fake.records.get(zoneId) ?? [], comment);
      return submitted;
    },
  };
  const table = observedTable((state) => {
    committed = state;
    if (checking) countDrainsInTable(state, `table write v${state.version + 1}`);
  });
  const healthSource = {
    snapshot: async () => {
      const seen = structuredClone(health);
      const context = taskContext.getStore();
      if (context) context.health = seen;
      return structuredClone(seen);
    },
  };
  // The workflow is compiled once (validation is the slow part); its handlers read these deps.
  Object.assign(shared.deps, { fleet, table, dns: route53Dns({ fleet, route53 }), health: healthSource } satisfies Partial<Deps>);
  shared.delays = s.delays;
  shared.stepFailed = new Set();
  shared.stepsAfterFailedStep = [];
  const seen = { applyWeights: 0, locked: 0 };
  shared.beforeTask = (name, cluster) => {
    if (!cluster || !LOCKED_TASKS.includes(name)) return;
    seen.locked++;
    if (name === 'applyWeights') seen.applyWeights++;
    for (const failure of s.failures.filter((f) => f.atStep === seen[f.counting] && (f.counting === 'locked' || name === 'applyWeights'))) {
      // An app of a cluster being drained loses another healthy member (or, when it has none left, that cluster itself).
      const servedBy = (c: string) => s.apps.filter((app) => app.members.includes(Number(c.slice(1))));
      const target = servedBy(cluster).length > 0 ? cluster : ([...acquired].find((c) => !ended.has(c) && servedBy(c).length > 0) ?? cluster);
      const apps = servedBy(target);
      const app = apps[failure.pick % Math.max(apps.length, 1)];
      const others = (app?.members ?? []).map((m) => `c${m}`).filter((c) => c !== target && isHealthyIn(health)(c));
      const victim = others.length > 0 ? others[Math.floor(failure.pick / 7) % others.length] : target;
      if (victim) health.clusters[victim] = 'UNHEALTHY';
    }
  };
  shared.afterTask = (name, cluster) => {
    if (name === 'acquireLock' && cluster) acquired.add(cluster);
    if ((name === 'finishOperation' || name === 'rollbackOperation') && cluster) ended.add(cluster);
  };
  const deps = shared.deps;
  for (const hostname of [...new Set(endpoints.map((e) => e.hostname))]) {
    await table.putApp({ hostname, endpoints: endpoints.filter((e) => e.hostname === hostname), updatedAt: new Date().toISOString() });
  }
  const initial = await table.readFleet();
  committed = initial;
  await deps.dns.apply({ endpoints, intents: effectiveIntents(initial, CLUSTERS), appsOut: appsTakenOut(initial), reason: 'setup' });
  const startRecords = structuredClone(fake.records.get(ZONE.id) ?? []);
  for (const cluster of CLUSTERS) initialRecords.set(cluster, clusterRecords(startRecords, s.apps, cluster));
  s.apps.forEach((app, index) => {
    const serving = servingClusters(startRecords, hostnameOf(index), app, isHealthyIn(health));
    expect(serving.length, `the generated app${index} starts within its minimum`).toBeGreaterThanOrEqual(s.min);
  });
  // A drain alone is safe when none of the apps it serves is at its minimum (decided on the records, not by the code under test).
  const safeAlone = CLUSTERS.filter((cluster) =>
    s.apps.every((app, index) => {
      const serving = servingClusters(startRecords, hostnameOf(index), app, isHealthyIn(health));
      return !serving.includes(cluster) || serving.length - 1 >= s.min;
    }),
  );
  fake.batches.length = 0;
  checking = true;

  const drain = shared.drain;
  const outcomes: WorkflowOutcome[] = await Promise.all(
    CLUSTERS.map(
      (cluster, i) =>
        drain.start(
          { cluster, reason: 'chaos', steps: s.steps[i] },
          { name: `drain-${cluster}`, executionArn: executionArnOf('DrainCluster', `drain-${cluster}`) },
        ).outcome,
    ),
  );
  checking = false;

  expect(violations).toEqual([]);
  // As on AWS, a failed Steps Map starts none of its later iterations (runner: map-fail-fast).
  expect(shared.stepsAfterFailedStep, "step tasks invoked after their drain's Steps Map had failed").toEqual([]);
  const state = await table.readFleet();
  expect(state.locks).toEqual({});
  const finalRecords = fake.records.get(ZONE.id) ?? [];
  let succeeded = 0;
  outcomes.forEach((outcome, i) => {
    const cluster = CLUSTERS[i]!;
    const why = `${cluster}: ${outcome.status} ${outcome.error ?? ''} ${outcome.cause ?? ''}`;
    if (outcome.status === 'SUCCEEDED') {
      succeeded++;
      expect(state.intents[cluster], why).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
      s.apps.forEach((app, index) => {
        // An app left with no healthy, active cluster at all fails open (desired.ts keeps every
        // record in traffic, the drained one included). Only a health change after the drain
        // was admitted can bring that about: with health fixed the drain would have been refused.
        const failedOpen = !app.members.some((m) => {
          const member = intentOf(state, `c${m}`);
          return member.state !== 'DRAINED' && member.weightPercent > 0 && health.clusters[`c${m}`] === 'HEALTHY';
        });
        if (failedOpen) {
          expect(s.failures.length, `${why}: app${index} failed open with health fixed`).toBeGreaterThan(0);
          return;
        }
        expect(activeClusters(finalRecords, hostnameOf(index), app), `${why}: still in traffic for app${index}`).not.toContain(cluster);
      });
      return;
    }
    expect(outcome.status, why).toBe('FAILED');
    if (!acquired.has(cluster)) {
      // Refused before it took the lock: no trace in Route 53.
      expect(['LockHeld', 'DrainUnsafe'], why).toContain(outcome.error);
      if (outcome.error === 'LockHeld') tally.refusedLockHeld++;
      else tally.refusedDrainUnsafe++;
      expect(batchesBy.get(cluster) ?? 0, `${why}: ChangeResourceRecordSets batches sent by the refused drain`).toBe(0);
      const touched = fake.batches.flatMap((b) => b.changes).filter((c) => c.recordSet.setIdentifier === cluster);
      expect(touched, `${why}: refused drain's records were changed`).toEqual([]);
      expect(clusterRecords(finalRecords, s.apps, cluster), `${why}: refused drain's records`).toBe(initialRecords.get(cluster));
      expect(intentOf(state, cluster), why).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
      return;
    }
    // Took the lock and still failed: only a health change may do that, and it is rolled back.
    expect(s.failures.length, `${why}: with health fixed, an admitted drain must succeed`).toBeGreaterThan(0);
    expect(['DrainUnsafe', 'HealthDegraded'], why).toContain(outcome.error);
    if (outcome.error === 'DrainUnsafe') tally.abortedDrainUnsafe++;
    else tally.abortedHealthDegraded++;
    expect(intentOf(state, cluster), why).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(JSON.parse(clusterRecords(finalRecords, s.apps, cluster)), `${why}: rolled-back drain's records`).toEqual(JSON.parse(initialRecords.get(cluster)!));
  });
  tally.succeeded += succeeded;
  if (s.failures.length === 0 && safeAlone.length > 0) {
    // Some drain is safe on its own, so whichever is admitted first succeeds.
    tally.runsWhereOneMustSucceed++;
    expect(succeeded, `no drain succeeded although ${safeAlone.join(', ')} could each be drained alone`).toBeGreaterThan(0);
  }
}

/** One DrainCluster, compiled once, whose handlers use whatever scenario is current. */
const shared = (() => {
  const deps = {
    stage: STAGE,
    workflows: { start: () => Promise.reject(new Error('unused')) },
    eks: { describeUpdate: () => Promise.reject(new Error('unused')) },
    clock: { now: () => new Date() },
  } as unknown as Deps;
  const state = {
    deps,
    delays: [] as number[],
    beforeTask: (_name: string, _cluster: string | undefined) => {},
    afterTask: (_name: string, _cluster: string | undefined) => {},
    drain: undefined as unknown as Workflow,
    /** Drains whose Steps Map failed: AWS starts none of their later iterations. */
    stepFailed: new Set<string>(),
    /** Step tasks invoked although their drain's Steps Map had failed (must stay empty). */
    stepsAfterFailedStep: [] as string[],
  };
  const tasks = createTasks(deps);
  const handlers = Object.fromEntries(
    Object.entries(tasks).map(([name, task]) => [
      name,
      async (input: unknown) => {
        const cluster = (input as { op?: { cluster?: string } }).op?.cluster ?? (input as { input?: { cluster?: string } }).input?.cluster;
        state.beforeTask(name, cluster);
        // Each cluster's tasks are slowed by its own number of event-loop turns: other interleavings.
        const delay = cluster ? (state.delays[Number(cluster.slice(1))] ?? 0) : 0;
        for (let i = 0; i < delay; i++) await new Promise((resolve) => setImmediate(resolve));
        const step = cluster !== undefined && STEP_TASKS.includes(name);
        if (step && state.stepFailed.has(cluster)) {
          // Recorded (and not run, so it cannot race the Rollback and blur the report).
          tally.stepsAfterFailedStep++;
          state.stepsAfterFailedStep.push(`${name} of ${cluster}`);
          throw new Error(`${name} of ${cluster}: a Map iteration after a failed one, which AWS never starts`);
        }
        try {
          const result = await taskContext.run({ cluster, task: name }, () => task(input));
          state.afterTask(name, cluster);
          return result;
        } catch (error) {
          // Only TransientAwsError is retried within the iteration; anything else fails the Map.
          if (step && !(error instanceof TransientAwsError)) state.stepFailed.add(cluster);
          throw error;
        }
      },
    ]),
  );
  const events: PutEventsRequestEntry[] = [];
  state.drain = workflowCompiler(handlers, events)('DrainCluster');
  return state;
})();

describe('DrainCluster concurrency', () => {
  it(`10 simultaneous drains: the safety rule holds at every Route 53 batch, at most maxConcurrentDrains at once, refused ones leave no trace (${RUNS} randomized runs)`, async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, runScenario), { numRuns: RUNS });
    // Every run happened, and the runs reached every path they are meant to check.
    expect(tally.runs).toBe(RUNS);
    expect(tally.runsWithFailures).toBeGreaterThanOrEqual(RUNS / 4);
    expect(tally.runsWhereOneMustSucceed).toBeGreaterThanOrEqual(RUNS / 4);
    expect(tally.succeeded).toBeGreaterThan(0);
    expect(tally.refusedLockHeld).toBeGreaterThan(0);
    expect(tally.refusedDrainUnsafe).toBeGreaterThan(0);
    expect(tally.abortedDrainUnsafe + tally.abortedHealthDegraded).toBeGreaterThan(0);
    expect(tally.stepsAfterFailedStep).toBe(0);
  }, 120_000);
});
