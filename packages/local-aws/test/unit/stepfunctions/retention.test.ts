import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecutionSummary } from '../../../src/stepfunctions/execution-store.ts';
import { executionsToPrune, type RetentionPolicy } from '../../../src/stepfunctions/retention.ts';

const DAY_MS = 86_400_000;
const NOW = Date.parse('2030-06-01T00:00:00Z');
const POLICY: RetentionPolicy = { closedDays: 90, maxClosedPerStateMachine: 3 };

function summary(machine: string, name: string, status: ExecutionSummary['status'], stoppedDaysAgo?: number): ExecutionSummary {
  const stopDate = stoppedDaysAgo === undefined ? undefined : NOW - stoppedDaysAgo * DAY_MS;
  return {
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:${machine}:${name}`,
    stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:${machine}`,
    name,
    status,
    startDate: (stopDate ?? NOW) - 1000,
    ...(stopDate === undefined ? {} : { stopDate }),
  };
}

describe('executionsToPrune', () => {
  it('chooses closed executions stopped more than 90 days ago, never running ones', () => {
    const doomed = executionsToPrune(
      [summary('M', 'old', 'SUCCEEDED', 91), summary('M', 'recent', 'FAILED', 89), summary('M', 'running', 'RUNNING')],
      NOW,
      POLICY,
    );
    expect(doomed).toEqual([summary('M', 'old', 'SUCCEEDED', 91).executionArn]);
  });

  it('keeps the newest closed executions of each state machine up to the maximum', () => {
    const summaries = [
      ...[1, 2, 3, 4, 5].map((days) => summary('A', `a${days}`, 'SUCCEEDED', days)),
      ...[1, 2].map((days) => summary('B', `b${days}`, 'SUCCEEDED', days)),
    ];
    expect(executionsToPrune(summaries, NOW, POLICY).sort()).toEqual(
      [summary('A', 'a4', 'SUCCEEDED', 4).executionArn, summary('A', 'a5', 'SUCCEEDED', 5).executionArn].sort(),
    );
    expect(executionsToPrune(summaries, NOW, POLICY, 1).length).toBe(5);
  });

  it('property: what is kept is within the policy, and nothing within it is chosen', () => {
    const arbitrary = fc.array(fc.record({ machine: fc.constantFrom('A', 'B', 'C'), running: fc.boolean(), days: fc.integer({ min: 0, max: 200 }) }), {
      maxLength: 60,
    });
    fc.assert(
      fc.property(arbitrary, (specs) => {
        const summaries = specs.map((spec, i) => summary(spec.machine, `e${i}`, spec.running ? 'RUNNING' : 'SUCCEEDED', spec.running ? undefined : spec.days));
        const doomed = new Set(executionsToPrune(summaries, NOW, POLICY));
        const kept = summaries.filter((s) => !doomed.has(s.executionArn));
        for (const s of summaries) if (s.status === 'RUNNING') expect(doomed.has(s.executionArn)).toBe(false);
        for (const machine of ['A', 'B', 'C']) {
          const closedKept = kept.filter((s) => s.status !== 'RUNNING' && s.stateMachineArn.endsWith(`:${machine}`));
          expect(closedKept.length).toBeLessThanOrEqual(POLICY.maxClosedPerStateMachine);
          for (const s of closedKept) expect(s.stopDate!).toBeGreaterThanOrEqual(NOW - 90 * DAY_MS);
          // Every pruned one within 90 days is older than every kept one of its machine.
          const prunedRecent = summaries.filter(
            (s) => doomed.has(s.executionArn) && s.stateMachineArn.endsWith(`:${machine}`) && s.stopDate! >= NOW - 90 * DAY_MS,
          );
          for (const p of prunedRecent) for (const k of closedKept) expect(p.stopDate!).toBeLessThanOrEqual(k.stopDate!);
        }
      }),
      { verbose: true },
    );
  });
});
