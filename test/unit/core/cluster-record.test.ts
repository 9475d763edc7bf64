import { describe, expect, it } from 'vitest';
import { appWeightSchema, describeClusterRecord } from '../../../src/core/events.ts';

describe('describeClusterRecord', () => {
  it('names what the routing policy sets, or absent', () => {
    expect(describeClusterRecord({ present: true, inTraffic: true, weight: 100 })).toBe('weight 100');
    expect(describeClusterRecord({ present: true, inTraffic: false, weight: 0 })).toBe('weight 0');
    expect(describeClusterRecord({ present: true, inTraffic: true, role: 'SECONDARY' })).toBe('SECONDARY');
    expect(describeClusterRecord({ present: true, inTraffic: true, region: 'eu-west-1' })).toBe('eu-west-1');
    expect(describeClusterRecord({ present: true, inTraffic: false })).toBe('present (out of traffic)');
    expect(describeClusterRecord({ present: false, inTraffic: false })).toBe('absent');
    expect(describeClusterRecord(undefined)).toBe('?');
  });

  it('the event schema keeps before/after for every policy and refuses a malformed one', () => {
    const app = {
      hostname: 'api.example.com',
      routing: 'failover',
      before: { present: true, inTraffic: true, role: 'PRIMARY' },
      after: { present: false, inTraffic: false },
    };
    expect(appWeightSchema.parse(app)).toEqual(app);
    expect(appWeightSchema.safeParse({ ...app, after: { inTraffic: false } }).success).toBe(false);
  });
});
