// Alarm events are delivered best effort, and the router may fail on one: an ALARM or an OK
// that never reached Failover must still be acted on, by the next Reconcile, which re-reads
// the alarm states from CloudWatch (here the local CloudWatch over HTTP with the real SDK;
// nothing forwards its state-change events, so every event is dropped before the router).
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchAlarmStates } from '../../src/aws/alarm-states.ts';
import { startEndpoint, type Endpoint } from '@switchyard/local-aws';
import { LocalAlarms } from '@switchyard/local-aws/cloudwatch';
import { cloudWatchServices } from '@switchyard/local-aws/cloudwatch';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness, testFleet, type Harness } from './harness.ts';

const EAST = 'switchyard-dev-switchyard-example-east-canary';
const OTHER_STAGE = 'switchyard-prod-switchyard-example-west-canary';

let dynamo: TestDynamo;
let endpoint: Endpoint;
let alarms: LocalAlarms;
let cloudwatch: CloudWatchClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  alarms = await LocalAlarms.open();
  const metric = {
    namespace: 'AWS/Route53',
    name: 'HealthCheckStatus',
    dimensions: {},
    stat: 'Minimum',
    period: 60,
    threshold: 1,
    comparisonOperator: 'LessThanThreshold',
    evaluationPeriods: 1,
  };
  for (const name of [EAST, OTHER_STAGE]) alarms.define({ name, description: 'canary', metric });
  endpoint = await startEndpoint({ port: 0, services: cloudWatchServices(alarms) });
  cloudwatch = new CloudWatchClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  cloudwatch.destroy();
  await endpoint.close();
  await dynamo.close();
});

async function setAlarm(name: string, value: 'OK' | 'ALARM'): Promise<void> {
  await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: value, StateReason: `test: ${value}` }));
}

async function reconcile(h: Harness) {
  const outcome = await h.run('Reconcile', {});
  expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
  return outcome.output as { failedOver: unknown[]; failedBack: unknown[]; alarmsRecorded: string[] };
}

describe('Reconcile re-reads the alarm states (lost alarm events)', () => {
  it('takes out a cluster whose ALARM never reached Failover, and brings it back once its lost OK has held for the hold-down', async () => {
    // Prepare: east's alarm goes ALARM in CloudWatch; the event is dropped before the router.
    const h = await createHarness(dynamo, { fleet: testFleet({ failbackHoldDownSeconds: 0 }), alarms: cloudWatchAlarmStates([cloudwatch]) });
    await setAlarm(EAST, 'ALARM');
    h.health.clusters['east'] = 'UNHEALTHY';
    expect(h.weight('shop.example.com', 'east')).toBe(100);

    // Act
    const first = await reconcile(h);

    // Assess: recorded, taken out (as Failover would have), journaled
    expect(first.alarmsRecorded).toEqual([`${EAST} ALARM`]);
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    expect(h.records('api.example.com').map((r) => `${r.setIdentifier}:${r.failover}`)).toEqual(['west:SECONDARY']);
    expect(Object.values((await h.table.readFleet()).failovers)).toEqual([expect.objectContaining({ cluster: 'east', alarmName: EAST })]);
    expect((await h.table.listAlarms()).find((a) => a.alarmName === EAST)).toMatchObject({ cluster: 'east', state: 'ALARM' });

    // Act: the alarm goes OK, and that event is lost too
    await setAlarm(EAST, 'OK');
    h.health.clusters['east'] = 'HEALTHY';
    const second = await reconcile(h);

    // Assess: failed back, DNS first then the mark, and the journal says why
    expect(second.alarmsRecorded).toEqual([`${EAST} OK`]);
    expect(second.failedBack).toEqual([{ cluster: 'east', alarmName: EAST, apps: ['east'] }]);
    expect(h.weight('shop.example.com', 'east')).toBe(100);
    expect(
      h
        .records('api.example.com')
        .map((r) => `${r.setIdentifier}:${r.failover}`)
        .sort(),
    ).toEqual(['east:PRIMARY', 'west:SECONDARY']);
    expect((await h.table.readFleet()).failovers).toEqual({});
    const journal = await h.table.listJournal();
    expect(journal.map((e) => e.what)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^failback at reconcile: east back on east$/),
        expect.stringMatching(/^failover re-examined: .* out of east/),
      ]),
    );

    // Act: nothing new in CloudWatch: the next Reconcile records nothing and changes nothing
    const third = await reconcile(h);
    expect(third.alarmsRecorded).toEqual([]);
    expect(third.failedBack).toEqual([]);
  });

  it('keeps the cluster out while the lost OK is younger than the hold-down, or the cluster is still UNHEALTHY', async () => {
    // Prepare: out because of an ALARM Failover saw; then an OK it never saw.
    const h = await createHarness(dynamo, { fleet: testFleet({ failbackHoldDownSeconds: 3600 }), alarms: cloudWatchAlarmStates([cloudwatch]) });
    await setAlarm(EAST, 'ALARM');
    h.health.clusters['east'] = 'UNHEALTHY';
    await reconcile(h);
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    await setAlarm(EAST, 'OK');
    h.health.clusters['east'] = 'HEALTHY';

    // Act
    const held = await reconcile(h);

    // Assess: recorded, but east stays out until the hold-down is over
    expect(held.alarmsRecorded).toEqual([`${EAST} OK`]);
    expect(held.failedBack).toEqual([]);
    expect(h.weight('shop.example.com', 'east')).toBe(0);
    expect(Object.keys((await h.table.readFleet()).failovers)).toEqual(['east']);
  });

  it("ignores another stage's alarms in the same account", async () => {
    const h = await createHarness(dynamo, { alarms: cloudWatchAlarmStates([cloudwatch]) });
    await setAlarm(EAST, 'OK');
    await setAlarm(OTHER_STAGE, 'ALARM');
    h.health.clusters['west'] = 'UNHEALTHY';

    const outcome = await reconcile(h);

    expect(outcome.alarmsRecorded).toEqual([`${EAST} OK`]);
    expect(h.weight('shop.example.com', 'west')).toBeGreaterThan(0);
    expect((await h.table.readFleet()).failovers).toEqual({});
  });
});
