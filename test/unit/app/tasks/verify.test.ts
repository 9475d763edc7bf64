import { describe, expect, it } from 'vitest';
import { assertRoute53Holds, settleAndVerify } from '../../../../src/app/tasks/verify.ts';
import { route53Dns } from '../../../../src/app/dns/route53-dns.ts';
import type { FleetConfig } from '../../../../src/core/config.ts';
import { InvalidInput, Route53Diverged, TransientAwsError } from '../../../../src/core/errors.ts';
import type { ExpectedGroup } from '../../../../src/core/verify.ts';
import type { Deps, DnsVerification } from '../../../../src/core/ports.ts';

const EXPECTED: ExpectedGroup[] = [{ zoneId: 'Z1', type: 'A', setIdentifier: 'east', want: { weight: 0 }, names: ['shop.example.com.'] }];

/** A DNS port whose changes turn INSYNC after `polls` GetChange calls and whose read-back finds `differences`. */
function dnsWith(polls: number, found: string[], insyncPollMs?: number) {
  const calls: string[] = [];
  let left = polls;
  const dns = {
    ...(insyncPollMs === undefined ? {} : { insyncPollMs }),
    changeStatus: async () => {
      calls.push('GetChange');
      return --left <= 0 ? ('INSYNC' as const) : ('PENDING' as const);
    },
    verify: async (): Promise<DnsVerification> => {
      calls.push('verify');
      return { differences: found, pages: 1, setsExpected: 1, setsRead: 1 };
    },
  } as unknown as Deps['dns'];
  return { deps: { dns }, calls };
}

describe('settleAndVerify', () => {
  it('polls until INSYNC, then reads back; nothing differs: done', async () => {
    // Prepare
    const { deps, calls } = dnsWith(3, []);
    // Act
    await settleAndVerify(deps, { changeIds: ['C1'], expected: EXPECTED }, 'failover of east', { sleep: async () => undefined });
    // Assess
    expect(calls).toEqual(['GetChange', 'GetChange', 'GetChange', 'verify']);
  });

  it("sleeps the DNS port's poll interval between two PENDING answers (the local runtime's, scaled), else 1 s as on AWS", async () => {
    // Prepare
    const scaled = dnsWith(3, [], 10);
    const onAws = dnsWith(3, []);
    const slept: { scaled: number[]; onAws: number[]; given: number[] } = { scaled: [], onAws: [], given: [] };
    // Act
    await settleAndVerify(scaled.deps, { changeIds: ['C1'], expected: EXPECTED }, 'failover of east', { sleep: async (ms) => void slept.scaled.push(ms) });
    await settleAndVerify(onAws.deps, { changeIds: ['C1'], expected: EXPECTED }, 'failover of east', { sleep: async (ms) => void slept.onAws.push(ms) });
    await settleAndVerify(dnsWith(2, [], 10).deps, { changeIds: ['C1'], expected: EXPECTED }, 'failover of east', {
      pollMs: 250,
      sleep: async (ms) => void slept.given.push(ms),
    });
    // Assess
    expect(slept).toEqual({ scaled: [10, 10], onAws: [1000, 1000], given: [250] });
    expect(scaled.calls).toEqual(['GetChange', 'GetChange', 'GetChange', 'verify']);
  });

  it('refuses a poll interval that is not a number of milliseconds ≥ 0, naming it', () => {
    // Prepare
    const make = (insyncPollMs: number) => () =>
      route53Dns({ fleet: {} as FleetConfig, route53: {} as Parameters<typeof route53Dns>[0]['route53'], insyncPollMs });
    // Act, Assess
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(make(bad)).toThrow(InvalidInput);
    expect(make(-1)).toThrow('insyncPollMs -1: must be a number of milliseconds ≥ 0');
    expect(make(0)().insyncPollMs).toBe(0);
  });

  it('fails with Route53Diverged naming the step and each difference', async () => {
    // Prepare
    const { deps } = dnsWith(1, ['shop.example.com. A east (zone Z1): intended weight 0, Route 53 holds weight 100']);
    // Act
    const error = await settleAndVerify(deps, { changeIds: ['C1'], expected: EXPECTED }, 'failover of east', { sleep: async () => undefined }).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(error).toBeInstanceOf(Route53Diverged);
    expect((error as Route53Diverged).name).toBe('Route53Diverged');
    expect((error as Error).message).toContain('failover of east: shop.example.com. A east (zone Z1): intended weight 0, Route 53 holds weight 100');
  });

  it('gives up with TransientAwsError (retried by the workflow) when the change is not INSYNC by the deadline, without reading back', async () => {
    // Prepare
    const { deps, calls } = dnsWith(1_000_000, []);
    // Act
    const error = await settleAndVerify(deps, { changeIds: ['C1'], expected: EXPECTED }, 'rollback of east', {
      sleep: async () => undefined,
      deadlineMs: 0,
    }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(calls).not.toContain('verify');
  });

  it('reads back even when nothing was sent (the policy may have kept every change out)', async () => {
    // Prepare
    const { deps, calls } = dnsWith(1, ['x']);
    // Act
    const error = await assertRoute53Holds(deps, EXPECTED, 'drain east').catch((e: unknown) => e);
    await settleAndVerify(deps, { changeIds: [], expected: EXPECTED }, 'drain east').catch(() => undefined);
    // Assess
    expect(error).toBeInstanceOf(Route53Diverged);
    expect(calls).toEqual(['verify', 'verify']);
  });
});
