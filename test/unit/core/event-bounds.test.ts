import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutLists, firstOf, MAX_LISTED, someOf } from '../../../src/core/bounded.ts';
import { describeViolations } from '../../../src/core/safety.ts';
import { Route53Diverged } from '../../../src/core/errors.ts';
import { OUT_DETAIL_SCHEMAS, outEvent, type AppWeight, type OutDetail, type OutDetailType } from '../../../src/core/events.ts';

/** Step Functions' quota on a state's input (the events:putEvents state's Parameters), in UTF-8 bytes. */
const PAYLOAD_QUOTA = 262_144;
const APPS = 10_000;

const hostnames = Array.from({ length: APPS }, (_, i) => `app-${String(i).padStart(5, '0')}.a-team-with-a-rather-long-name.example.com`);
const weights: AppWeight[] = hostnames.map((hostname) => ({
  hostname,
  routing: 'weighted',
  weightBefore: 100,
  weightAfter: 0,
  before: { present: true, inTraffic: true, weight: 100 },
  after: { present: true, inTraffic: false, weight: 0 },
}));
const changes = hostnames.map((name) => ({ action: 'UPSERT' as const, name: `${name}.`, type: 'A', setIdentifier: 'west', weight: 0 }));
const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:switchyard-prod-DrainCluster:drain-west-1764780000000';

/** Every event type with every growing list at 10,000 entries, as the tasks build them. */
const FULL: { [T in OutDetailType]: OutDetail<T> } = {
  'App Onboarded': { hostname: hostnames[0]!, clusters: ['east', 'west'], changes, executionArn },
  'App Offboarded': { hostname: hostnames[0]!, cluster: 'west', remainingClusters: ['east'], changes, executionArn },
  'Records Changed': { trigger: 'reconcile', hostnames, changes, changeIds: Array.from({ length: 40 }, (_, i) => `/change/C${i}`), executionArn },
  'Cluster Drain Started': {
    cluster: 'west',
    reason: 'node upgrade',
    by: 'alice',
    steps: [50, 0],
    bakeSeconds: 60,
    weightPercentBefore: 100,
    apps: weights,
    executionArn,
  },
  'Cluster Drained': { cluster: 'west', reason: 'node upgrade', by: 'alice', weightPercentBefore: 100, weightPercentAfter: 0, apps: weights, executionArn },
  'Cluster Drain Aborted': {
    cluster: 'west',
    operation: 'drain',
    error: 'HealthDegraded',
    reason: 'a remaining cluster failed',
    rolledBack: true,
    weightPercentBefore: 50,
    weightPercentAfter: 100,
    apps: weights,
    executionArn,
  },
  'Cluster Restored': { cluster: 'west', reason: 'done', by: 'alice', weightPercentBefore: 0, weightPercentAfter: 100, apps: weights, executionArn },
  'Failover Performed': {
    cluster: 'west',
    alarmName: 'switchyard-prod-fleet-west',
    action: 'fail-open',
    reason: 'ALARM',
    apps: weights,
    failOpenApps: hostnames,
    executionArn,
  },
  'Failback Performed': { cluster: 'west', alarmName: 'switchyard-prod-fleet-west', holdDownSeconds: 300, apps: weights, executionArn },
  'Cluster Upgrade Failed': {
    cluster: 'west',
    eksClusterName: 'west',
    updateId: 'u-1',
    status: 'Failed',
    errors: ['boom'],
    intent: 'DRAINED',
    executionArn,
  },
  'Apps Without Healthy Cluster': {
    cluster: 'east',
    alarmName: 'switchyard-prod-fleet-east',
    apps: hostnames.map((hostname) => ({ hostname, drained: ['west'], unhealthy: ['east'] })),
    executionArn,
  },
};

/** What the events:putEvents state's input holds for one entry, as JSON text. */
function putEventsStateInputBytes(event: ReturnType<typeof outEvent>): number {
  return Buffer.byteLength(JSON.stringify({ Entries: [{ ...event, EventBusName: 'switchyard-prod-bus' }] }), 'utf8');
}

describe('events at fleet scale (10,000 apps)', () => {
  for (const detailType of Object.keys(FULL) as OutDetailType[]) {
    it(`${detailType}: under Step Functions' 256 KiB, its lists cut to ${MAX_LISTED} with the rest counted`, () => {
      // Act
      const event = outEvent(detailType, FULL[detailType] as never);

      // Assess
      expect(putEventsStateInputBytes(event)).toBeLessThan(PAYLOAD_QUOTA);
      const detail = event.Detail as Record<string, unknown>;
      const full = FULL[detailType] as Record<string, unknown>;
      for (const [key, value] of Object.entries(full)) {
        if (!Array.isArray(value) || value.length <= MAX_LISTED) {
          expect(detail[`${key}NotListed`]).toBeUndefined();
          continue;
        }
        if (key === 'changeIds') continue;
        expect(detail[key]).toEqual(value.slice(0, MAX_LISTED));
        expect(detail[`${key}NotListed`]).toBe(value.length - MAX_LISTED);
      }
    });
  }

  it('a list that fits is carried whole, with no count', () => {
    // Act
    const event = outEvent('Cluster Drained', { ...FULL['Cluster Drained'], apps: weights.slice(0, 3) });

    // Assess
    expect(event.Detail.apps).toHaveLength(3);
    expect(event.Detail).not.toHaveProperty('appsNotListed');
  });

  it('the contract refuses a detail that lists more than 100 apps (a producer that bypassed outEvent)', () => {
    // Act
    const parsed = OUT_DETAIL_SCHEMAS['Cluster Drained'].safeParse(FULL['Cluster Drained']);

    // Assess
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('apps');
  });
});

describe('bounded lists (property)', () => {
  it('firstOf keeps the first entries in order and counts exactly the rest', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 400 }), fc.integer({ min: 0, max: 200 }), (items, max) => {
        const { listed, notListed } = firstOf(items, max);
        expect(listed).toEqual(items.slice(0, max));
        expect(listed.length + notListed).toBe(items.length);
      }),
    );
  });

  it('cutLists adds to a count the record already has and leaves other fields alone', () => {
    // Act
    const cut = cutLists({ apps: [1, 2, 3, 4], appsNotListed: 10, cluster: 'west' }, ['apps'], 2);

    // Assess
    expect(cut).toEqual({ apps: [1, 2], appsNotListed: 12, cluster: 'west' });
  });
});

describe('error messages stay bounded, whatever the fleet size', () => {
  it('someOf names the first lines and counts the rest', () => {
    expect(someOf(['a', 'b', 'c'], 2)).toBe('a; b; and 1 more');
    expect(someOf(['a', 'b'], 2)).toBe('a; b');
  });

  it('a DrainUnsafe message over 10,000 apps names 10 and counts the rest', () => {
    // Prepare
    const violations = hostnames.map((hostname) => ({ hostname, min: 1, before: 1, after: 0, remaining: [] as string[] }));

    // Act
    const message = describeViolations(violations);

    // Assess
    expect(message).toContain(`${hostnames[9]} would keep 0 healthy active cluster(s) (none), minimum 1`);
    expect(message).not.toContain(hostnames[10]!);
    expect(message.endsWith(`; and ${APPS - 10} more`)).toBe(true);
    expect(message.length).toBeLessThan(2_000);
  });

  it('Route53Diverged names 10 differences and counts the rest', () => {
    expect(new Route53Diverged(hostnames).message.endsWith(`; and ${APPS - 10} more`)).toBe(true);
  });
});
