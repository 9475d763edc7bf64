// 10 drains of different clusters of one fleet, started at once, in randomized fleets
// (apps, routing, weights, health, minHealthyActive, maxConcurrentDrains, steps, task
// timing). After every Route 53 change batch: no app has fewer than minHealthyActive
// healthy active clusters. Every drain either succeeds or fails with LockHeld or
// DrainUnsafe, and a refused drain leaves no trace in Route 53.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFleetConfig, type FleetConfig } from '../../src/core/config.ts';
import { appsTakenOut, effectiveIntents } from '../../src/core/intent.ts';
import type { HealthState, PublishedEndpoint, RecordSet } from '../../src/core/model.ts';
import type { PutEventsRequestEntry, Workflow, WorkflowOutcome } from '../../src/local/stepfunctions/runner.ts';
import type { Route53Port } from '../../src/aws/route53.ts';
import type { Deps } from '../../src/runtime/deps.ts';
import { route53Dns } from '../../src/runtime/dns.ts';
import type { HealthView } from '../../src/core/safety.ts';
import { createTasks } from '../../functions/tasks/index.ts';
import { FakeRoute53 } from '../unit/aws/helpers/fake-route53.ts';
import { MemoryStateTable } from '../support/workflows/memory-table.ts';
import { executionArnOf, workflowCompiler, ZONE } from './harness.ts';

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

