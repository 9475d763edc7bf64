// Lease, dry-run and rollback safety of DrainCluster / RestoreCluster, on the real ASL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeMessage } from '../../src/cli/ops/follow.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness, testFleet, type Harness } from './harness.ts';
import type { Task } from '../../src/app/tasks/index.ts';
import { acquireLock } from '../../src/core/fleet-document.ts';
import { formatHistory } from '../../src/cli/commands/history.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

/**
 * A clock the test moves as Step Functions' waits would (the harness scales waits to 0):
 * each INSYNC poll after the first costs pollSeconds, the bake costs waitSeconds.
 */
function simulatedTime() {
  let now = Date.now();
  let polled = false;
  let op: { pollSeconds: number; waitSeconds: number } | undefined;
  return {
    now: () => new Date(now),
    wrap:
      (name: string, task: Task): Task =>
      async (input) => {
        if (name === 'applyWeights') {
          op = (input as { op: typeof op }).op;
          polled = false;
        }
        if (name === 'changeStatus' && op) {
          if (polled) now += op.pollSeconds * 1000;
          polled = true;
        }
        if (name === 'healthGate' && op) now += op.waitSeconds * 1000;
        return task(input);
      },
  };
}

describe('lock lease over a drain', () => {
  it('a slow INSYNC (200 s) before the longest admitted bake does not let the lease run out', async () => {
    // Prepare: lease 900 s, bake 780 s (TTL 60 + bake = 840 s: the longest admitted), Route 53 INSYNC after 41 polls.
    const time = simulatedTime();
    const h = await createHarness(dynamo, { fleet: testFleet({ lockTtlSeconds: 900 }), wrap: time.wrap });
    h.deps.clock.now = time.now;
    h.route53.pollsUntilInsync = 41;
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'slow route 53', steps: [0], bakeSeconds: 780 });
    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    const state = await h.table.readFleet();
    expect(state.intents['west']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
    expect(state.locks).toEqual({});
    expect(h.weight('shop.example.com', 'west')).toBe(0);
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([]);
  });

  it('a poll that finds the lease taken over fails LockHeld and leaves the new holder alone', async () => {
    // Prepare: during INSYNC the lease expires and another operation takes the cluster.
    const time = simulatedTime();
    let gates = 0;
    let h!: Harness;
    h = await createHarness(dynamo, {
      fleet: testFleet({ lockTtlSeconds: 900 }),
      wrap: (name, task) =>
        time.wrap(name, async (input) => {
          if (name === 'healthGate') gates++;
          if (name === 'changeStatus') {
            await h.table.updateFleet((s) => ({
              next: { ...s, locks: { ...s.locks, west: { ...s.locks['west']!, holder: 'other-op', token: s.lastToken + 1 } }, lastToken: s.lastToken + 1 },
              result: null,
            }));
          }
          return task(input);
        }),
    });
    h.deps.clock.now = time.now;
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'taken over', steps: [50, 0] });
    // Assess
    expect(outcome.error).toBe('LockHeld');
    expect(gates).toBe(0);
    expect(h.weight('shop.example.com', 'west')).toBe(50);
    expect((await h.table.readFleet()).locks['west']?.holder).toBe('other-op');
    expect(h.eventsOf('Cluster Drain Aborted')[0]).toMatchObject({ error: 'LockHeld', rolledBack: false });
  });
});

