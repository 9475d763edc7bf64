// Lock bookkeeping for recovery (src/core/fleet-document.ts): expired leases stay recorded until
// recovered, a lease is reclaimed only with its own token, and stale locks are named.
import { describe, expect, it } from 'vitest';
import { LockHeld } from '../../../src/core/errors.ts';
import { acquireLock, emptyFleetState, heldLockOf, reclaimLock, staleLocks, withIntent, type FleetState } from '../../../src/core/fleet-document.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const take = (state: FleetState, cluster: string, holder: string, now = T0, operation: 'drain' | 'restore' | 'failover' = 'drain') =>
  acquireLock(state, { cluster, holder, operation, now, ttlSeconds: 60, maxConcurrentDrains: 2 }).state;

describe('acquireLock and expired leases', () => {
  it("keeps another cluster's expired lease recorded (for recovery) but does not count it as a drain", () => {
    // Prepare: west's drain died; its lease ran out
    const state = take(emptyFleetState(), 'west', 'drain-west-dead');
    // Act: two drains later (maxConcurrentDrains 2): west's dead lease takes no slot
    const next = take(take(state, 'east', 'drain-east', later(120)), 'eu', 'drain-eu', later(120));
    // Assess
    expect(Object.keys(next.locks).sort()).toEqual(['east', 'eu', 'west']);
    expect(next.locks['west']?.holder).toBe('drain-west-dead');
  });

  it('lets a new holder take over the same cluster once its lease ran out', () => {
    const state = take(emptyFleetState(), 'west', 'drain-west-dead');
    expect(() => take(state, 'west', 'restore-west', later(30), 'restore')).toThrow(LockHeld);
    expect(take(state, 'west', 'restore-west', later(120), 'restore').locks['west']).toMatchObject({ holder: 'restore-west', token: 2 });
  });
});

describe('reclaimLock', () => {
  it('renews an expired lease for the token that holds it, and refuses any other token', () => {
    // Prepare
    const state = take(emptyFleetState(), 'west', 'drain-west-dead');
    const taken = take(state, 'west', 'restore-west', later(120), 'restore');
    // Act
    const reclaimed = reclaimLock(state, 'west', 1, later(120), 900);
    // Assess
    expect(reclaimed.locks['west']).toMatchObject({ token: 1, expiresAt: later(1020).toISOString() });
    expect(() => reclaimLock(taken, 'west', 1, later(120), 900)).toThrow(/now held by restore-west, token 2/);
  });
});

describe('heldLockOf', () => {
  it("finds a run's lock only when the cluster's intent names the same execution", () => {
    const arn = 'arn:aws:states:us-east-1:1:execution:switchyard-dev-DrainCluster:drain-west-1';
    const locked = take(emptyFleetState(), 'west', 'drain-west-1');
    const state = withIntent(locked, { cluster: 'west', state: 'DRAINING', weightPercent: 50, executionArn: arn });
    expect(heldLockOf(state, { executionArn: arn, name: 'drain-west-1' })?.cluster).toBe('west');
    // the same name in another state machine is another run
    expect(heldLockOf(state, { executionArn: arn.replace('DrainCluster', 'RestoreCluster'), name: 'drain-west-1' })).toBeUndefined();
    expect(heldLockOf(locked, { executionArn: arn, name: 'drain-west-1' })).toBeUndefined();
  });
});

describe('staleLocks', () => {
  it('names leases that ran out, and drain/restore locks whose run is not running', () => {
    // Prepare
    let state = take(emptyFleetState(), 'west', 'drain-west-dead');
    state = take(state, 'east', 'drain-east-stopped', later(100));
    state = take(state, 'eu', 'failover-eu', later(100), 'failover');
    // Act
    const known = staleLocks(state, later(110), new Set(['failover-eu']));
    const unknown = staleLocks(state, later(110));
    // Assess
    expect(known.map((s) => `${s.lock.cluster}: ${s.why}`)).toEqual([
      'east: its drain run drain-east-stopped is no longer running',
      `west: lease ran out at ${later(60).toISOString()}`,
    ]);
    expect(unknown.map((s) => s.lock.cluster)).toEqual(['west']);
  });
});
