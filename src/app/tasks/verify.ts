// Every step is read back: once Route 53 reports a step's changes INSYNC, the sets the
// step intended are listed again and compared (docs/dns.md, "Every step is read back").
// A set that is not as intended fails the step with Route53Diverged, which is never
// retried: the workflow rolls the operation back.
import { Route53Diverged, TransientAwsError } from '../../core/errors.ts';
import { expectedCount, type ExpectedGroup } from '../../core/verify.ts';
import type { Deps, DnsApplyResult, DnsVerification } from '../../core/ports.ts';

/** Reads `expected` back; Route53Diverged naming `what` and every set that differs. */
export async function assertRoute53Holds(deps: Pick<Deps, 'dns'>, expected: readonly ExpectedGroup[], what: string): Promise<DnsVerification | undefined> {
  if (expectedCount(expected) === 0) return undefined;
  const verification = await deps.dns.verify(expected);
  if (verification.differences.length > 0)
    throw new Route53Diverged(
      verification.differences.map((d) => `${what}: ${d}`),
      { step: what, pages: verification.pages },
    );
  return verification;
}

/** How a task that does not poll INSYNC in its workflow waits for it (failover, failback, rollback). */
export interface SettleOptions {
  /** Between two GetChange polls (default: the DNS port's insyncPollMs, else 1 s; Route 53 usually needs well under a minute). */
  pollMs?: number;
  /** Give up after this long (default 60 s, inside the tasks' 120 s timeout): TransientAwsError, retried by the workflow. */
  deadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Waits until `result`'s changes are INSYNC, then reads its sets back (assertRoute53Holds). */
export async function settleAndVerify(
  deps: Pick<Deps, 'dns'>,
  result: Pick<DnsApplyResult, 'changeIds' | 'expected'>,
  what: string,
  options: SettleOptions = {},
): Promise<void> {
  const pollMs = options.pollMs ?? deps.dns.insyncPollMs ?? 1000;
  const deadlineMs = options.deadlineMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  if (result.changeIds.length > 0) {
    while ((await deps.dns.changeStatus(result.changeIds)) !== 'INSYNC') {
      if (Date.now() - started >= deadlineMs) {
        throw new TransientAwsError(
          `${what}: Route 53 did not report changes ${result.changeIds.join(', ')} INSYNC within ${Math.round(deadlineMs / 1000)} s`,
          { changeIds: result.changeIds },
        );
      }
      await sleep(pollMs);
    }
  }
  await assertRoute53Holds(deps, result.expected, what);
}
