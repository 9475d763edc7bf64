// The local alarms and their CloudWatch API (JSON 1.0 through SDK v3; the CBOR side is
// exercised with the AWS CLI and boto3 in test/e2e/wire.test.ts).
import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cbor } from '@smithy/core/cbor';
import { startEndpoint, type Endpoint } from '../../src/endpoint.ts';
import { LocalAlarms, type AlarmEvent } from '../../src/cloudwatch/alarms.ts';
import { cloudWatchServices } from '../../src/cloudwatch/service.ts';
import { temporaryFolder } from '../integration/harness.ts';

const metric = (id: string) => ({
  namespace: 'AWS/Route53',
  name: 'HealthCheckStatus',
  dimensions: { HealthCheckId: id },
  period: 60,
  stat: 'Minimum',
  threshold: 1,
  comparisonOperator: 'LessThanThreshold',
  evaluationPeriods: 1,
});

describe('LocalAlarms', () => {
  it("starts an alarm in INSUFFICIENT_DATA and sends CloudWatch's event on each change of its state value only", async () => {
    // Prepare
    const events: AlarmEvent[] = [];
    const alarms = await LocalAlarms.open({ onStateChange: (e) => events.push(e), clock: () => new Date('2030-01-02T03:04:05.678Z') });
    alarms.define({ name: 'switchyard-x-east-canary', description: 'east canary', metric: metric('hc-1') });
    // Act
    alarms.setState('switchyard-x-east-canary', 'ALARM', 'Threshold Crossed', '{"v":1}');
    alarms.setState('switchyard-x-east-canary', 'ALARM', 'still failing');
    // Assess
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      source: 'aws.cloudwatch',
      detailType: 'CloudWatch Alarm State Change',
      resources: ['arn:aws:cloudwatch:us-east-1:000000000000:alarm:switchyard-x-east-canary'],
      time: new Date('2030-01-02T03:04:05.678Z'),
      detail: {
        alarmName: 'switchyard-x-east-canary',
        state: { value: 'ALARM', reason: 'Threshold Crossed', reasonData: '{"v":1}', timestamp: '2030-01-02T03:04:05.678+0000' },
        previousState: { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', timestamp: '2030-01-02T03:04:05.678+0000' },
        configuration: {
          description: 'east canary',
          metrics: [
            {
              id: 'm-switchyard-x-east-canary',
              metricStat: {
                metric: { namespace: 'AWS/Route53', name: 'HealthCheckStatus', dimensions: { HealthCheckId: 'hc-1' } },
                period: 60,
                stat: 'Minimum',
              },
              returnData: true,
            },
          ],
        },
      },
    });
    expect(alarms.get('switchyard-x-east-canary')).toMatchObject({ state: 'ALARM', reason: 'still failing' });
    expect(alarms.setState('nope', 'OK', 'x')).toBe(false);
  });

  it('keeps states across a restart and keeps the state when the definition is repeated', async () => {
    // Prepare
    const folder = await temporaryFolder('alarms');
    const first = await LocalAlarms.open({ stateDir: folder.path });
    first.define({ name: 'a', description: 'd', metric: metric('hc-1') });
    first.setState('a', 'OK', 'fine');
    await first.flush();
    // Act
    const second = await LocalAlarms.open({ stateDir: folder.path });
    second.define({ name: 'a', description: 'd2', metric: metric('hc-2') });
    // Assess
    expect(second.get('a')).toMatchObject({ state: 'OK', reason: 'fine', description: 'd2', metric: { dimensions: { HealthCheckId: 'hc-2' } } });
    await folder.remove();
  });
});

