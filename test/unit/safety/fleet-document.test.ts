import { describe, expect, it } from 'vitest';
import {
  acquireLock,
  assertLockHeld,
  effectiveWeightPercent,
  emptyFleetState,
  intentOf,
  marksOfAlarm,
  releaseLock,
  renewLock,
  withFailover,
  withIntent,
  type FleetState,
} from '../../../src/core/fleet-document.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const take = (state: FleetState, cluster: string, holder: string, operation: 'drain' | 'restore' = 'drain', now = t0, max = 1) =>
  acquireLock(state, { cluster, holder, operation, now, ttlSeconds: 60, maxConcurrentDrains: max });

describe('acquireLock', () => {
  it('hands out increasing fencing tokens', () => {
    // Prepare
    const a = take(emptyFleetState(), 'east', 'x', 'drain', t0, 2);
    // Act
    const b = take(a.state, 'west', 'y', 'drain', t0, 2);
    // Assess
    expect([a.lock.token, b.lock.token]).toEqual([1, 2]);
    expect(Object.keys(b.state.locks).sort()).toEqual(['east', 'west']);
  });

  it('refuses a second operation on the same cluster with LockHeld naming the holder', () => {
    // Prepare
    const held = take(emptyFleetState(), 'east', 'drain-1').state;
    // Act
    const act = () => take(held, 'east', 'restore-1', 'restore');
    // Assess
    expect(act).toThrow(expect.objectContaining({ name: 'LockHeld', message: expect.stringContaining('drain-1') }));
  });

  it('is re-entrant for the same holder (a retried task) and keeps the token', () => {
    // Prepare
    const first = take(emptyFleetState(), 'east', 'drain-1');
    // Act
    const again = take(first.state, 'east', 'drain-1', 'drain', later(30));
    // Assess
    expect(again.reentered).toBe(true);
    expect(again.lock.token).toBe(first.lock.token);
    expect(again.lock.expiresAt).toBe(later(90).toISOString());
  });

  it('enforces maxConcurrentDrains fleet-wide but lets restores through', () => {
    // Prepare
    const one = take(emptyFleetState(), 'east', 'drain-1').state;
    // Act
    const drain = () => take(one, 'west', 'drain-2');
    const restore = take(one, 'west', 'restore-1', 'restore');
    // Assess
    expect(drain).toThrow(expect.objectContaining({ name: 'LockHeld', message: expect.stringContaining('maxConcurrentDrains (1) reached: east is draining') }));
    expect(restore.lock.operation).toBe('restore');
  });

  it('frees a lease its holder did not renew in time', () => {
    // Prepare
    const dead = take(emptyFleetState(), 'east', 'drain-1').state;
    // Act
    const next = take(dead, 'east', 'drain-2', 'drain', later(61));
    // Assess
    expect(next.lock).toMatchObject({ holder: 'drain-2', token: 2 });
  });
});

describe('fencing', () => {
  it('rejects a stale token and an expired lease', () => {
    // Prepare
    const first = take(emptyFleetState(), 'east', 'drain-1');
    const second = take(first.state, 'east', 'drain-2', 'drain', later(61));
    // Act
    const stale = () => assertLockHeld(second.state, 'east', first.lock.token, later(62));
    const expired = () => assertLockHeld(first.state, 'east', first.lock.token, later(61));
    // Assess
    expect(stale).toThrow(expect.objectContaining({ name: 'LockHeld' }));
    expect(expired).toThrow(/expired/);
    expect(assertLockHeld(second.state, 'east', second.lock.token, later(62)).holder).toBe('drain-2');
  });

  it('renews only with the current token; release with a stale token changes nothing', () => {
    // Prepare
    const first = take(emptyFleetState(), 'east', 'drain-1');
    // Act
    const renewed = renewLock(first.state, 'east', first.lock.token, later(50), 60);
    const staleRelease = releaseLock(renewed, 'east', 99);
    const release = releaseLock(renewed, 'east', first.lock.token);
    // Assess
    expect(renewed.locks['east']?.expiresAt).toBe(later(110).toISOString());
    expect(staleRelease.released).toBe(false);
    expect(release.released).toBe(true);
    expect(release.state.locks).toEqual({});
  });
});

describe('effectiveWeightPercent', () => {
  it('is the intent, or 0 when failover took the cluster or the app out', () => {
    // Prepare
    let state = withIntent(emptyFleetState(), { cluster: 'east', state: 'DRAINING', weightPercent: 50 });
    state = withFailover(state, { cluster: 'west', hostname: 'shop.example.com', alarmName: 'a', at: t0.toISOString() });
    // Act / Assess
    expect(effectiveWeightPercent(state, 'east', 'shop.example.com')).toBe(50);
    expect(effectiveWeightPercent(state, 'west', 'shop.example.com')).toBe(0);
    expect(effectiveWeightPercent(state, 'west', 'blog.example.com')).toBe(100);
    expect(intentOf(state, 'eu')).toEqual({ cluster: 'eu', state: 'ACTIVE', weightPercent: 100 });
  });
});

describe('marksOfAlarm', () => {
  it('finds the marks an alarm wrote: on its cluster, naming it, only its app for a per-app alarm', () => {
    // Prepare
    let state = emptyFleetState();
    state = withFailover(state, { cluster: 'east', alarmName: 'a-east', at: 't' });
    state = withFailover(state, { cluster: 'east', hostname: 'shop.example.com', alarmName: 'a-east--shop', at: 't' });
    state = withFailover(state, { cluster: 'east', hostname: 'blog.example.com', alarmName: 'a-east--shop', at: 't' });
    state = withFailover(state, { cluster: 'west', alarmName: 'a-east', at: 't' });
    // Act
    const cluster = marksOfAlarm(state, { cluster: 'east', alarmName: 'a-east' }).map(([key]) => key);
    const perApp = marksOfAlarm(state, { cluster: 'east', hostname: 'shop.example.com', alarmName: 'a-east--shop' }).map(([key]) => key);
    const none = marksOfAlarm(state, { cluster: 'east', alarmName: 'a-east-other' });
    // Assess
    expect(cluster).toEqual(['east']);
    expect(perApp).toEqual(['east|shop.example.com']);
    expect(none).toEqual([]);
  });
});
