import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executionName, recoverExecutionName, routeEvent, router } from '../../../../src/app/tasks/router.ts';
import type { Deps } from '../../../../src/core/ports.ts';
import { exampleFleet } from '../../aws/helpers/example-fleet.ts';

const deps = { fleet: exampleFleet, stage: 'dev' } as Pick<Deps, 'fleet' | 'stage'>;
const base = { version: '0', id: 'e1', time: '2026-11-27T10:00:00Z', account: '123456789012', region: 'us-east-1', resources: [] };

const alarm = (name: string, value = 'ALARM', timestamp = '2026-11-27T10:00:00.000+0000') => ({
  ...base,
  source: 'aws.cloudwatch',
  'detail-type': 'CloudWatch Alarm State Change',
  detail: { alarmName: name, state: { value, timestamp } },
});
const eks = (eventName: string, name: string, extra: Record<string, unknown> = {}) => ({
  ...base,
  source: 'aws.eks',
  'detail-type': 'AWS API Call via CloudTrail',
  detail: {
    eventSource: 'eks.amazonaws.com',
    eventName,
    awsRegion: 'us-west-2',
    eventID: 'ct-9',
    requestParameters: { name },
    responseElements: { update: { id: 'u-1' } },
    ...extra,
  },
});
const gateway = (detailType: string, detail: Record<string, unknown>) => ({ ...base, source: 'switchyard', 'detail-type': detailType, detail });
const published = gateway('Gateway Published', {
  cluster: 'east',
  kind: 'Gateway',
  gateway: 'shop/gw',
  hostnames: ['a.example.com', 'b.example.com'],
  annotations: {},
  observedAt: '2026-11-27T10:00:00Z',
});

describe('routeEvent', () => {
  it('starts Failover for a fleet alarm going to ALARM or OK, with the event as input', () => {
    // Act
    const routed = routeEvent(deps, alarm('switchyard-dev-switchyard-example-west-canary'));
    // Assess
    expect(routed.starts).toEqual([
      { workflow: 'Failover', name: expect.stringMatching(/^failover-west-ALARM-[0-9a-f]{16}$/), input: expect.objectContaining({ source: 'aws.cloudwatch' }) },
    ]);
  });

  it('ignores other alarms and INSUFFICIENT_DATA', () => {
    expect(routeEvent(deps, alarm('billing')).ignored).toBe(
      "alarm billing is not one of stage dev's of fleet switchyard-example (switchyard-dev-switchyard-example-<cluster>...)",
    );
    expect(routeEvent(deps, alarm('switchyard-dev-switchyard-example-west-canary', 'INSUFFICIENT_DATA')).ignored).toContain('insufficient data');
  });

  it("ignores another stage's alarms of the same fleet, also a stage whose name starts with this one's", () => {
    // Prepare: prod and dev2 deploy the same fleet in the same account.
    const prod = alarm('switchyard-prod-switchyard-example-west-canary');
    const dev2 = alarm('switchyard-dev2-switchyard-example-west-canary');
    // Act
    const routedProd = routeEvent(deps, prod);
    const routedDev2 = routeEvent(deps, dev2);
    const asProd = routeEvent({ ...deps, stage: 'prod' }, prod);
    // Assess
    expect(routedProd).toEqual({
      starts: [],
      ignored: expect.stringContaining("alarm switchyard-prod-switchyard-example-west-canary is not one of stage dev's"),
    });
    expect(routedDev2).toEqual({ starts: [], ignored: expect.stringContaining("is not one of stage dev's") });
    expect(asProd.starts).toEqual([expect.objectContaining({ workflow: 'Failover' })]);
  });

  it('starts UpgradeGuard for UpdateClusterVersion of a fleet cluster, named after the update', () => {
    // Act
    const routed = routeEvent(deps, eks('UpdateClusterVersion', 'mesh-west'));
    const retried = routeEvent(deps, { ...eks('UpdateClusterVersion', 'mesh-west'), id: 'another-delivery', time: '2026-11-27T10:00:05Z' });
    // Assess
    expect(routed.starts[0]).toMatchObject({ workflow: 'UpgradeGuard', name: expect.stringMatching(/^upgrade-west-/) });
    expect(retried.starts[0]!.name).toBe(routed.starts[0]!.name);
  });

  it('starts Reconcile of the cluster for CreateCluster/DeleteCluster; ignores failed calls and strangers', () => {
    expect(routeEvent(deps, eks('DeleteCluster', 'mesh-west')).starts[0]).toMatchObject({ workflow: 'Reconcile', input: { clusters: ['west'] } });
    expect(routeEvent(deps, eks('UpdateClusterVersion', 'mesh-west', { errorCode: 'AccessDenied' })).ignored).toContain('AccessDenied');
    expect(routeEvent(deps, eks('UpdateClusterVersion', 'mesh-mars')).ignored).toContain('not in the fleet');
  });

  it('starts one OnboardApp per published hostname and one OffboardApp per withdrawn hostname', () => {
    // Act
    const onboard = routeEvent(deps, published);
    const offboard = routeEvent(
      deps,
      gateway('Gateway Withdrawn', {
        cluster: 'east',
        kind: 'Gateway',
        gateway: 'shop/gw',
        hostnames: ['a.example.com'],
        reason: 'deleted',
        observedAt: '2026-11-27T10:00:00Z',
      }),
    );
    // Assess
    expect(onboard.starts.map((s) => [s.workflow, (s.input as { hostname: string }).hostname])).toEqual([
      ['OnboardApp', 'a.example.com'],
      ['OnboardApp', 'b.example.com'],
    ]);
    expect((onboard.starts[0]!.input as { endpoints: unknown[] }).endpoints).toEqual([expect.objectContaining({ hostname: 'a.example.com', cluster: 'east' })]);
    expect(offboard.starts).toEqual([
      {
        workflow: 'OffboardApp',
        name: expect.stringMatching(/^offboard-a_example_com-/),
        input: { hostname: 'a.example.com', cluster: 'east', by: 'east/Gateway/shop/gw' },
      },
    ]);
  });

  it('names the same event the same, and a new observation differently', () => {
    const again = routeEvent(deps, { ...published, id: 'redelivery' });
    const later = routeEvent(deps, { ...published, detail: { ...published.detail, observedAt: '2026-11-27T11:00:00Z' } });
    expect(again.starts.map((s) => s.name)).toEqual(routeEvent(deps, published).starts.map((s) => s.name));
    expect(later.starts[0]!.name).not.toBe(routeEvent(deps, published).starts[0]!.name);
  });

  it('starts Reconcile for the schedule', () => {
    expect(routeEvent(deps, { ...base, source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }).starts).toEqual([
      { workflow: 'Reconcile', name: expect.stringMatching(/^reconcile-scheduled-/), input: {} },
    ]);
  });

  it('drops invalid and unknown events with the reason', () => {
    expect(routeEvent(deps, { hello: 1 }).ignored).toMatch(/^not an EventBridge event: /);
    expect(routeEvent(deps, gateway('Gateway Published', { cluster: 'east' })).ignored).toMatch(/^invalid "Gateway Published" event: /);
    expect(routeEvent(deps, gateway('Gateway Published', { ...published.detail, cluster: 'mars' })).ignored).toContain('not in the fleet');
    expect(routeEvent(deps, { ...base, source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }).ignored).toContain('no workflow');
  });
});

