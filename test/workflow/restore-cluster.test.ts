import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeMessage } from '../../src/cli/ops/follow.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness, type Harness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

async function drained(h: Harness, cluster: string): Promise<void> {
  const outcome = await h.run('DrainCluster', { cluster, reason: 'maintenance', steps: [0] });
  expect(outcome.status).toBe('SUCCEEDED');
  h.events.length = 0;
  h.route53.batches.length = 0;
}

describe('RestoreCluster', () => {
  it('brings a drained cluster back step by step to ACTIVE and emits Cluster Restored', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await drained(h, 'west');
    // Act
    const outcome = await h.run('RestoreCluster', { cluster: 'west', reason: 'upgrade done', by: 'bob' });
    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    const weights = h.route53.batches.flatMap((b) => b.changes).filter((c) => c.recordSet.name === 'shop.example.com.' && c.recordSet.setIdentifier === 'west');
    expect(weights.map((c) => c.recordSet.weight)).toEqual([50, 100]);
    expect(
      h
        .records('api.example.com')
        .map((r) => `${r.setIdentifier}:${r.failover}`)
        .sort(),
    ).toEqual(['east:PRIMARY', 'west:SECONDARY']);
    const state = await h.table.readFleet();
    expect(state.intents['west']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(state.intents['west']?.saved).toBeUndefined();
    expect(state.locks).toEqual({});
    expect(h.eventsOf('Cluster Restored')).toEqual([
      expect.objectContaining({
        cluster: 'west',
        by: 'bob',
        weightPercentBefore: 0,
        weightPercentAfter: 100,
        apps: expect.arrayContaining([expect.objectContaining({ hostname: 'shop.example.com', routing: 'weighted', weightBefore: 0, weightAfter: 100 })]),
      }),
    ]);
  });

  it('refuses to start while the cluster is unhealthy, changing nothing', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await drained(h, 'west');
    h.health.clusters['west'] = 'UNHEALTHY';
    // Act
    const outcome = await h.run('RestoreCluster', { cluster: 'west' });
    // Assess
    expect(outcome.error).toBe('HealthDegraded');
    expect(causeMessage(outcome.cause)).toContain('cannot restore west: its health is UNHEALTHY');
    expect(h.route53.batches).toEqual([]);
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([
      expect.objectContaining({ cluster: 'west', operation: 'restore', error: 'HealthDegraded', rolledBack: false }),
    ]);
  });

  it('rolls back to drained when the cluster fails its health gate mid-restore', async () => {
    // Prepare
    let gates = 0;
    const h: Harness = await createHarness(dynamo, {
      wrap: (name, task) =>
        name === 'healthGate'
          ? async (input) => {
              if ((input as { phase: string }).phase === 'restore' && ++gates === 1) h.health.clusters['west'] = 'UNHEALTHY';
              return task(input);
            }
          : task,
    });
    await drained(h, 'west');
    // Act
    const outcome = await h.run('RestoreCluster', { cluster: 'west' });
    // Assess
    expect(outcome.error).toBe('HealthDegraded');
    expect(h.weight('shop.example.com', 'west')).toBe(0);
    const state = await h.table.readFleet();
    expect(state.intents['west']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
    expect(state.locks).toEqual({});
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([
      expect.objectContaining({ operation: 'restore', rolledBack: true, weightPercentBefore: 50, weightPercentAfter: 0 }),
    ]);
  });

  it('restoring an active cluster does nothing', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    // Act
    const outcome = await h.run('RestoreCluster', { cluster: 'east' });
    // Assess
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'already-active', weightPercent: 100 } });
    expect(h.route53.batches).toEqual([]);
  });
});
