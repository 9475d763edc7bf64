// The event router end to end: events in, StartExecution through the real SDK client
// to the local Step Functions service (AWS's name idempotency), workflows run by the
// engine with the real tasks. A duplicate event starts nothing new.
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTasks } from '../../functions/index.ts';
import { findStateMachines, sfnStarter } from '../../src/aws/sfn.ts';
import { startEndpoint, type Endpoint } from '@switchyard/local-aws';
import { deployWorkflows } from '@switchyard/local-aws';
import { LocalStepFunctions } from '@switchyard/local-aws/stepfunctions';
import { loadWorkflowFolder } from '@switchyard/local-aws/stepfunctions';
import { stepFunctionsService } from '@switchyard/local-aws/stepfunctions';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness, type Harness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

interface Rig {
  h: Harness;
  engine: LocalStepFunctions;
  endpoint: Endpoint;
  route: (event: unknown) => Promise<{ started: Array<{ workflow: string; name: string; executionArn: string; duplicate: boolean }>; ignored: string | null }>;
  close(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const h = await createHarness(dynamo);
  const tasks = createTasks(h.deps);
  const engine = await LocalStepFunctions.open({
    handlers: tasks,
    waitScale: 0,
    putEvents: async (entries) => ({ Entries: entries.map(() => ({ EventId: 'x' })), FailedEntryCount: 0 }),
  });
  deployWorkflows(engine, await loadWorkflowFolder('workflows'), { prefix: 'switchyard-test-' });
  const endpoint = await startEndpoint({ port: 0, services: [stepFunctionsService(engine)], log: () => {} });
  const client = new SFNClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  h.deps.workflows = sfnStarter(client, () => findStateMachines(client, 'switchyard-test-'));
  return {
    h,
    engine,
    endpoint,
    route: tasks.router as Rig['route'],
    async close() {
      client.destroy();
      await endpoint.close();
      await engine.close();
    },
  };
}

const published = {
  version: '0',
  id: 'evt-1',
  'detail-type': 'Gateway Published',
  source: 'switchyard',
  time: '2026-11-27T10:00:00Z',
  detail: {
    cluster: 'eu',
    kind: 'Gateway',
    gateway: 'blog/blog-gateway',
    hostnames: ['blog.example.com'],
    annotations: {},
    observedAt: '2026-11-27T10:00:00Z',
  },
};

describe('router', () => {
  it('starts OnboardApp for a Gateway Published event, and a duplicate delivery starts nothing new', async () => {
    // Prepare
    const r = await rig();
    try {
      // Act
      const first = await r.route(published);
      await r.engine.waitForExecution(first.started[0]!.executionArn);
      const again = await r.route({ ...published, id: 'evt-1-redelivered' });
      // Assess
      expect(first.started).toEqual([expect.objectContaining({ workflow: 'OnboardApp', duplicate: false })]);
      expect(again.started).toEqual([
        expect.objectContaining({ workflow: 'OnboardApp', name: first.started[0]!.name, executionArn: first.started[0]!.executionArn, duplicate: true }),
      ]);
      const record = await r.engine.waitForExecution(first.started[0]!.executionArn);
      expect(record.status).toBe('SUCCEEDED');
      expect(r.h.records('blog.example.com').map((x) => x.setIdentifier ?? 'simple')).toEqual(['simple']);
      const machines = r.engine.listStateMachines({}).items.filter((m) => m.name.endsWith('OnboardApp'));
      expect(r.engine.listExecutions({ stateMachineArn: machines[0]!.stateMachineArn }).items).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  it("starts nothing for another stage's alarm of the same fleet, and says why", async () => {
    // Prepare: the harness runs as stage dev; prod deploys the same fleet in the same account.
    const r = await rig();
    const prodAlarm = {
      version: '0',
      id: 'a-prod',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      time: '2026-11-27T10:00:00Z',
      detail: { alarmName: 'switchyard-prod-switchyard-example-west-canary', state: { value: 'ALARM', timestamp: '2026-11-27T10:00:00.000+0000' } },
    };
    try {
      // Act
      const routed = await r.route(prodAlarm);
      // Assess
      expect(routed).toEqual({
        started: [],
        ignored:
          "alarm switchyard-prod-switchyard-example-west-canary is not one of stage dev's of fleet switchyard-example (switchyard-dev-switchyard-example-<cluster>...)",
      });
      const machine = r.engine.listStateMachines({}).items.find((m) => m.name.endsWith('Failover'))!;
      expect(r.engine.listExecutions({ stateMachineArn: machine.stateMachineArn }).items).toEqual([]);
      expect(r.h.weight('shop.example.com', 'west')).toBe(100);
    } finally {
      await r.close();
    }
  });

  it('two deliveries of one alarm state change at once run one Failover', async () => {
    // Prepare
    const r = await rig();
    const alarm = {
      version: '0',
      id: 'a-1',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      time: '2026-11-27T10:00:00Z',
      detail: { alarmName: 'switchyard-dev-switchyard-example-west-canary', state: { value: 'ALARM', timestamp: '2026-11-27T10:00:00.000+0000' } },
    };
    r.h.health.clusters['west'] = 'UNHEALTHY';
    try {
      // Act
      const [a, b] = await Promise.all([r.route(alarm), r.route({ ...alarm, id: 'a-2' })]);
      await r.engine.waitForExecution(a.started[0]!.executionArn);
      // Assess
      expect(a.started[0]!.name).toBe(b.started[0]!.name);
      expect(a.started[0]!.executionArn).toBe(b.started[0]!.executionArn);
      const machine = r.engine.listStateMachines({}).items.find((m) => m.name.endsWith('Failover'))!;
      expect(r.engine.listExecutions({ stateMachineArn: machine.stateMachineArn }).items).toHaveLength(1);
      expect(r.h.weight('shop.example.com', 'west')).toBe(0);
    } finally {
      await r.close();
    }
  });
});
