import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeMessage } from '../../src/cli/ops/follow.ts';
import { TransientAwsError } from '../../src/core/errors.ts';
import { acquireLock } from '../../src/core/fleet-document.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness, testFleet } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

describe('DrainCluster', () => {
  it('drains a cluster step by step to DRAINED, journals every step and emits Started and Drained', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    const applied: number[] = [];
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', by: 'alice', steps: [50, 0], bakeSeconds: 5 });
    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    for (const batch of h.route53.batches)
      for (const c of batch.changes)
        if (c.recordSet.setIdentifier === 'west' && c.recordSet.name === 'shop.example.com.') applied.push(c.recordSet.weight ?? -1);
    expect(applied).toEqual([50, 0]);
    expect(h.weight('shop.example.com', 'west')).toBe(0);
    expect(h.weight('shop.example.com', 'east')).toBe(100);
    // api is failover routing: the drained secondary's record is left out, the primary stays
    expect(h.records('api.example.com').map((r) => `${r.setIdentifier}:${r.failover}`)).toEqual(['east:PRIMARY']);
    // a drained cluster keeps its canary name (its own health check probes it)
    expect(h.records('canary-west.example.com')).toHaveLength(1);
    const state = await h.table.readFleet();
    expect(state.intents['west']).toMatchObject({ state: 'DRAINED', weightPercent: 0, by: 'alice', reason: 'node upgrade' });
    expect(state.locks).toEqual({});
    expect(h.events.map((e) => e.DetailType)).toEqual(['Cluster Drain Started', 'Cluster Drained']);
    expect(h.eventsOf('Cluster Drained')[0]).toMatchObject({
      cluster: 'west',
      weightPercentBefore: 100,
      weightPercentAfter: 0,
      apps: expect.arrayContaining([expect.objectContaining({ hostname: 'shop.example.com', routing: 'weighted', weightBefore: 100, weightAfter: 0 })]),
      executionArn: expect.stringContaining('execution:DrainCluster:'),
    });
    const journal = await h.table.listJournal({ cluster: 'west' });
    expect(journal.map((e) => e.what).reverse()).toEqual([
      expect.stringContaining('drain started: lock taken'),
      'drain step 1: west 100% -> 50% of normal weight',
      'drain step 2: west 50% -> 0% of normal weight',
      expect.stringContaining('drain drained: west is DRAINED at 0%'),
    ]);
    expect(journal.every((e) => e.by === 'alice' && e.why === 'node upgrade')).toBe(true);
    expect(outcome.output).toMatchObject({ cluster: 'west', state: 'DRAINED', weightPercent: 0 });
  });

  it('rolls back to the saved weights when the remaining clusters degrade mid-drain', async () => {
    // Prepare
    let gates = 0;
    const h = await createHarness(dynamo, {
      wrap: (name, task) =>
        name === 'healthGate'
          ? async (input) => {
              if (++gates === 1) {
                h.health.clusters['east'] = 'UNHEALTHY';
                h.health.clusters['eu'] = 'UNHEALTHY';
              }
              return task(input);
            }
          : task,
    });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'upgrade', steps: [50, 0] });
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('HealthDegraded');
    expect(causeMessage(outcome.cause)).toContain('shop.example.com would keep 0 healthy active cluster(s)');
    expect(h.weight('shop.example.com', 'west')).toBe(100);
    const state = await h.table.readFleet();
    expect(state.intents['west']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(state.locks).toEqual({});
    expect(h.events.map((e) => e.DetailType)).toEqual(['Cluster Drain Started', 'Cluster Drain Aborted']);
    expect(h.eventsOf('Cluster Drain Aborted')[0]).toMatchObject({
      cluster: 'west',
      operation: 'drain',
      error: 'HealthDegraded',
      rolledBack: true,
      weightPercentBefore: 50,
      weightPercentAfter: 100,
      reason: expect.stringContaining('remaining clusters degraded while draining west'),
    });
  });

  it('refuses a drain that would leave an app without a healthy active cluster, changing nothing', async () => {
    // Prepare
    const h = await createHarness(dynamo, { health: { east: 'HEALTHY', west: 'UNHEALTHY', eu: 'UNHEALTHY' } });
    const before = structuredClone(h.route53.records);
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'east', reason: 'upgrade' });
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('DrainUnsafe');
    expect(causeMessage(outcome.cause)).toMatch(
      /taking east to 0% is unsafe: .*shop\.example\.com would keep 0 healthy active cluster\(s\) \(none\), minimum 1/,
    );
    expect(h.route53.records).toEqual(before);
    const state = await h.table.readFleet();
    expect(state.version).toBe(0);
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([expect.objectContaining({ cluster: 'east', error: 'DrainUnsafe', rolledBack: false })]);
  });

  it('lets force drain past minHealthyActive (locks still apply)', async () => {
    // Prepare
    const h = await createHarness(dynamo, { health: { east: 'HEALTHY', west: 'UNHEALTHY', eu: 'UNHEALTHY' } });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'east', reason: 'emergency', force: true, steps: [0] });
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect((await h.table.readFleet()).intents['east']).toMatchObject({ state: 'DRAINED' });
  });

  it('fails with LockHeld when another operation holds the cluster, and leaves no trace in Route 53', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await h.table.updateFleet((s) => ({
      next: acquireLock(s, { cluster: 'west', holder: 'restore-elsewhere', operation: 'restore', now: new Date(), ttlSeconds: 600, maxConcurrentDrains: 1 })
        .state,
      result: null,
    }));
    const before = structuredClone(h.route53.records);
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'upgrade' });
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('LockHeld');
    expect(causeMessage(outcome.cause)).toContain('cluster "west" is locked by restore restore-elsewhere');
    expect(h.route53.records).toEqual(before);
    const state = await h.table.readFleet();
    expect(state.locks['west']?.holder).toBe('restore-elsewhere');
    expect(state.intents['west']).toBeUndefined();
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([expect.objectContaining({ error: 'LockHeld', rolledBack: false })]);
  });

  it('fails with LockHeld when maxConcurrentDrains clusters are draining already', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await h.table.updateFleet((s) => ({
      next: acquireLock(s, { cluster: 'eu', holder: 'drain-eu', operation: 'drain', now: new Date(), ttlSeconds: 600, maxConcurrentDrains: 1 }).state,
      result: null,
    }));
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'upgrade' });
    // Assess
    expect(outcome.error).toBe('LockHeld');
    expect(causeMessage(outcome.cause)).toContain('maxConcurrentDrains (1) reached: eu is draining');
  });

  it('dry run returns every step with its Route 53 changes and safety verdict, and changes nothing', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    const before = structuredClone(h.route53.records);
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'what if', steps: [60, 20, 0], bakeSeconds: 30, dryRun: true });
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    const plan = outcome.output as {
      cluster: string;
      dryRun: boolean;
      waitSeconds: number;
      steps: Array<{ weightPercent: number; safe: boolean; changes: Array<{ name: string; setIdentifier?: string; weight?: number; action: string }> }>;
    };
    expect(plan).toMatchObject({ cluster: 'west', dryRun: true, waitSeconds: 90 });
    expect(plan.steps.map((s) => s.weightPercent)).toEqual([60, 20, 0]);
    expect(plan.steps.every((s) => s.safe)).toBe(true);
    expect(plan.steps[0]!.changes).toContainEqual({ action: 'UPSERT', name: 'shop.example.com.', type: 'A', setIdentifier: 'west', weight: 60 });
    expect(plan.steps[2]!.changes).toContainEqual(expect.objectContaining({ action: 'DELETE', name: 'api.example.com.', setIdentifier: 'west' }));
    expect(h.route53.records).toEqual(before);
    expect((await h.table.readFleet()).version).toBe(0);
    expect(h.events).toEqual([]);
    // The three steps are planned against one reading of the zone and of the health checks:
    // one page from the drained apps' names (they lie together), never the zone whole.
    expect(h.route53.calls.filter((c) => c === 'ListHostedZones')).toHaveLength(1);
    expect(h.route53.calls.filter((c) => c.startsWith('ListResourceRecordSets ZEXAMPLE'))).toEqual(['ListResourceRecordSets ZEXAMPLE from api.example.com.']);
    expect(h.route53.calls.filter((c) => c === 'ListHealthChecks')).toHaveLength(1);
  });

  it('rejects bad input naming the field, before anything happens', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    // Act
    const [badSteps, unknown, extra] = await Promise.all([
      h.run('DrainCluster', { cluster: 'west', steps: [0, 50] }),
      h.run('DrainCluster', { cluster: 'mars' }),
      h.run('DrainCluster', { cluster: 'west', stepz: [0] }),
    ]);
    // Assess
    expect([badSteps.error, unknown.error, extra.error]).toEqual(['InvalidInput', 'UnknownCluster', 'InvalidInput']);
    expect(causeMessage(badSteps.cause)).toBe('drain steps [0, 50]: must be strictly decreasing');
    expect(causeMessage(unknown.cause)).toBe('unknown cluster "mars" (known: east, west, eu)');
    expect(causeMessage(extra.cause)).toContain('stepz');
    expect(h.events).toEqual([]);
  });

  it('a retried weight step applies once (idempotent tasks)', async () => {
    // Prepare: the first applyWeights call does its work, then "loses" its answer.
    let calls = 0;
    const h = await createHarness(dynamo, {
      wrap: (name, task) =>
        name === 'applyWeights'
          ? async (input) => {
              const result = await task(input);
              if (++calls === 1) throw new TransientAwsError('response lost');
              return result;
            }
          : task,
    });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'upgrade', steps: [50, 0] });
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
    const westShopChanges = h.route53.batches
      .flatMap((b) => b.changes)
      .filter((c) => c.recordSet.name === 'shop.example.com.' && c.recordSet.setIdentifier === 'west');
    expect(westShopChanges.map((c) => c.recordSet.weight)).toEqual([50, 0]);
    expect((await h.table.listJournal({ cluster: 'west' })).filter((e) => e.what.startsWith('drain step'))).toHaveLength(2);
  });

  it('a holder whose lease was taken over cannot write (fencing) and does not roll back the new holder', async () => {
    // Prepare: after the first step, the lease expires and another operation takes the lock.
    let gates = 0;
    const h = await createHarness(dynamo, {
      fleet: testFleet({ lockTtlSeconds: 900 }),
      wrap: (name, task) =>
        name === 'healthGate'
          ? async (input) => {
              const result = await task(input);
              if (++gates === 1) {
                await h.table.updateFleet((s) => {
                  const expired = { ...s, locks: { ...s.locks, west: { ...s.locks['west']!, expiresAt: new Date(0).toISOString() } } };
                  return {
                    next: acquireLock(expired, {
                      cluster: 'west',
                      holder: 'other-op',
                      operation: 'restore',
                      now: new Date(),
                      ttlSeconds: 600,
                      maxConcurrentDrains: 1,
                    }).state,
                    result: null,
                  };
                });
              }
              return result;
            }
          : task,
    });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'upgrade', steps: [50, 0] });
    // Assess
    expect(outcome.error).toBe('LockHeld');
    expect(h.weight('shop.example.com', 'west')).toBe(50);
    const state = await h.table.readFleet();
    expect(state.locks['west']?.holder).toBe('other-op');
    expect(h.eventsOf('Cluster Drain Aborted')[0]).toMatchObject({ error: 'LockHeld', rolledBack: false });
  });

  it('draining a drained cluster again does nothing', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await h.run('DrainCluster', { cluster: 'west', reason: 'upgrade', steps: [0] });
    const version = (await h.table.readFleet()).version;
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'again' });
    // Assess
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { cluster: 'west', outcome: 'already-drained', weightPercent: 0 } });
    expect((await h.table.readFleet()).version).toBe(version);
  });

  it('drains of every cluster at once on DynamoDB: the conditional writes admit only a jointly safe set', async () => {
    // Prepare: with maxConcurrentDrains 2, any two of east/west/eu would leave api (east+west) or docs (east+eu) or shop with nothing.
    const h = await createHarness(dynamo, { fleet: testFleet({ maxConcurrentDrains: 2, bakeSeconds: 0 }) });
    // Act
    const outcomes = await Promise.all(['east', 'west', 'eu'].map((cluster) => h.run('DrainCluster', { cluster, reason: 'all at once', steps: [0] })));
    // Assess
    const succeeded = outcomes.filter((o) => o.status === 'SUCCEEDED');
    expect(succeeded).toHaveLength(1);
    expect(
      outcomes
        .filter((o) => o.status === 'FAILED')
        .map((o) => o.error)
        .every((e) => e === 'DrainUnsafe' || e === 'LockHeld'),
    ).toBe(true);
    for (const app of ['shop.example.com', 'api.example.com', 'docs.example.com']) {
      expect(h.records(app).filter((r) => r.type === 'A' && (r.weight === undefined || r.weight > 0)).length, app).toBeGreaterThanOrEqual(1);
    }
    expect((await h.table.readFleet()).locks).toEqual({});
  });
});