interface Scenario {
  min: number;
  maxDrains: number;
  healthy: boolean[];
  apps: AppSpec[];
  steps: number[][];
  delays: number[];
}

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
  })
  .map((s) => {
    // c0 and c1 are always healthy; every app starts with at least `min` healthy clusters.
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

/** Healthy clusters an app is served by, read from Route 53 records. */
function servingClusters(records: readonly RecordSet[], hostname: string, app: AppSpec, healthy: boolean[]): string[] {
  const sets = records.filter((r) => r.name === `${hostname}.` && r.type === 'A');
  return app.members
    .map((m) => `c${m}`)
    .filter((cluster) => {
      if (!healthy[Number(cluster.slice(1))]) return false;
      const set = sets.find((r) => (r.setIdentifier ?? cluster) === cluster);
      if (!set) return false;
      return app.routing === 'weighted' && sets.length > 0 && set.weight !== undefined ? set.weight > 0 : true;
    });
}

async function runScenario(s: Scenario): Promise<void> {
  const fleet: FleetConfig = parseFleetConfig(fleetYaml(s.min, s.maxDrains), 'chaos.yaml');
  const health: HealthView = { clusters: Object.fromEntries(CLUSTERS.map((c, i) => [c, (s.healthy[i] ? 'HEALTHY' : 'UNHEALTHY') as HealthState])), apps: {} };
  const endpoints: PublishedEndpoint[] = [];
  s.apps.forEach((app, index) => {
    for (const [k, m] of app.members.entries()) {
      endpoints.push({
        hostname: `app${index}.example.com`,
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
  const check = (when: string) => {
    if (!checking) return;
    const records = fake.records.get(ZONE.id) ?? [];
    s.apps.forEach((app, index) => {
      const serving = servingClusters(records, `app${index}.example.com`, app, s.healthy);
      if (serving.length < s.min) violations.push(`${when}: app${index} (${app.routing} on ${app.members.map((m) => `c${m}`).join(',')}) served by [${serving.join(',')}] < ${s.min}`);
    });
  };
  const route53: Route53Port = {
    listHostedZones: () => fake.listHostedZones(),
    listRecordSets: (zoneId) => fake.listRecordSets(zoneId),
    getChangeStatus: (id) => fake.getChangeStatus(id),
    listHealthChecks: () => fake.listHealthChecks(),
    listHealthCheckTags: (ids) => fake.listHealthCheckTags(ids),
    createHealthCheck: (reference, spec) => fake.createHealthCheck(reference, spec),
    updateHealthCheck: (id, version, spec) => fake.updateHealthCheck(id, version, spec),
    tagHealthCheck: (id, tags) => fake.tagHealthCheck(id, tags),
    deleteHealthCheck: (id) => fake.deleteHealthCheck(id),
    changeRecordSets: async (zoneId, changes, comment) => {
      const result = await fake.changeRecordSets(zoneId, changes);
      check(`after ${comment ?? 'a change'}`);
      return result;
    },
  };
  const table = new MemoryStateTable();
  // The workflow is compiled once (validation is the slow part); its handlers read these deps.
  Object.assign(shared.deps, {
    fleet,
    table,
    dns: route53Dns({ fleet, route53 }),
    health: { snapshot: async () => structuredClone(health) },
  } satisfies Partial<Deps>);
  shared.delays = s.delays;
  const deps = shared.deps;
  for (const hostname of [...new Set(endpoints.map((e) => e.hostname))]) {
    await table.putApp({ hostname, endpoints: endpoints.filter((e) => e.hostname === hostname), updatedAt: new Date().toISOString() });
  }
  const initial = await table.readFleet();
  await deps.dns.apply({ endpoints, intents: effectiveIntents(initial, CLUSTERS), appsOut: appsTakenOut(initial), reason: 'setup' });
  checking = true;
  check('initially');
  expect(violations, 'the generated fleet starts within its minimum').toEqual([]);
  fake.batches.length = 0;

  const drain = shared.drain;
  const outcomes: WorkflowOutcome[] = await Promise.all(
    CLUSTERS.map((cluster, i) => drain.start({ cluster, reason: 'chaos', steps: s.steps[i] }, { name: `drain-${cluster}`, executionArn: executionArnOf('DrainCluster', `drain-${cluster}`) }).outcome),
  );

  expect(violations).toEqual([]);
  const state = await table.readFleet();
  expect(state.locks).toEqual({});
  outcomes.forEach((outcome, i) => {
    const cluster = CLUSTERS[i]!;
    if (outcome.status === 'SUCCEEDED') {
      expect(state.intents[cluster]).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
      return;
    }
    expect(outcome.status).toBe('FAILED');
    expect(['LockHeld', 'DrainUnsafe'], `${cluster}: ${outcome.error} ${outcome.cause}`).toContain(outcome.error);
    const touched = fake.batches.flatMap((b) => b.changes).filter((c) => c.recordSet.setIdentifier === cluster);
    expect(touched, `refused drain of ${cluster} changed Route 53`).toEqual([]);
    expect(state.intents[cluster] === undefined || state.intents[cluster]?.weightPercent === 100).toBe(true);
  });
  const succeeded = outcomes.filter((o) => o.status === 'SUCCEEDED').length;
  expect(succeeded).toBeGreaterThanOrEqual(0);
}

/** One DrainCluster, compiled once, whose handlers use whatever scenario is current. */
const shared = (() => {
  const deps = {
    workflows: { start: () => Promise.reject(new Error('unused')) },
    eks: { describeUpdate: () => Promise.reject(new Error('unused')) },
    clock: { now: () => new Date() },
  } as unknown as Deps;
  const state = { deps, delays: [] as number[], drain: undefined as unknown as Workflow };
  const tasks = createTasks(deps);
  const handlers = Object.fromEntries(
    Object.entries(tasks).map(([name, task]) => [
      name,
      async (input: unknown) => {
        // Each cluster's tasks are slowed by its own number of event-loop turns: other interleavings.
        const cluster = (input as { op?: { cluster?: string } }).op?.cluster ?? (input as { input?: { cluster?: string } }).input?.cluster;
        const delay = cluster ? (state.delays[Number(cluster.slice(1))] ?? 0) : 0;
        for (let i = 0; i < delay; i++) await new Promise((resolve) => setImmediate(resolve));
        return task(input);
      },
    ]),
  );
  const events: PutEventsRequestEntry[] = [];
  state.drain = workflowCompiler(handlers, events)('DrainCluster');
  return state;
})();

describe('DrainCluster concurrency', () => {
  it('10 simultaneous drains never take an app below minHealthyActive; refused ones leave no trace (100 randomized runs)', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, runScenario), { numRuns: Number(process.env.RUNS ?? 100), interruptAfterTimeLimit: 600_000 });
  }, 900_000);
});
