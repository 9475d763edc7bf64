// A bus flattens each event once and matches it against all its rules (FlattenedEvent): the
// answer must be the one the raw event gets, for every pattern.
import { describe, expect, it } from 'vitest';
import { compilePattern, FlattenedEvent } from '../../../src/eventbridge/pattern.ts';

const EVENTS: unknown[] = [
  {
    source: 'switchyard',
    'detail-type': 'Cluster Drained',
    detail: {
      cluster: 'east',
      weight: 0,
      apps: [
        { hostname: 'a.example.com', state: 'out' },
        { hostname: 'b.example.com', state: 'in' },
      ],
    },
  },
  {
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    detail: { alarmName: 'switchyard-dev-x-east-canary', state: { value: 'ALARM' } },
  },
  { source: 'aws.states', detail: { status: 'ABORTED', stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:switchyard-dev-DrainCluster' } },
];
const PATTERNS = [
  { source: ['switchyard'] },
  { detail: { cluster: [{ 'anything-but': ['west'] }], weight: [{ numeric: ['<', 1] }] } },
  { detail: { apps: { hostname: ['a.example.com'], state: ['in'] } } },
  { detail: { apps: { hostname: ['b.example.com'], state: ['in'] } } },
  { 'detail.state.value': ['ALARM'], detail: { alarmName: [{ wildcard: 'switchyard-dev-*-canary' }] } },
  { source: ['aws.states'], detail: { status: ['ABORTED', 'FAILED'], stateMachineArn: [{ suffix: '-DrainCluster' }] } },
  { $or: [{ source: ['nope'] }, { detail: { missing: [{ exists: false }] } }] },
];

describe('FlattenedEvent', () => {
  it('matches exactly as the raw event does, whatever the pattern', () => {
    for (const event of EVENTS) {
      const flat = new FlattenedEvent(event);
      for (const source of PATTERNS) {
        const pattern = compilePattern(source);
        expect(pattern.matches(flat), JSON.stringify({ source, event })).toBe(pattern.matches(event));
      }
    }
    // and the table is not trivial: some pairs match, some do not
    const outcomes = EVENTS.flatMap((e) => PATTERNS.map((p) => compilePattern(p).matches(e)));
    expect(outcomes).toContain(true);
    expect(outcomes).toContain(false);
  });
});