describe('dry run', () => {
  it('of an unsafe drain returns every step with the refusal, and changes, journals, locks and emits nothing', async () => {
    // Prepare: east drained, so draining west would leave api.example.com with no active cluster.
    const h = await createHarness(dynamo);
    expect((await h.run('DrainCluster', { cluster: 'east', reason: 'maintenance', steps: [0] })).status).toBe('SUCCEEDED');
    h.events.length = 0;
    h.route53.batches.length = 0;
    const before = await h.table.readFleet();
    const journal = await h.table.listJournal({});
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'what if', steps: [50, 0], dryRun: true });
    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    const plan = outcome.output as {
      safe: boolean;
      refusals: Array<{ error: string; reason: string }>;
      steps: Array<{ weightPercent: number; safe: boolean; violations: string; changes: unknown[] }>;
    };
    expect(plan.safe).toBe(false);
    expect(plan.refusals).toEqual([{ error: 'DrainUnsafe', reason: expect.stringContaining('taking west to 0% is unsafe') }]);
    expect(plan.steps.map((s) => [s.weightPercent, s.safe])).toEqual([
      [50, true],
      [0, false],
    ]);
    expect(plan.steps[1]!.violations).toContain('api.example.com');
    expect(plan.steps[1]!.changes.length).toBeGreaterThan(0);
    expect(h.events).toEqual([]);
    expect(h.route53.batches).toEqual([]);
    expect(await h.table.readFleet()).toEqual(before);
    expect(await h.table.listJournal({})).toEqual(journal);
  });

  it('of a restore of an unhealthy cluster, or of a locked cluster, reports the refusals instead of failing', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    expect((await h.run('DrainCluster', { cluster: 'west', reason: 'maintenance', steps: [0] })).status).toBe('SUCCEEDED');
    h.events.length = 0;
    h.health.clusters['west'] = 'UNHEALTHY';
    await h.table.updateFleet((s) => ({
      next: acquireLock(s, { cluster: 'west', holder: 'someone', operation: 'drain', now: new Date(), ttlSeconds: 600, maxConcurrentDrains: 1 }).state,
      result: null,
    }));
    const before = await h.table.readFleet();
    // Act
    const outcome = await h.run('RestoreCluster', { cluster: 'west', dryRun: true });
    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    expect(outcome.output).toMatchObject({
      safe: false,
      lockedBy: 'drain someone',
      refusals: [
        { error: 'HealthDegraded', reason: 'cannot restore west: its health is UNHEALTHY (the canary health check must pass first)' },
        { error: 'LockHeld', reason: expect.stringContaining('cluster "west" is locked by drain someone') },
      ],
    });
    expect(h.events).toEqual([]);
    expect(await h.table.readFleet()).toEqual(before);
  });

  it('of a safe drain says safe, with no refusals', async () => {
    const h = await createHarness(dynamo);
    const outcome = await h.run('DrainCluster', { cluster: 'west', dryRun: true });
    expect(outcome.output).toMatchObject({ safe: true, refusals: [] });
  });
});

