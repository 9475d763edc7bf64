import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../../src/eventbridge/schedule.ts';

describe('parseSchedule', () => {
  it.each([
    ['rate(1 minute)', { kind: 'rate', milliseconds: 60_000 }],
    ['rate(5 minutes)', { kind: 'rate', milliseconds: 300_000 }],
    ['rate(2 hours)', { kind: 'rate', milliseconds: 7_200_000 }],
    ['rate(1 day)', { kind: 'rate', milliseconds: 86_400_000 }],
    ['cron(0/5 * * * ? *)', { kind: 'cron', expression: '0/5 * * * ? *' }],
  ])('reads %s', (expression, expected) => {
    expect(parseSchedule(expression)).toEqual(expected);
  });

  it.each(['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(5 seconds)', 'cron(* * * *)', 'every 5 minutes'])(
    'refuses %s as EventBridge does',
    (expression) => {
      expect(parseSchedule(expression)).toBeUndefined();
    },
  );
});
