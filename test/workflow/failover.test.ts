import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import type { SharedReads } from '../../src/core/ports.ts';
import { alarmEvent, createHarness, testFleet, type Harness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

const EAST = 'switchyard-dev-switchyard-example-east-canary';

async function failedOver(h: Harness, name = EAST, at = '2026-11-27T10:00:00.000Z'): Promise<void> {
  h.health.clusters['east'] = 'UNHEALTHY';
  const outcome = await h.run('Failover', alarmEvent(name, 'ALARM', at));
  expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
}

describe('Failover', () => {
  it('ALARM takes the cluster out of every app another healthy cluster serves, and says so', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    // Act
    await failedOver(h);
    // Assess
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    expect(h.records('api.example.com').map((r) => `${r.setIdentifier}:${r.failover}`)).toEqual(['west:SECONDARY']);
    expect(h.records('docs.example.com').map((r) => r.setIdentifier)).toEqual(['eu']);
    expect(h.records('canary-east.example.com')).toHaveLength(1);
    const state = await h.table.readFleet();
    expect(Object.values(state.failovers)).toEqual([expect.objectContaining({ cluster: 'east', alarmName: EAST })]);
    expect(state.locks).toEqual({});
    expect(h.eventsOf('Failover Performed')).toEqual([
      expect.objectContaining({
        cluster: 'east',
        alarmName: EAST,
        action: 'taken-out',
        failOpenApps: [],
        apps: expect.arrayContaining([expect.objectContaining({ hostname: 'shop.example.com', routing: 'weighted', weightBefore: 100, weightAfter: 0 })]),
      }),
    ]);
    expect(await h.table.listAlarms()).toEqual([expect.objectContaining({ alarmName: EAST, cluster: 'east', state: 'ALARM' })]);
  });

  it('ALARM reads the catalogue, the alarm records and the owned health checks once: Decide needs no catalogue for a cluster alarm, and the health snapshot and the DNS apply share the rest', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    const reads: Array<SharedReads | undefined> = [];
    let catalogueReads = 0;
    const listApps = h.deps.table.listApps.bind(h.deps.table);
    h.deps.table.listApps = () => {
      catalogueReads++;
      return listApps();
    };
    const snapshot = h.deps.health.snapshot.bind(h.deps.health);
    h.deps.health.snapshot = (clusters, shared) => {
      reads.push(shared);
      return snapshot(clusters, shared);
    };
    // Act
    await failedOver(h);
    // Assess
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    expect(h.route53.calls.filter((c) => c === 'ListHealthChecks')).toHaveLength(1);
    expect(catalogueReads).toBe(1);
    expect(reads).toEqual([
      {
        alarms: [expect.objectContaining({ alarmName: EAST, state: 'ALARM' })],
        ownedHealthChecks: expect.arrayContaining([expect.objectContaining({ cluster: 'east' })]),
      },
    ]);
  });

  it('fails open for an app no other healthy cluster serves, and takes the rest out', async () => {
    // Prepare: eu is down too, so docs (east + eu) has nowhere else to go.
    const h = await createHarness(dynamo, { health: { east: 'UNHEALTHY', west: 'HEALTHY', eu: 'UNHEALTHY' } });
    // Act
    const outcome = await h.run('Failover', alarmEvent(EAST, 'ALARM', '2026-11-27T10:00:00.000Z'));
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(
      h
        .records('docs.example.com')
        .map((r) => r.setIdentifier)
        .sort(),
    ).toEqual(['east', 'eu']);
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    const state = await h.table.readFleet();
    expect(Object.keys(state.failovers).sort()).toEqual(['east|api.example.com', 'east|shop.example.com']);
    expect(h.eventsOf('Failover Performed')[0]).toMatchObject({ action: 'taken-out', failOpenApps: ['docs.example.com'] });
  });

  it('a per-app alarm takes only that app out of the cluster', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    // Act
    const outcome = await h.run('Failover', alarmEvent('switchyard-dev-switchyard-example-east--shop.example.com', 'ALARM', '2026-11-27T10:00:00.000Z'));
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    expect(
      h
        .records('api.example.com')
        .map((r) => r.setIdentifier)
        .sort(),
    ).toEqual(['east', 'west']);
    expect(h.eventsOf('Failover Performed')[0]).toMatchObject({ cluster: 'east', hostname: 'shop.example.com', action: 'taken-out' });
  });

  it('OK brings the cluster back after the hold-down when the alarm stayed OK', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await failedOver(h);
    h.health.clusters['east'] = 'HEALTHY';
    // Act
    const outcome = await h.run('Failover', alarmEvent(EAST, 'OK', '2026-11-27T10:05:00.000Z'));
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(
      outcome.history.filter((e) => e.type === 'WaitStateEntered'),
      'the hold-down is kept when something is out',
    ).toHaveLength(1);
    expect(h.weight('shop.example.com', 'east')).toBe(100);
    expect(
      h
        .records('api.example.com')
        .map((r) => r.setIdentifier)
        .sort(),
    ).toEqual(['east', 'west']);
    expect((await h.table.readFleet()).failovers).toEqual({});
    expect(h.eventsOf('Failback Performed')).toEqual([expect.objectContaining({ cluster: 'east', alarmName: EAST, holdDownSeconds: 300 })]);
  });

  it('an OK with nothing out because of the alarm (a new alarm: INSUFFICIENT_DATA → OK) ends at once, before the hold-down', async () => {
    // Prepare: nothing failed over; a per-app alarm of west and another east alarm are OK too.
    const h = await createHarness(dynamo);
    await failedOver(h, 'switchyard-dev-switchyard-example-east-other', '2026-11-27T09:00:00.000Z');
    h.events.length = 0;
    // Act
    const fresh = await h.run('Failover', alarmEvent('switchyard-dev-switchyard-example-west-canary', 'OK', '2026-11-27T10:00:00.000Z'));
    const perApp = await h.run('Failover', alarmEvent('switchyard-dev-switchyard-example-west--shop.example.com', 'OK', '2026-11-27T10:00:00.000Z'));
    const otherAlarm = await h.run('Failover', alarmEvent(EAST, 'OK', '2026-11-27T10:00:00.000Z'));
    // Assess
    for (const outcome of [fresh, perApp, otherAlarm]) {
      expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { ignored: true, reason: expect.stringContaining('nothing to fail back') } });
      expect(outcome.history.filter((e) => e.type === 'WaitStateEntered')).toEqual([]);
    }
    expect(otherAlarm.output).toMatchObject({ reason: expect.stringContaining('nothing of cluster east is out because of it') });
    expect(h.events).toEqual([]);
    expect(h.weight('shop.example.com', 'east'), "the other alarm's take-out stands").toBe(0);
    expect((await h.table.listAlarms()).map((a) => `${a.alarmName}:${a.state}`).sort()).toEqual([
      'switchyard-dev-switchyard-example-east-canary:OK',
      'switchyard-dev-switchyard-example-east-other:ALARM',
      'switchyard-dev-switchyard-example-west--shop.example.com:OK',
      'switchyard-dev-switchyard-example-west-canary:OK',
    ]);
  });

  it("an OK arriving while the ALARM's take-out is under way leaves nothing out (the take-out sees the OK and undoes its marks)", async () => {
    // Prepare: the OK's Failover runs (and finds no marks yet) after the take-out checked the alarm, before it writes.
    const h = await createHarness(dynamo);
    h.health.clusters['east'] = 'UNHEALTHY';
    const snapshot = h.deps.health.snapshot.bind(h.deps.health);
    let okOutcome: Awaited<ReturnType<Harness['run']>> | undefined;
    let injected = false;
    h.deps.health.snapshot = async (clusters) => {
      if (!injected) {
        injected = true;
        h.health.clusters['east'] = 'HEALTHY';
        okOutcome = await h.run('Failover', alarmEvent(EAST, 'OK', '2026-11-27T10:01:00.000Z'));
        h.health.clusters['east'] = 'UNHEALTHY';
      }
      return snapshot(clusters);
    };
    // Act
    const alarmOutcome = await h.run('Failover', alarmEvent(EAST, 'ALARM', '2026-11-27T10:00:00.000Z'));
    // Assess
    expect(okOutcome?.output).toMatchObject({ ignored: true, reason: expect.stringContaining('nothing to fail back') });
    expect(alarmOutcome).toMatchObject({
      status: 'SUCCEEDED',
      output: { applied: false, reason: expect.stringContaining('changed state while taking cluster east out') },
    });
    const state = await h.table.readFleet();
    expect(state.failovers).toEqual({});
    expect(state.locks).toEqual({});
    expect(h.weight('shop.example.com', 'east')).toBe(100);
    expect(h.eventsOf('Failover Performed')).toEqual([]);
  });

  it('does not fail back when the alarm fired again during the hold-down', async () => {
    // Prepare
    let again = false;
    const h: Harness = await createHarness(dynamo, {
      wrap: (name, task) =>
        name === 'failbackApply' && !again
          ? async (input) => {
              again = true;
              await h.table.recordAlarm({ alarmName: EAST, cluster: 'east', state: 'ALARM', timestamp: '2026-11-27T10:06:00.000Z' });
              return task(input);
            }
          : task,
    });
    await failedOver(h);
    // Act
    const outcome = await h.run('Failover', alarmEvent(EAST, 'OK', '2026-11-27T10:05:00.000Z'));
    // Assess
    expect(outcome).toMatchObject({
      status: 'SUCCEEDED',
      output: { failedBack: false, reason: expect.stringContaining('changed state during the hold-down') },
    });
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    expect(h.eventsOf('Failback Performed')).toEqual([]);
  });

  it('does not fail back when the cluster is UNHEALTHY after the hold-down, and writes nothing', async () => {
    // Prepare: the alarm went OK, but the canary still fails when the hold-down ends.
    const h = await createHarness(dynamo);
    await failedOver(h);
    const before = await h.table.readFleet();
    h.route53.calls.length = 0;
    // Act
    const outcome = await h.run('Failover', alarmEvent(EAST, 'OK', '2026-11-27T10:05:00.000Z'));
    // Assess
    expect(outcome).toMatchObject({
      status: 'SUCCEEDED',
      output: { failedBack: false, reason: 'east is UNHEALTHY after the hold-down; not failing back' },
    });
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    expect(h.route53.calls.filter((c) => c === 'ChangeResourceRecordSets')).toEqual([]);
    const after = await h.table.readFleet();
    expect(after.failovers).toEqual(before.failovers);
    expect(after.locks).toEqual({});
    expect(h.eventsOf('Failback Performed')).toEqual([]);
  });

  it('OK reads the alarm records and the owned health checks once: the re-check after the hold-down and the DNS apply share them', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await failedOver(h);
    h.health.clusters['east'] = 'HEALTHY';
    const reads: Array<SharedReads | undefined> = [];
    const snapshot = h.deps.health.snapshot.bind(h.deps.health);
    h.deps.health.snapshot = (clusters, shared) => {
      reads.push(shared);
      return snapshot(clusters, shared);
    };
    h.route53.calls.length = 0;
    // Act
    const outcome = await h.run('Failover', alarmEvent(EAST, 'OK', '2026-11-27T10:05:00.000Z'));
    // Assess
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { applied: true, reason: 'failed back' } });
    expect(h.weight('shop.example.com', 'east')).toBe(100);
    expect(h.route53.calls.filter((c) => c === 'ListHealthChecks')).toHaveLength(1);
    expect(reads).toEqual([
      {
        alarms: [expect.objectContaining({ alarmName: EAST, state: 'OK' })],
        ownedHealthChecks: expect.arrayContaining([expect.objectContaining({ cluster: 'east' })]),
      },
    ]);
  });

  it('waits the configured hold-down (a Wait state reading failbackHoldDownSeconds)', async () => {
    // Prepare
    const h = await createHarness(dynamo, { fleet: testFleet({ failbackHoldDownSeconds: 42 }) });
    await failedOver(h);
    // Act
    const outcome = await h.run('Failover', alarmEvent(EAST, 'OK', '2026-11-27T10:05:00.000Z'));
    // Assess
    const wait = outcome.history.find((e) => e.type === 'WaitStateEntered');
    expect(JSON.parse((wait as unknown as { stateEnteredEventDetails: { input: string } }).stateEnteredEventDetails.input)).toMatchObject({
      decision: { holdDownSeconds: 42 },
    });
  });

  it("ignores alarms that are not the fleet's, stale states and INSUFFICIENT_DATA", async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await failedOver(h, EAST, '2026-11-27T10:00:00.000Z');
    h.events.length = 0;
    // Act
    const foreign = await h.run('Failover', alarmEvent('billing-alarm', 'ALARM', '2026-11-27T10:01:00.000Z'));
    const stale = await h.run('Failover', alarmEvent(EAST, 'OK', '2026-11-27T09:00:00.000Z'));
    const noData = await h.run('Failover', alarmEvent(EAST, 'INSUFFICIENT_DATA', '2026-11-27T10:02:00.000Z'));
    // Assess
    expect(foreign.output).toMatchObject({ ignored: true, reason: expect.stringContaining("is not one of stage dev's of fleet switchyard-example") });
    expect(stale.output).toMatchObject({ ignored: true, reason: expect.stringContaining('newer state') });
    expect(noData.output).toMatchObject({ ignored: true, reason: expect.stringContaining('insufficient data') });
    expect(h.events).toEqual([]);
    expect(h.weight('shop.example.com', 'east')).toBe(0);
  });

  it("ignores the same fleet's alarms of another stage: prod's east canary changes nothing in dev", async () => {
    // Prepare: dev and prod deploy the same fleet in one account; dev runs the Failover.
    const h = await createHarness(dynamo, { stage: 'dev' });
    h.health.clusters['east'] = 'UNHEALTHY';
    // Act
    const prodAlarm = await h.run('Failover', alarmEvent('switchyard-prod-switchyard-example-east-canary', 'ALARM', '2026-11-27T10:00:00.000Z'));
    const dev2Alarm = await h.run('Failover', alarmEvent('switchyard-dev2-switchyard-example-east-canary', 'ALARM', '2026-11-27T10:00:00.000Z'));
    // Assess
    expect(prodAlarm.output).toEqual({
      ignored: true,
      reason:
        "alarm switchyard-prod-switchyard-example-east-canary is not one of stage dev's of fleet switchyard-example (switchyard-dev-switchyard-example-<cluster>...)",
    });
    expect(dev2Alarm.output).toMatchObject({ ignored: true, reason: expect.stringContaining("is not one of stage dev's") });
    expect(h.weight('shop.example.com', 'east')).toBe(100);
    expect(await h.table.listAlarms()).toEqual([]);
    expect((await h.table.readFleet()).failovers).toEqual({});
    expect(h.events).toEqual([]);
  });

  it('rejects an input that is not an alarm state change', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    // Act
    const outcome = await h.run('Failover', { hello: 'world' });
    // Assess
    expect(outcome.error).toBe('InvalidInput');
  });
});

