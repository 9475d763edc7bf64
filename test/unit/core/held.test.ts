import { describe, expect, it } from 'vitest';
import { holdSilentClusters } from '../../../src/core/held.ts';
import type { PublishedEndpoint } from '../../../src/core/model.ts';

const ep = (cluster: string): PublishedEndpoint => ({
  hostname: `canary-${cluster}.example.com`,
  cluster,
  kind: 'Gateway',
  gateway: 'canary/httpbin',
  annotations: {},
});

describe('holdSilentClusters', () => {
  it('holds a cluster that published nothing where it published before, and nothing else', () => {
    const read = { endpoints: [ep('east')], problems: [{ subject: 'west', cluster: 'west', reason: 'cannot read' }], unreachable: ['west'] };
    const before = new Map([
      ['east', 'it published 3 endpoint(s) before'],
      ['west', 'it published 1 endpoint(s) before'],
      ['eu', 'Route 53 holds 2 record set(s) of it'],
    ]);

    const held = holdSilentClusters(read, ['east', 'west', 'eu', 'new'], before);

    expect(held.unreachable).toEqual(['west', 'eu']);
    expect(held.endpoints).toEqual([ep('east')]);
    expect(held.problems).toEqual([
      { subject: 'west', cluster: 'west', reason: 'cannot read' },
      {
        subject: 'eu',
        cluster: 'eu',
        reason:
          'the source published nothing for it (not even its canary), but Route 53 holds 2 record set(s) of it: the cluster is held, its records are left as they are (remove it from fleet.yaml to withdraw it)',
      },
    ]);
    expect(holdSilentClusters(read, ['east', 'west'], before)).toBe(read);
  });
});