describe('routeEvent: which agent may speak for which cluster', () => {
  const fromAgent = (agentOf: string, detail: Record<string, unknown>, account = '123456789012') => ({
    ...published,
    source: `switchyard.agent.${agentOf}`,
    account,
    detail,
  });
  const westInOtherAccount = {
    ...deps,
    fleet: { ...exampleFleet, clusters: exampleFleet.clusters.map((c) => (c.name === 'west' ? { ...c, accountId: '222222222222' } : c)) },
  };

  it("starts OnboardApp for an event from the named cluster's own agent", () => {
    // Act
    const routed = routeEvent(deps, fromAgent('east', published.detail));
    // Assess
    expect(routed.refused).toBeUndefined();
    expect(routed.starts.map((s) => s.workflow)).toEqual(['OnboardApp', 'OnboardApp']);
  });

  it("refuses an event naming east that comes from west's agent, and says why", async () => {
    // Prepare
    const calls: string[] = [];
    const route = router({
      ...deps,
      workflows: { start: async (w: string, n: string) => (calls.push(n), { executionArn: n, started: true }) },
    } as unknown as Deps);
    // Act
    const routed = routeEvent(deps, fromAgent('west', published.detail));
    const result = await route(fromAgent('west', { ...published.detail, hostnames: ['a.example.com'] }));
    const withdrawn = routeEvent(deps, {
      ...fromAgent('west', {}),
      'detail-type': 'Gateway Withdrawn',
      detail: { cluster: 'east', kind: 'Gateway', gateway: 'shop/gw', hostnames: ['a.example.com'], reason: 'deleted', observedAt: '2026-11-27T10:00:00Z' },
    });
    // Assess
    expect(routed).toEqual({
      starts: [],
      refused: true,
      ignored: expect.stringContaining('an event naming cluster east came from the agent of west (source switchyard.agent.west)'),
    });
    expect(result).toEqual({ started: [], refused: true, ignored: expect.stringContaining('refused') });
    expect(calls).toEqual([]);
    expect(withdrawn.refused).toBe(true);
  });

  it("refuses an agent event from an account other than the cluster's, accepts the right one", () => {
    // Prepare
    const detail = { ...published.detail, cluster: 'west' };
    // Act
    const wrong = routeEvent(westInOtherAccount, fromAgent('west', detail, '123456789012'));
    const right = routeEvent(westInOtherAccount, fromAgent('west', detail, '222222222222'));
    // Assess
    expect(wrong).toEqual({
      starts: [],
      refused: true,
      ignored: 'refused: an event from the agent of west came from account 123456789012, but west is in account 222222222222',
    });
    expect(right.starts).toHaveLength(2);
  });

  it('refuses an agent source without a cluster, and keeps accepting the control plane source', () => {
    expect(routeEvent(deps, fromAgent('', published.detail)).refused).toBe(true);
    expect(routeEvent(deps, published).starts).toHaveLength(2);
  });
});

