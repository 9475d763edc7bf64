import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { INSYNC_POLL_SECONDS, LEASE_MARGIN_SECONDS, longestRenewalGap, specifyOperation } from '../../../src/core/operation-spec.ts';
import { exampleFleet } from '../aws/helpers/example-fleet.ts';

const execution = { id: 'arn:aws:states:us-east-1:1:execution:sm:x', name: 'x', startTime: '2026-11-27T10:00:00.000Z' };
const fleetWithLease = (lockTtlSeconds: number) => ({ ...exampleFleet, safety: { ...exampleFleet.safety, lockTtlSeconds } });
const request = (lockTtlSeconds: number, extra: Record<string, unknown> = {}) => ({
  fleet: fleetWithLease(lockTtlSeconds),
  cluster: 'east',
  reason: 'r',
  by: 'me',
  ttlSeconds: 60,
  execution,
  currentPercent: 100,
  ...extra,
});
const upgrade = (pollSeconds: number) => ({ eksClusterName: 'e', updateId: 'u', region: 'us-east-1', pollSeconds, maxPolls: 10, restoreAfter: true });

describe('longestRenewalGap', () => {
  it('is the longest Wait between two renewing tasks, naming it', () => {
    expect(longestRenewalGap({ waitSeconds: 840, pollSeconds: 5 })).toEqual({ seconds: 840, what: 'record TTL + bake after a step' });
    expect(longestRenewalGap({ waitSeconds: 60, pollSeconds: 5, updatePollSeconds: 600 })).toEqual({ seconds: 600, what: 'one DescribeUpdate poll interval' });
    expect(longestRenewalGap({ waitSeconds: 0, pollSeconds: 5 })).toEqual({ seconds: 5, what: 'one INSYNC poll interval' });
  });
});

describe('lease admission (specifyOperation)', () => {
  it('admits the longest bake that stays the margin under the lease, whatever INSYNC takes (every poll renews)', () => {
    // Act
    const plan = specifyOperation({ ...request(900), operation: 'drain', bakeSeconds: 780 });
    // Assess: the INSYNC polls (up to maxPolls × pollSeconds = 600 s) are not a gap: each renews.
    expect(plan.waitSeconds + LEASE_MARGIN_SECONDS).toBe(900);
    expect(plan.maxPolls * plan.pollSeconds).toBeGreaterThan(LEASE_MARGIN_SECONDS);
  });

  it('refuses a bake one second too long, naming the gap and the lease', () => {
    expect(() => specifyOperation({ ...request(900), operation: 'drain', bakeSeconds: 781 })).toThrow(
      'bakeSeconds 781: the longest wait between two renewals of the lock (record TTL + bake after a step, 841 s) must stay 60 s under safety.lockTtlSeconds (900 s)',
    );
  });

  it('refuses an upgrade whose DescribeUpdate interval outlasts the lease, even with a short bake', () => {
    expect(() => specifyOperation({ ...request(300), operation: 'upgrade', bakeSeconds: 0, upgrade: upgrade(600) })).toThrow(
      /one DescribeUpdate poll interval, 600 s\) must stay 60 s under safety.lockTtlSeconds \(300 s\)/,
    );
    expect(specifyOperation({ ...request(300), operation: 'upgrade', bakeSeconds: 0, upgrade: upgrade(60) }).operation).toBe('upgrade');
  });

  it('property: a plan is admitted exactly when every gap between renewals stays the margin under the lease', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 4000 }),
        fc.integer({ min: 0, max: 4000 }),
        fc.option(fc.integer({ min: 1, max: 4000 }), { nil: undefined }),
        (ttl, bake, updatePoll) => {
          const extra = updatePoll === undefined ? { operation: 'drain' as const } : { operation: 'upgrade' as const, upgrade: upgrade(updatePoll) };
          const longest = Math.max(60 + bake, INSYNC_POLL_SECONDS, updatePoll ?? 0);
          const admitted = (() => {
            try {
              specifyOperation({ ...request(ttl), ...extra, bakeSeconds: bake });
              return true;
            } catch {
              return false;
            }
          })();
          expect(admitted).toBe(longest + LEASE_MARGIN_SECONDS <= ttl);
        },
      ),
    );
  });
});
