// Reconcile and `switchyard sync` converge the whole fleet; they take one fleet lock
// (a conditional write on the fleet document), so they never interleave their writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireFleetLock, releaseFleetLock, withIntent } from '../../src/core/fleet-document.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

describe('Reconcile and the fleet lock', () => {
  it('fails LockHeld (after its retries) while a sync holds the fleet lock, changing nothing; runs once it is free', async () => {
    // Prepare: a sync holds the lock; east was drained meanwhile (Route 53 still has it in).
    const h = await createHarness(dynamo);
    const { lock } = await h.table.updateFleet((state) => {
      const taken = acquireFleetLock(withIntent(state, { cluster: 'east', state: 'DRAINED', weightPercent: 0 }), {
        holder: 'sync-1',
        operation: 'sync',
        now: new Date(),
        ttlSeconds: 900,
      });
      return { next: taken.state, result: taken };
    });

    // Act
    const blocked = await h.run('Reconcile', {});

    // Assess
    expect(blocked.status).toBe('FAILED');
    expect(blocked.error).toBe('LockHeld');
    expect(blocked.cause).toContain('the fleet is locked by sync sync-1');
    expect(h.route53.batches).toEqual([]);
    expect(h.weight('shop.example.com', 'east')).toBe(100);

    // Act: the sync ends
    await h.table.updateFleet((state) => ({ next: releaseFleetLock(state, lock.token).state, result: null }));
    const ran = await h.run('Reconcile', {});

    // Assess: converged, and the lock it took is given back
    expect(ran.status, `${ran.error} ${ran.cause}`).toBe('SUCCEEDED');
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    const state = await h.table.readFleet();
    expect(state.fleetLock).toBeUndefined();
    expect(state.lastToken).toBe(2);
  });
});
