import { GetHealthCheckStatusCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ExecutionAlreadyExists, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { healthFromObservations, route53HealthSource } from '../../../src/app/health-source.ts';
import { listOwnedHealthChecks } from '../../../src/app/dns/health-checks.ts';
import { Route53Adapter } from '../../../src/aws/route53.ts';
import { findStateMachines, parseStateMachineArns, sfnStarter } from '../../../src/aws/sfn.ts';
import { healthCheckKey, healthCheckSpecFor, healthCheckTags } from '../../../src/core/health-spec.ts';
import type { AlarmRecord } from '../../../src/core/ports.ts';
import { FakeRoute53 } from '../aws/helpers/fake-route53.ts';
import { exampleFleet } from '../aws/helpers/example-fleet.ts';

const sfn = mockClient(SFNClient);
const r53 = mockClient(Route53Client);
afterEach(() => {
  sfn.reset();
  r53.reset();
});

describe('state machines', () => {
  it('are found by workflow name, narrowed by prefix, and ambiguity is an error naming the candidates', async () => {
    // Prepare
    const arn = (name: string) => `arn:aws:states:us-east-1:1:stateMachine:${name}`;
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: ['switchyard-prod-DrainCluster', 'switchyard-dev-DrainCluster', 'switchyard-prod-Failover', 'other'].map((name) => ({
        name,
        stateMachineArn: arn(name),
        type: 'STANDARD',
        creationDate: new Date(),
      })),
    });
    const client = new SFNClient({ region: 'us-east-1' });
    // Act
    const prod = await findStateMachines(client, 'switchyard-prod-');
    const any = findStateMachines(client);
    // Assess
    expect(prod).toEqual({ DrainCluster: arn('switchyard-prod-DrainCluster'), Failover: arn('switchyard-prod-Failover') });
    await expect(any).rejects.toThrow(/several state machines end with "DrainCluster".*--stage/);
  });

  it('SWITCHYARD_STATE_MACHINES is checked: JSON object of known workflows to ARNs', () => {
    expect(parseStateMachineArns('{"DrainCluster":"arn:aws:states:us-east-1:1:stateMachine:x"}')).toEqual({
      DrainCluster: 'arn:aws:states:us-east-1:1:stateMachine:x',
    });
    expect(() => parseStateMachineArns('nope')).toThrow(/SWITCHYARD_STATE_MACHINES: not JSON/);
    expect(() => parseStateMachineArns('{"Drain":"arn"}')).toThrow(/unknown workflow "Drain"/);
    expect(() => parseStateMachineArns('{"Failover":"arn:aws:lambda:x"}')).toThrow(/Failover: not a state machine ARN/);
  });

  it('a starter maps ExecutionAlreadyExists to a duplicate (started: false) with the execution ARN', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }))
      .resolves({ executionArn: 'arn:new', startDate: new Date() });
    const start = sfnStarter(new SFNClient({ region: 'us-east-1' }), { OnboardApp: 'arn:aws:states:us-east-1:1:stateMachine:sy-OnboardApp' });
    // Act
    const duplicate = await start.start('OnboardApp', 'onboard-x', { a: 1 });
    const fresh = await start.start('OnboardApp', 'onboard-y', { a: 1 });
    const missing = start.start('DrainCluster', 'd', {});
    // Assess
    expect(duplicate).toEqual({ executionArn: 'arn:aws:states:us-east-1:1:execution:sy-OnboardApp:onboard-x', started: false });
    expect(fresh).toEqual({ executionArn: 'arn:new', started: true });
    await expect(missing).rejects.toThrow(/no state machine for workflow DrainCluster/);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toMatchObject({ name: 'onboard-x', input: '{"a":1}' });
  });
});