describe('rollback of a restore', () => {
  /** West drained, then a restore whose second step fails for a reason other than west's health. */
  async function restoreFailingAtSecondStep(otherClustersFail: boolean) {
    let h!: Harness;
    h = await createHarness(dynamo, {
      wrap: (name, task) =>
        name === 'applyWeights'
          ? async (input) => {
              if ((input as { phase: string; index: number }).phase === 'restore' && (input as { index: number }).index === 1) {
                if (otherClustersFail) h.health.clusters['east'] = 'UNHEALTHY';
                throw new Error('Lambda crashed');
              }
              return task(input);
            }
          : task,
    });
    expect((await h.run('DrainCluster', { cluster: 'west', reason: 'maintenance', steps: [0] })).status).toBe('SUCCEEDED');
    h.events.length = 0;
    const outcome = await h.run('RestoreCluster', { cluster: 'west', reason: 'back', steps: [50, 100] });
    return { h, outcome };
  }

  it('does not lower a healthy cluster when that would leave an app below minHealthyActive: it stays, the lock goes, the reason says so', async () => {
    // Act: east went unhealthy meanwhile; west at 50 % is api.example.com's only healthy active cluster.
    const { h, outcome } = await restoreFailingAtSecondStep(true);
    // Assess
    expect(outcome.error).toBe('Error');
    expect(h.weight('shop.example.com', 'west')).toBe(50);
    expect(
      h
        .records('api.example.com')
        .map((r) => r.setIdentifier)
        .sort(),
    ).toEqual(['east', 'west']);
    const state = await h.table.readFleet();
    expect(state.intents['west']).toMatchObject({ weightPercent: 50 });
    expect(state.locks).toEqual({});
    const [aborted] = h.eventsOf('Cluster Drain Aborted');
    expect(aborted).toMatchObject({ operation: 'restore', rolledBack: false, weightPercentBefore: 50, weightPercentAfter: 50 });
    expect(aborted!['reason']).toMatch(/not rolled back: taking west to 0% is unsafe: .*api\.example\.com.*; west stays at 50% until an operator acts/);
    const journal = await h.table.listJournal({ cluster: 'west' });
    expect(journal.find((e) => e.what.startsWith('restore aborted'))?.what).toContain('west stays at 50% until an operator acts');
  });

  it('lowers the cluster back to its saved weight when that is safe', async () => {
    // Act
    const { h, outcome } = await restoreFailingAtSecondStep(false);
    // Assess
    expect(outcome.error).toBe('Error');
    expect(h.weight('shop.example.com', 'west')).toBe(0);
    expect((await h.table.readFleet()).intents['west']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
    expect(h.eventsOf('Cluster Drain Aborted')[0]).toMatchObject({ operation: 'restore', rolledBack: true, weightPercentBefore: 50, weightPercentAfter: 0 });
  });
});

describe('events and journal: every app with its record before and after', () => {
  it('a drain that takes a failover PRIMARY and a latency set out says so in Started, Drained, the journal and history', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'east', reason: 'kernel', steps: [50, 0] });
    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    const apiOut = {
      hostname: 'api.example.com',
      routing: 'failover',
      before: { present: true, inTraffic: true, role: 'PRIMARY' },
      after: { present: false, inTraffic: false },
    };
    const docsOut = {
      hostname: 'docs.example.com',
      routing: 'latency',
      before: { present: true, inTraffic: true, region: 'us-east-1' },
      after: { present: false, inTraffic: false },
    };
    for (const type of ['Cluster Drain Started', 'Cluster Drained']) {
      const apps = h.eventsOf(type)[0]!['apps'] as unknown[];
      expect(apps, type).toContainEqual(apiOut);
      expect(apps, type).toContainEqual(docsOut);
      expect(apps, type).toContainEqual(
        expect.objectContaining({ hostname: 'shop.example.com', weightBefore: 100, weightAfter: 0, before: { present: true, inTraffic: true, weight: 100 } }),
      );
    }
    expect(outcome.output).toMatchObject({ apps: expect.arrayContaining([apiOut, docsOut]) });
    const journal = await h.table.listJournal({ cluster: 'east' });
    const last = journal.find((e) => e.what.startsWith('drain step 2'))!;
    expect((last.before as { weights: unknown[] }).weights).toContainEqual({
      hostname: 'api.example.com',
      routing: 'failover',
      present: true,
      inTraffic: true,
      role: 'PRIMARY',
    });
    expect((last.after as { weights: unknown[] }).weights).toContainEqual({
      hostname: 'api.example.com',
      routing: 'failover',
      present: false,
      inTraffic: false,
    });
    const history = formatHistory(journal);
    expect(history).toContain('api.example.com (failover): PRIMARY -> absent');
    expect(history).toContain('docs.example.com (latency): us-east-1 -> absent');
    expect(history).toContain('shop.example.com (weighted): weight 50 -> weight 0');
  });

  it('an aborted drain carries the records too', async () => {
    // Prepare: the remaining clusters degrade after the first step.
    let h!: Harness;
    h = await createHarness(dynamo, {
      wrap: (name, task) =>
        name === 'healthGate'
          ? async (input) => {
              h.health.clusters['west'] = 'UNHEALTHY';
              return task(input);
            }
          : task,
    });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'east', reason: 'kernel', steps: [50, 0] });
    // Assess
    expect(outcome.error).toBe('HealthDegraded');
    const [aborted] = h.eventsOf('Cluster Drain Aborted');
    expect(aborted!['apps']).toContainEqual({
      hostname: 'api.example.com',
      routing: 'failover',
      before: { present: true, inTraffic: true, role: 'PRIMARY' },
      after: { present: true, inTraffic: true, role: 'PRIMARY' },
    });
  });
});