describe('Failover retries', () => {
  it('a take-out retried after its marks were written still brings DNS in line (idempotent)', async () => {
    // Prepare: the first failoverApply writes the marks, then its DNS call fails.
    let calls = 0;
    const h: Harness = await createHarness(dynamo, {
      wrap: (name, task) =>
        name === 'failoverApply'
          ? async (input) => {
              if (++calls === 1) {
                const apply = h.deps.dns.apply.bind(h.deps.dns);
                h.deps.dns.apply = async () => {
                  h.deps.dns.apply = apply;
                  throw Object.assign(new Error('Route 53 throttled'), { name: 'TransientAwsError' });
                };
              }
              return task(input);
            }
          : task,
    });
    h.health.clusters['east'] = 'UNHEALTHY';
    // Act
    const outcome = await h.run('Failover', alarmEvent(EAST, 'ALARM', '2026-11-27T10:00:00.000Z'));
    // Assess
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    expect(calls).toBe(2);
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    expect((await h.table.readFleet()).locks).toEqual({});
  });
});

describe('Failover next to a drained cluster', () => {
  const WEST = 'switchyard-dev-switchyard-example-west-canary';

  it('a failure that leaves an app with no healthy cluster keeps the DRAINED cluster drained and names the unserved apps', async () => {
    // Prepare: east drained (an upgrade may be under way); api.example.com is east + west.
    const h = await createHarness(dynamo);
    expect((await h.run('DrainCluster', { cluster: 'east', reason: 'node upgrade', steps: [0] })).status).toBe('SUCCEEDED');
    h.events.length = 0;
    h.health.clusters['west'] = 'UNHEALTHY';
    // Act
    const outcome = await h.run('Failover', alarmEvent(WEST, 'ALARM', '2026-11-27T10:00:00.000Z'));
    // Assess: east stays drained, west stays in for api (fail open), and the bus hears which apps are unserved.
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    const state = await h.table.readFleet();
    expect(state.intents['east']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
    expect(state.locks).toEqual({});
    expect(h.records('api.example.com').map((r) => `${r.setIdentifier}:${r.failover}`)).toEqual(['west:SECONDARY']);
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    expect(h.eventsOf('Failover Performed')).toEqual([expect.objectContaining({ cluster: 'west', action: 'taken-out', failOpenApps: ['api.example.com'] })]);
    expect(h.eventsOf('Apps Without Healthy Cluster')).toEqual([
      {
        cluster: 'west',
        alarmName: WEST,
        apps: [{ hostname: 'api.example.com', drained: ['east'], unhealthy: ['west'] }],
        executionArn: expect.stringContaining(':Failover:'),
      },
    ]);
  });

  it('a failure that leaves every app a healthy cluster emits no such event', async () => {
    // Prepare: nothing drained; west serves api (east stays) and shop (east, eu stay).
    const h = await createHarness(dynamo);
    h.health.clusters['west'] = 'UNHEALTHY';
    // Act
    const outcome = await h.run('Failover', alarmEvent(WEST, 'ALARM', '2026-11-27T10:00:00.000Z'));
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(h.eventsOf('Failover Performed')).toEqual([expect.objectContaining({ cluster: 'west', action: 'taken-out', failOpenApps: [] })]);
    expect(h.eventsOf('Apps Without Healthy Cluster')).toEqual([]);
  });
});