describe('CloudWatch API on the local endpoint', () => {
  let endpoint: Endpoint;
  let client: CloudWatchClient;
  let alarms: LocalAlarms;
  const sent: AlarmEvent[] = [];

  beforeAll(async () => {
    alarms = await LocalAlarms.open({ onStateChange: (e) => sent.push(e) });
    for (const name of ['switchyard-x-east-canary', 'switchyard-x-west-canary', 'other-alarm'])
      alarms.define({ name, description: name, metric: metric(name) });
    alarms.setState('switchyard-x-west-canary', 'OK', 'fine');
    endpoint = await startEndpoint({ port: 0, services: cloudWatchServices(alarms), log: () => undefined });
    client = new CloudWatchClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await endpoint.close();
  });

  it('DescribeAlarms filters by prefix, names and state, and pages', async () => {
    // Act
    const byPrefix = await client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'switchyard-x-' }));
    const byName = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['other-alarm'] }));
    const ok = await client.send(new DescribeAlarmsCommand({ StateValue: 'OK' }));
    const page1 = await client.send(new DescribeAlarmsCommand({ MaxRecords: 2 }));
    const page2 = await client.send(new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: page1.NextToken }));
    // Assess
    expect(byPrefix.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['switchyard-x-east-canary', 'switchyard-x-west-canary']);
    expect(byName.MetricAlarms?.[0]).toMatchObject({
      AlarmName: 'other-alarm',
      StateValue: 'INSUFFICIENT_DATA',
      MetricName: 'HealthCheckStatus',
      Namespace: 'AWS/Route53',
      Dimensions: [{ Name: 'HealthCheckId', Value: 'other-alarm' }],
    });
    expect(byName.MetricAlarms?.[0]?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect(ok.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['switchyard-x-west-canary']);
    expect([...(page1.MetricAlarms ?? []), ...(page2.MetricAlarms ?? [])].map((a) => a.AlarmName)).toEqual([
      'other-alarm',
      'switchyard-x-east-canary',
      'switchyard-x-west-canary',
    ]);
    expect(page2.NextToken).toBeUndefined();
  });

  it('SetAlarmState changes the state and sends the state-change event, as on AWS', async () => {
    // Act
    await client.send(new SetAlarmStateCommand({ AlarmName: 'switchyard-x-east-canary', StateValue: 'ALARM', StateReason: 'testing the failover' }));
    // Assess
    expect(alarms.get('switchyard-x-east-canary')?.state).toBe('ALARM');
    expect(sent.at(-1)?.detail).toMatchObject({ alarmName: 'switchyard-x-east-canary', state: { value: 'ALARM', reason: 'testing the failover' } });
  });

  it.each([
    ['an unknown alarm', { AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' }, { name: 'ResourceNotFound', Code: 'ResourceNotFound' }],
    ['a state that does not exist', { AlarmName: 'other-alarm', StateValue: 'BROKEN', StateReason: 'x' }, { Code: 'ValidationError' }],
    [
      'reason data that is not JSON',
      { AlarmName: 'other-alarm', StateValue: 'OK', StateReason: 'x', StateReasonData: '{nope' },
      { name: 'InvalidFormatFault', Code: 'InvalidFormat' },
    ],
  ])('SetAlarmState refuses %s', async (_what, input, error) => {
    // Act / Assess
    await expect(client.send(new SetAlarmStateCommand(input as never))).rejects.toMatchObject(error);
  });

  it('refuses AlarmNames with AlarmNamePrefix', async () => {
    await expect(client.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'b' }))).rejects.toMatchObject({
      name: 'InvalidParameterCombinationException',
    });
  });

  it('speaks RPC v2 CBOR too (what botocore sends), errors with the query-compatible code', async () => {
    // Act
    const post = (operation: string, body: unknown) =>
      fetch(`${endpoint.url}/service/GraniteServiceVersion20100801/operation/${operation}`, {
        method: 'POST',
        headers: { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', accept: 'application/cbor' },
        body: Buffer.from(cbor.serialize(body)),
      });
    const ok = await post('DescribeAlarms', { AlarmNames: ['switchyard-x-west-canary'] });
    const missing = await post('SetAlarmState', { AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' });
    // Assess
    expect(ok.status).toBe(200);
    const body = cbor.deserialize(new Uint8Array(await ok.arrayBuffer())) as { MetricAlarms: Array<{ AlarmName: string; StateValue: string }> };
    expect(body.MetricAlarms.map((a) => [a.AlarmName, a.StateValue])).toEqual([['switchyard-x-west-canary', 'OK']]);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-query-error')).toBe('ResourceNotFound;Sender');
  });
});