describe('executionName', () => {
  it('property: always 1–80 characters of [0-9A-Za-z_-], stable for the same content', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), fc.jsonValue(), (prefix, readable, content) => {
        const name = executionName(prefix || 'x', readable, content);
        expect(name).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
        expect(executionName(prefix || 'x', readable, content)).toBe(name);
      }),
    );
  });
});

describe('router', () => {
  it('reports a name Step Functions already has as a duplicate and starts nothing else', async () => {
    // Prepare
    const seen = new Set<string>();
    const calls: string[] = [];
    const start = async (workflow: string, name: string) => {
      calls.push(`${workflow} ${name}`);
      const started = !seen.has(name);
      seen.add(name);
      return { executionArn: `arn:aws:states:us-east-1:1:execution:${workflow}:${name}`, started };
    };
    const route = router({ ...deps, workflows: { start } } as unknown as Deps);
    // Act
    const first = await route(published);
    const second = await route(published);
    // Assess
    expect(first.started.map((s) => s.duplicate)).toEqual([false, false]);
    expect(second.started.map((s) => s.duplicate)).toEqual([true, true]);
    expect(calls).toHaveLength(4);
  });

  it('throws when Step Functions fails, so the asynchronous invocation is retried', async () => {
    const route = router({
      ...deps,
      workflows: { start: async () => Promise.reject(Object.assign(new Error('slow down'), { name: 'TransientAwsError' })) },
    } as unknown as Deps);
    await expect(route(published)).rejects.toThrow('slow down');
  });
});

describe('router: runs that ended without their own rollback', () => {
  const machine = (workflow: string, stage = 'dev') => `arn:aws:states:us-east-1:123456789012:stateMachine:switchyard-${stage}-${workflow}`;
  const statusChange = (workflow: string, status: string, stage = 'dev') => {
    const stateMachineArn = machine(workflow, stage);
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:drain-west-1`;
    return {
      ...base,
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      resources: [executionArn],
      detail: { executionArn, stateMachineArn, name: 'drain-west-1', status, startDate: 1, stopDate: 2, input: '{}', error: null, cause: null },
    };
  };
  /** The stage's own machines, as SWITCHYARD_STATE_MACHINES lists them. */
  const own = ['DrainCluster', 'RestoreCluster', 'UpgradeGuard', 'RecoverOperation', 'Reconcile', 'Failover'];
  const routerOf = (starts: string[]) =>
    router({
      ...deps,
      workflows: {
        start: async (workflow: string, name: string, input: unknown) => (
          starts.push(`${workflow} ${name} ${JSON.stringify(input)}`),
          { executionArn: `arn:x:${name}`, started: true }
        ),
        workflowOf: async (arn: string) => own.find((w) => arn === machine(w)),
      },
    } as unknown as Deps);

  it.each([
    ['DrainCluster', 'ABORTED'],
    ['RestoreCluster', 'TIMED_OUT'],
    ['UpgradeGuard', 'FAILED'],
  ])('starts RecoverOperation for a %s run that ended %s, named after the run so a duplicate starts nothing new', async (workflow, status) => {
    // Prepare
    const starts: string[] = [];
    const event = statusChange(workflow, status);
    // Act
    const result = await routerOf(starts)(event);
    // Assess
    expect(result.ignored).toBeNull();
    expect(starts).toEqual([`RecoverOperation ${recoverExecutionName(event.detail.executionArn)} {"executionArn":"${event.detail.executionArn}"}`]);
    expect(recoverExecutionName(event.detail.executionArn)).toMatch(/^recover-drain-west-1-[0-9a-f]{16}$/);
  });

  it("ignores another stage's machines, workflows that hold no lock across states, and runs that succeeded or still run", async () => {
    // Prepare
    const starts: string[] = [];
    const route = routerOf(starts);
    // Act
    const results = await Promise.all([
      route(statusChange('DrainCluster', 'ABORTED', 'prod')),
      route(statusChange('RecoverOperation', 'FAILED')),
      route(statusChange('Reconcile', 'TIMED_OUT')),
      route(statusChange('DrainCluster', 'SUCCEEDED')),
      route(statusChange('DrainCluster', 'RUNNING')),
    ]);
    // Assess
    expect(starts).toEqual([]);
    expect(results.map((r) => r.ignored)).toEqual([
      `state machine ${machine('DrainCluster', 'prod')} is not one of stage dev's`,
      'RecoverOperation runs hold no lock across states: nothing to recover',
      'Reconcile runs hold no lock across states: nothing to recover',
      'DrainCluster execution is SUCCEEDED: nothing to recover',
      'DrainCluster execution is RUNNING: nothing to recover',
    ]);
  });
});
