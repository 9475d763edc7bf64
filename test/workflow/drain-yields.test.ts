// A running drain yields to an unplanned failure, on the real ASL: a remaining cluster
// failing while the drained cluster waits out its TTL + bake rolls the drain back at
// once, not at the end of the bake (issue 11, point 9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeMessage } from '../../src/cli/ops/follow.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness, type Harness } from './harness.ts';
import type { Task } from '../../src/app/tasks/index.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

interface GateInput {
  op: { waitSeconds: number };
  phase: string;
  bake?: { elapsedSeconds: number; waitSeconds: number } | null;
}

/**
 * Simulated time for a drain whose waits the harness scales to 0: the bake's Waits are
 * known from the health gates that follow them (the Wait just before a gate is
 * `bake.waitSeconds`; a gate without a bake loop comes after the whole TTL + bake). The
 * test's `onGate` sees the seconds since the step's bake began, and sets health from it.
 */
function bakeClock(onGate: (secondsIntoBake: number) => void) {
  let secondsIntoBake = 0;
  const rollbacksAt: number[] = [];
  return {
    rollbacksAt,
    wrap:
      (name: string, task: Task): Task =>
      async (input) => {
        if (name === 'applyWeights') secondsIntoBake = 0;
        if (name === 'healthGate') {
          const gate = input as GateInput;
          secondsIntoBake += gate.bake ? gate.bake.waitSeconds : gate.op.waitSeconds;
          onGate(secondsIntoBake);
        }
        if (name === 'rollbackOperation') rollbacksAt.push(secondsIntoBake);
        return task(input);
      },
  };
}

describe('DrainCluster yields to an unplanned failure', () => {
  it('east at 0 % in its bake, west fails: rolled back within one watch interval, although west recovers before the bake ends', async () => {
    // Prepare: api.example.com is east (PRIMARY) and west (SECONDARY). East drains in one
    // step to 0 % with a 120 s bake (TTL 60 + 120 = 180 s wait); west fails 20 s into that
    // wait and is back 60 s later, long before the bake would end.
    let h!: Harness;
    const clock = bakeClock((t) => {
      h.health.clusters['west'] = t >= 20 && t < 80 ? 'UNHEALTHY' : 'HEALTHY';
    });
    h = await createHarness(dynamo, { wrap: clock.wrap });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'east', reason: 'node upgrade', steps: [0], bakeSeconds: 120 });
    // Assess: rolled back, promptly, and everyone is told why.
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('FAILED');
    expect(outcome.error).toBe('HealthDegraded');
    expect(causeMessage(outcome.cause)).toContain('api.example.com');
    expect(clock.rollbacksAt).toHaveLength(1);
    expect(clock.rollbacksAt[0]).toBeGreaterThanOrEqual(20);
    expect(clock.rollbacksAt[0]).toBeLessThanOrEqual(30);
    const state = await h.table.readFleet();
    expect(state.intents['east']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(state.locks).toEqual({});
    expect(h.weight('shop.example.com', 'east')).toBe(100);
    expect(
      h
        .records('api.example.com')
        .map((r) => `${r.setIdentifier}:${r.failover}`)
        .sort(),
    ).toEqual(['east:PRIMARY', 'west:SECONDARY']);
    expect(h.eventsOf('Cluster Drained')).toEqual([]);
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([expect.objectContaining({ cluster: 'east', error: 'HealthDegraded', rolledBack: true })]);
  });

  it('a failure that leaves every app served does not stop the drain; the bake is waited out in slices of at most watchSeconds', async () => {
    // Prepare: west fails 20 s into eu's bake; every app eu serves (shop, docs) keeps east,
    // so the drain goes on.
    const waits: number[] = [];
    let h!: Harness;
    const clock = bakeClock((t) => {
      h.health.clusters['west'] = t >= 20 ? 'UNHEALTHY' : 'HEALTHY';
    });
    h = await createHarness(dynamo, {
      wrap: (name, task) =>
        clock.wrap(name, async (input) => {
          const result = (await task(input)) as { bake?: { waitSeconds: number; done: boolean } };
          if (name === 'healthGate' && result.bake && !result.bake.done) waits.push(result.bake.waitSeconds);
          return result;
        }),
    });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'eu', reason: 'node upgrade', steps: [0], bakeSeconds: 15 });
    // Assess: TTL 60 + 15 = 75 s, in Waits of 10 s and a last one of 5 s.
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    expect(waits).toEqual([10, 10, 10, 10, 10, 10, 10, 5]);
    expect((await h.table.readFleet()).intents['eu']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
    expect(clock.rollbacksAt).toEqual([]);
  });
});
