import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter, backoffDelay, isTransient, withRetry } from '../../../src/aws/retry.ts';
import { TransientAwsError } from '../../../src/core/errors.ts';
import { VirtualClock } from './helpers/virtual-clock.ts';

const throttling = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });

/** Most requests in any window of `windowMs` starting at one of the times. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    // 1 µs of slack for floating-point sums of 1000/rate.
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs - 1e-3) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

describe('RateLimiter', () => {
  it('spaces concurrent callers so no second holds more than 5 requests', async () => {
    // Prepare
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ clock });
    const times: number[] = [];

    // Act
    await Promise.all(Array.from({ length: 12 }, () => limiter.take().then(() => times.push(clock.now()))));

    // Assess
    expect(times).toHaveLength(12);
    expect(maxInWindow(times, 1000)).toBe(5);
    expect(times[11]).toBeCloseTo(11 * 200, 6);
  });

  it('never exceeds its rate in any one-second window, whatever the arrival times', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5 }), async (arrivals, rate) => {
        const clock = new VirtualClock();
        const limiter = new RateLimiter({ clock, ratePerSecond: rate });
        const times: number[] = [];
        await Promise.all(
          arrivals.map((at) =>
            clock
              .sleep(at)
              .then(() => limiter.take())
              .then(() => times.push(clock.now())),
          ),
        );
        expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(rate);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a rate above Route 53’s 5 requests per second', () => {
    expect(() => new RateLimiter({ ratePerSecond: 6 })).toThrow(/ratePerSecond/);
  });
});

describe('backoffDelay', () => {
  it('draws full jitter below an exponentially growing, capped ceiling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const delay = backoffDelay(attempt, () => r, 100, 5000);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(5000, 100 * 2 ** (attempt - 1)) + 1e-9);
      }),
    );
  });
});

describe('isTransient', () => {
  it.each([
    ['Throttling', true],
    ['ThrottlingException', true],
    ['PriorRequestNotComplete', true],
    ['InvalidChangeBatch', false],
    ['AccessDenied', false],
  ])('%s → %s', (name, expected) => {
    expect(isTransient(Object.assign(new Error('x'), { name }))).toBe(expected);
  });

  it('treats 5xx answers and dropped connections as transient', () => {
    expect(isTransient(Object.assign(new Error('x'), { name: 'Weird', $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isTransient(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient('nope')).toBe(false);
  });
});

describe('withRetry', () => {
  it('retries throttling with backoff and returns the eventual answer', async () => {
    // Prepare
    const clock = new VirtualClock();
    let calls = 0;
    const op = async () => {
      calls++;
      if (calls <= 2) throw throttling();
      return 'ok';
    };

    // Act
    const result = await withRetry('Route 53 GetChange', op, { clock, random: () => 0.5, baseDelayMs: 100 });

    // Assess
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it('rethrows a non-transient error at once', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const error = Object.assign(new Error('bad'), { name: 'InvalidChangeBatch' });
    await expect(
      withRetry(
        'op',
        async () => {
          calls++;
          throw error;
        },
        { clock },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('gives up after maxAttempts with a TransientAwsError naming the operation', async () => {
    // Prepare
    const clock = new VirtualClock();
    const retries: number[] = [];

    // Act
    const failure = await withRetry(
      'Route 53 ListHostedZones',
      async () => {
        throw throttling();
      },
      {
        clock,
        maxAttempts: 4,
        onRetry: ({ attempt }) => retries.push(attempt),
      },
    ).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(TransientAwsError);
    expect((failure as TransientAwsError).name).toBe('TransientAwsError');
    expect((failure as Error).message).toMatch(/Route 53 ListHostedZones: still failing after 4 attempts \(Throttling: Rate exceeded\)/);
    expect((failure as Error).cause).toMatchObject({ name: 'Throttling' });
    expect(retries).toEqual([1, 2, 3]);
  });
});