/** A Route 53 holding each example cluster's canary check, where eu's fails (GetHealthCheckStatus through the mocked client). */
function canaryChecksWithEuFailing(): FakeRoute53 {
  const fake = new FakeRoute53([]);
  const ids: Record<string, string> = {};
  for (const cluster of exampleFleet.clusters) {
    const spec = healthCheckSpecFor(exampleFleet.healthCheck, cluster, {});
    ids[cluster.name] = fake.seedCheck(spec, healthCheckTags(exampleFleet.ownerId, healthCheckKey(cluster.name, spec), cluster.name));
  }
  r53.on(GetHealthCheckStatusCommand).callsFake((input: { HealthCheckId: string }) => ({
    HealthCheckObservations: [{ StatusReport: { Status: input.HealthCheckId === ids['eu'] ? 'Failure: connection refused' : 'Success: HTTP 200' } }],
  }));
  return fake;
}

describe('route53HealthSource', () => {
  it('reads health as Route 53 does: more than 18 % of checkers healthy', () => {
    expect(healthFromObservations(['Success: HTTP 200', 'Failure: timeout', 'Failure: timeout', 'Failure: timeout', 'Failure: timeout'])).toBe('HEALTHY');
    expect(healthFromObservations(['Success: HTTP 200', ...Array(5).fill('Failure: timeout')])).toBe('UNHEALTHY');
    expect(healthFromObservations([])).toBe('UNKNOWN');
  });

  it("combines each cluster's canary check with recorded alarms (an ALARM wins, per-app alarms mark the app)", async () => {
    // Prepare
    const fake = canaryChecksWithEuFailing();
    const alarms: AlarmRecord[] = [
      { alarmName: 'switchyard-dev-switchyard-example-west-canary', cluster: 'west', state: 'ALARM', timestamp: 't' },
      { alarmName: 'switchyard-dev-switchyard-example-east--shop.example.com', cluster: 'east', hostname: 'shop.example.com', state: 'ALARM', timestamp: 't' },
    ];
    const adapter = new Route53Adapter({ client: new Route53Client({ region: 'us-east-1' }) });
    const route53 = Object.assign(fake, { getHealthCheckStatus: (id: string) => adapter.getHealthCheckStatus(id) });
    const source = route53HealthSource({ fleet: exampleFleet, route53, table: { listAlarms: async () => alarms } });
    // Act
    const view = await source.snapshot(['east', 'west', 'eu']);
    // Assess
    expect(view).toEqual({ clusters: { east: 'HEALTHY', west: 'UNHEALTHY', eu: 'UNHEALTHY' }, apps: { 'east|shop.example.com': 'UNHEALTHY' } });
    // west's alarm decides west: its canary's status is not read.
    expect(r53.commandCalls(GetHealthCheckStatusCommand)).toHaveLength(2);
  });

  it('takes the alarm records and owned checks a task already read: the same view, and neither is read again', async () => {
    // Prepare
    const fake = canaryChecksWithEuFailing();
    const alarms: AlarmRecord[] = [{ alarmName: 'switchyard-dev-switchyard-example-west-canary', cluster: 'west', state: 'ALARM', timestamp: 't' }];
    let alarmReads = 0;
    const adapter = new Route53Adapter({ client: new Route53Client({ region: 'us-east-1' }) });
    const route53 = Object.assign(fake, { getHealthCheckStatus: (id: string) => adapter.getHealthCheckStatus(id) });
    const source = route53HealthSource({
      fleet: exampleFleet,
      route53,
      table: {
        listAlarms: async () => {
          alarmReads++;
          return alarms;
        },
      },
    });
    const read = await source.snapshot(['east', 'west', 'eu']);
    const ownedHealthChecks = await listOwnedHealthChecks(fake, exampleFleet.ownerId);
    fake.calls.length = 0;
    alarmReads = 0;
    // Act
    const shared = await source.snapshot(['east', 'west', 'eu'], { alarms, ownedHealthChecks });
    // Assess
    expect(shared).toEqual(read);
    expect(shared.clusters).toEqual({ east: 'HEALTHY', west: 'UNHEALTHY', eu: 'UNHEALTHY' });
    expect(fake.calls).toEqual([]);
    expect(alarmReads).toBe(0);
  });
});
