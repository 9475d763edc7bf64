import { describe, expect, it } from 'vitest';
import { LockHeld } from '../../../src/core/errors.ts';
import { acquireFleetLock, acquireLock, assertFleetLock, emptyFleetState, releaseFleetLock, renewFleetLock } from '../../../src/core/fleet-document.ts';

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s));

describe('the fleet lock (Reconcile and sync)', () => {
  it('is taken once: a second holder gets LockHeld naming the first; the same holder re-enters', () => {
    // Prepare
    const { state, lock } = acquireFleetLock(emptyFleetState(), { holder: 'reconcile-1', operation: 'reconcile', now: at(0), ttlSeconds: 60 });
    // Act / Assess
    expect(lock).toMatchObject({ holder: 'reconcile-1', operation: 'reconcile', token: 1, expiresAt: at(60).toISOString() });
    expect(() => acquireFleetLock(state, { holder: 'sync-a', operation: 'sync', now: at(30), ttlSeconds: 60 })).toThrow(LockHeld);
    expect(() => acquireFleetLock(state, { holder: 'sync-a', operation: 'sync', now: at(30), ttlSeconds: 60 })).toThrow(
      /the fleet is locked by reconcile reconcile-1 until/,
    );
    const again = acquireFleetLock(state, { holder: 'reconcile-1', operation: 'reconcile', now: at(30), ttlSeconds: 60 });
    expect(again).toMatchObject({ reentered: true, lock: { token: 1, expiresAt: at(90).toISOString() } });
  });

  it('is free once its lease ran out, with a new token from the counter the cluster locks use', () => {
    const first = acquireLock(emptyFleetState(), {
      cluster: 'east',
      holder: 'drain-1',
      operation: 'drain',
      now: at(0),
      ttlSeconds: 900,
      maxConcurrentDrains: 1,
    });
    const taken = acquireFleetLock(first.state, { holder: 'reconcile-1', operation: 'reconcile', now: at(0), ttlSeconds: 60 });
    const next = acquireFleetLock(taken.state, { holder: 'sync-b', operation: 'sync', now: at(61), ttlSeconds: 60 });
    expect(next.lock).toMatchObject({ holder: 'sync-b', token: 3 });
    expect(next.state.locks['east']?.token).toBe(1);
  });

  it('fences: renewal and the assertion fail for a lost or expired lease; release only by its token', () => {
    const { state, lock } = acquireFleetLock(emptyFleetState(), { holder: 'sync-a', operation: 'sync', now: at(0), ttlSeconds: 60 });
    expect(renewFleetLock(state, lock.token, at(50), 60).fleetLock?.expiresAt).toBe(at(110).toISOString());
    expect(() => assertFleetLock(state, lock.token, at(60))).toThrow(/expired/);
    const taken = acquireFleetLock(state, { holder: 'reconcile-2', operation: 'reconcile', now: at(61), ttlSeconds: 60 }).state;
    expect(() => renewFleetLock(taken, lock.token, at(62), 60)).toThrow(/no longer held \(now held by reconcile reconcile-2/);
    expect(releaseFleetLock(taken, lock.token)).toEqual({ state: taken, released: false });
    const released = releaseFleetLock(state, lock.token);
    expect(released.released).toBe(true);
    expect(released.state.fleetLock).toBeUndefined();
  });
});
