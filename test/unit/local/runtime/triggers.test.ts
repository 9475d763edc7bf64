import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../../src/core/config.ts';
import { LocalEventBus } from '@switchyard/local-aws/eventbridge';
import { localNames } from '../../../../src/local/runtime/names.ts';
import { installTriggers, triggerRoutes } from '../../../../src/local/runtime/triggers.ts';

const fleet = parseFleetConfig(readFileSync('examples/fleet/fleet.yaml', 'utf8'), 'fleet.yaml');
const names = localNames();
const WORKFLOWS = ['OnboardApp', 'Failover', 'Reconcile', 'UpgradeGuard', 'DrainCluster'];

describe('triggerRoutes', () => {
  it('sends alarms, EKS calls, Gateway events and the schedule to the router when there is one', () => {
    // Act
    const routes = triggerRoutes({ fleet, names, functions: ['router', 'onboardApp'], workflows: WORKFLOWS });
    // Assess
    expect(routes.map((r) => [r.rule, r.bus, r.target])).toEqual([
      ['switchyard-local-alarms', 'switchyard-local-bus', 'function:router'],
      ['switchyard-local-eks', 'switchyard-local-bus', 'function:router'],
      ['switchyard-local-gateways', 'switchyard-local-bus', 'function:router'],
      ['switchyard-local-reconcile', 'default', 'function:router'],
    ]);
    expect(routes[0]!.pattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: [{ prefix: 'switchyard-local-switchyard-example-' }] },
    });
    expect(routes[3]!.schedule).toBe('rate(5 minutes)');
  });

  it('without a router, starts the workflows that take the raw event, and leaves the rest untargeted', () => {
    // Act
    const routes = triggerRoutes({ fleet, names, functions: ['onboardApp'], workflows: WORKFLOWS });
    // Assess
    expect(routes.map((r) => r.target)).toEqual(['workflow:Failover', 'workflow:UpgradeGuard', undefined, undefined]);
  });
});

describe('triggerRoutes: stopped runs', () => {
  it('sends stopped, timed-out and failed runs of the lock-holding machines to the router when RecoverOperation is deployed', () => {
    // Act
    const routes = triggerRoutes({ fleet, names, functions: ['router'], workflows: [...WORKFLOWS, 'RestoreCluster', 'RecoverOperation'] });
    // Assess
    const executions = routes.find((r) => r.rule === 'switchyard-local-executions');
    expect(executions).toEqual({
      rule: 'switchyard-local-executions',
      bus: 'switchyard-local-bus',
      target: 'function:router',
      pattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['ABORTED', 'TIMED_OUT', 'FAILED'],
          stateMachineArn: ['DrainCluster', 'RestoreCluster', 'UpgradeGuard'].map((w) => names.stateMachineArn(w)),
        },
      },
    });
    expect(triggerRoutes({ fleet, names, functions: ['router'], workflows: WORKFLOWS }).some((r) => r.rule === 'switchyard-local-executions')).toBe(false);
  });
});

describe('installTriggers', () => {
  it('forwards an alarm event from the default bus to the app bus, where the router gets it as AWS sent it', async () => {
    // Prepare
    const received: unknown[] = [];
    const bus = await LocalEventBus.open({ handlers: { router: (event: unknown) => void received.push(event) } });
    installTriggers(bus, { fleet, names, functions: ['router'], workflows: WORKFLOWS });
    // Act: CloudWatch puts the event on the default bus
    const sent = bus.injectEvent({
      source: 'aws.cloudwatch',
      detailType: 'CloudWatch Alarm State Change',
      detail: { alarmName: 'switchyard-local-switchyard-example-east-canary', state: { value: 'ALARM', timestamp: 'now' } },
      resources: ['arn:aws:cloudwatch:us-east-1:000000000000:alarm:switchyard-local-switchyard-example-east-canary'],
    });
    bus.injectEvent({
      source: 'aws.cloudwatch',
      detailType: 'CloudWatch Alarm State Change',
      detail: { alarmName: 'someone-elses-alarm', state: { value: 'ALARM' } },
    });
    for (let i = 0; i < 5; i++) await bus.idle();
    // Assess
    expect(received).toEqual([
      expect.objectContaining({
        source: 'aws.cloudwatch',
        'detail-type': 'CloudWatch Alarm State Change',
        time: sent.time,
        resources: sent.resources,
        detail: sent.detail,
      }),
    ]);
    await bus.close();
  });

  it('is idempotent across restarts: one target per rule', async () => {
    // Prepare
    const bus = await LocalEventBus.open({});
    // Act
    installTriggers(bus, { fleet, names, functions: ['router'], workflows: WORKFLOWS });
    installTriggers(bus, { fleet, names, functions: ['router'], workflows: WORKFLOWS });
    // Assess
    expect(bus.listTargetsByRule({ Rule: 'switchyard-local-alarms', EventBusName: 'switchyard-local-bus' })).toEqual([
      { Id: 'switchyard', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:router' },
    ]);
    expect(bus.listRules({ EventBusName: 'default' }).map((r) => r.Name)).toEqual([
      'switchyard-local-forward-alarms',
      'switchyard-local-forward-eks',
      'switchyard-local-reconcile',
    ]);
    await bus.close();
  });
});
