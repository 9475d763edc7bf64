// Operations that never lie (issue 11, point 1): every step is read back from Route 53
// after INSYNC, on the real ASL against the local Route 53 (through the SDK adapter),
// and a drain the fleet's policy would keep out of Route 53 is refused before it starts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { causeMessage } from '../../src/cli/ops/follow.ts';
import { createRoute53Client, Route53Adapter } from '../../src/aws/route53.ts';
import { RateLimiter } from '../../src/aws/retry.ts';
import type { RecordSet } from '../../src/core/model.ts';
import type { ReadBackRef } from '../../src/core/verify.ts';
import { createRoute53Service, serveLocalService, type Route53Service, type RunningServer } from '@switchyard/local-aws/route53';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { alarmEvent, createHarness, testFleet, type HarnessOptions } from './harness.ts';
import { canaryAlarmName } from '../../src/core/alarm-names.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

interface LocalRoute53 {
  service: Route53Service;
  server: RunningServer;
  adapter: Route53Adapter;
  zoneId: string;
  /** The sets at a name, as the local Route 53 holds them. */
  records(hostname: string): Promise<RecordSet[]>;
  close(): Promise<void>;
}

const opened: LocalRoute53[] = [];
afterEach(async () => {
  for (const r of opened.splice(0)) await r.close();
});

/** The local Route 53 on a loopback port with the example zone, reached through the product's adapter. */
async function localRoute53(): Promise<LocalRoute53> {
  const service = createRoute53Service({ insyncDelayMs: 0, resolveTarget: () => undefined });
  const server = await serveLocalService(service);
  const client = createRoute53Client({ endpointUrl: server.url }, {});
  // A burst wide enough that the test does not wait on Route 53's 5 requests per second.
  const adapter = new Route53Adapter({ client, limiter: new RateLimiter({ burst: 10_000 }) });
  const { CreateHostedZoneCommand } = await import('@aws-sdk/client-route-53');
  const zone = await client.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `verify-${Date.now()}-${Math.random()}` }));
  const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  const local: LocalRoute53 = {
    service,
    server,
    adapter,
    zoneId,
    records: async (hostname) => (await adapter.listRecordSets(zoneId)).filter((r) => r.name === `${hostname}.`),
    close: async () => {
      client.destroy();
      await server.close();
      await service.close();
    },
  };
  opened.push(local);
  return local;
}

async function harnessOnLocal(options: HarnessOptions = {}) {
  const local = await localRoute53();
  const h = await createHarness(dynamo, { ...options, route53Port: local.adapter });
  return { h, local };
}

const weightOf = (records: RecordSet[], cluster: string) => records.find((r) => r.setIdentifier === cluster && r.type === 'A')?.weight;

describe('every step is read back from Route 53', () => {
  it('a drain step Route 53 accepts but does not apply fails with Route53Diverged and rolls back', async () => {
    // Prepare
    const { h, local } = await harnessOnLocal();
    expect(weightOf(await local.records('shop.example.com'), 'west')).toBe(100);
    local.service.setFaults({ acceptWithoutApply: true });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', by: 'alice', steps: [50, 0], bakeSeconds: 0 });
    local.service.setFaults({});
    // Assess
    expect(outcome.status).toBe('FAILED');
    const aborted = h.eventsOf('Cluster Drain Aborted')[0];
    expect(aborted).toMatchObject({ cluster: 'west', error: 'Route53Diverged', rolledBack: true, weightPercentAfter: 100 });
    expect(String(aborted?.reason)).toMatch(/shop\.example\.com\. A west \(zone .*\): intended weight 50, .*Route 53 holds weight 100/);
    // Rolled back and unlocked: the intent is back where it was and DNS says the same.
    const state = await h.table.readFleet();
    expect(state.intents['west']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(state.locks).toEqual({});
    expect(weightOf(await local.records('shop.example.com'), 'west')).toBe(100);
    expect(h.events.map((e) => e.DetailType)).not.toContain('Cluster Drained');
    const journal = await h.table.listJournal({ cluster: 'west' });
    expect(journal.some((e) => e.what.startsWith('drain aborted (Route53Diverged)'))).toBe(true);
  });

  it('a rollback Route 53 does not take ends RollbackFailed with the lock kept, never reporting the cluster rolled back', async () => {
    // Prepare: step one (50 %) lands; from step two on, Route 53 loses every change, the rollback's too.
    let local: LocalRoute53 | undefined;
    const { h, local: r53 } = await harnessOnLocal({
      wrap: (name, task) =>
        name === 'applyWeights'
          ? async (input) => {
              if ((input as { index: number }).index === 1) local?.service.setFaults({ acceptWithoutApply: true });
              return task(input);
            }
          : task,
    });
    local = r53;
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', steps: [50, 0], bakeSeconds: 0 });
    r53.service.setFaults({});
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('RollbackFailed');
    expect(causeMessage(outcome.cause)).toMatch(/rollback of west to 100%: shop\.example\.com\. A west .*intended weight 100, .*Route 53 holds weight 50/);
    expect(weightOf(await r53.records('shop.example.com'), 'west')).toBe(50);
    const state = await h.table.readFleet();
    expect(state.locks['west']).toBeDefined();
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([]);
  });

  it('a drain that Route 53 applies passes its read-back and reaches DRAINED', async () => {
    // Prepare
    const { h, local } = await harnessOnLocal();
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', steps: [50, 0], bakeSeconds: 0 });
    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    expect(weightOf(await local.records('shop.example.com'), 'west')).toBe(0);
    expect((await local.records('api.example.com')).map((r) => `${r.setIdentifier}:${r.failover}`)).toEqual(['east:PRIMARY']);
  });

  it("a drain's states carry where each step's intention is stored, never the sets themselves nor the started event", async () => {
    // Prepare
    const inputs: Array<{ task: string; input: unknown }> = [];
    const { h, local } = await harnessOnLocal({
      wrap: (name, task) => async (input) => {
        inputs.push({ task: name, input });
        return task(input);
      },
    });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', steps: [50, 0], bakeSeconds: 0 });
    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    expect(weightOf(await local.records('shop.example.com'), 'west')).toBe(0);
    const polls = inputs.filter((i) => i.task === 'changeStatus').map((i) => i.input as Record<string, unknown>);
    expect(polls.length).toBeGreaterThanOrEqual(2);
    for (const poll of polls) {
      expect(poll['expected']).toBeUndefined();
      expect(poll['readBack']).toMatchObject({ key: expect.stringMatching(/^west#drain#0[01]$/), sets: expect.any(Number) });
      expect((poll['readBack'] as { sets: number }).sets).toBeGreaterThan(0);
    }
    for (const { task, input } of inputs.filter((i) => ['applyWeights', 'changeStatus', 'healthGate', 'finishOperation'].includes(i.task))) {
      const lock = (input as { lock?: { token?: unknown; event?: unknown } }).lock;
      expect(lock?.token, task).toEqual(expect.any(Number));
      expect(JSON.stringify(lock?.event ?? null), task).not.toContain('Cluster Drain Started');
    }
  });

  it('a step whose stored intention was replaced before its read-back fails and rolls back, instead of passing unread', async () => {
    // Prepare: between step one's ApplyWeights and its first INSYNC poll, its stored intention is written again.
    let replaced = false;
    const { h, local } = await harnessOnLocal({
      wrap: (name, task) =>
        name === 'changeStatus'
          ? async (input) => {
              const ref = (input as { readBack?: ReadBackRef }).readBack;
              if (ref && !replaced) {
                replaced = true;
                await h.table.putReadBack(ref.key, await h.table.getReadBack(ref));
              }
              return task(input);
            }
          : task,
    });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', steps: [50, 0], bakeSeconds: 0 });
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('InvalidInput');
    expect(causeMessage(outcome.cause)).toMatch(/read-back west#drain#00 .*replaced or lost/);
    expect(h.eventsOf('Cluster Drain Aborted')[0]).toMatchObject({ cluster: 'west', rolledBack: true, weightPercentAfter: 100 });
    expect(weightOf(await local.records('shop.example.com'), 'west')).toBe(100);
    expect((await h.table.readFleet()).locks).toEqual({});
  });

  it('a failover that Route 53 does not apply fails with Route53Diverged instead of reporting Failover Performed', async () => {
    // Prepare
    const { h, local } = await harnessOnLocal();
    const alarm = canaryAlarmName({ stage: 'dev', ownerId: h.fleet.ownerId }, 'west');
    h.health.clusters['west'] = 'UNHEALTHY';
    local.service.setFaults({ acceptWithoutApply: true });
    // Act
    const outcome = await h.run('Failover', alarmEvent(alarm, 'ALARM', new Date().toISOString()));
    local.service.setFaults({});
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('Route53Diverged');
    expect(causeMessage(outcome.cause)).toMatch(/failover of west: shop\.example\.com\. A west .*intended weight 0, .*Route 53 holds weight 100/);
    expect(h.eventsOf('Failover Performed')).toEqual([]);
    expect(weightOf(await local.records('shop.example.com'), 'west')).toBe(100);
  });

  it('failover and failback that Route 53 applies pass their read-back; a failback it does not apply keeps the marks', async () => {
    // Prepare
    const { h, local } = await harnessOnLocal({ fleet: testFleet({ failbackHoldDownSeconds: 0 }) });
    const alarm = canaryAlarmName({ stage: 'dev', ownerId: h.fleet.ownerId }, 'west');
    h.health.clusters['west'] = 'UNHEALTHY';
    const out = await h.run('Failover', alarmEvent(alarm, 'ALARM', new Date(Date.now() - 1000).toISOString()));
    expect(out.status, `${out.error}: ${causeMessage(out.cause)}`).toBe('SUCCEEDED');
    expect(weightOf(await local.records('shop.example.com'), 'west')).toBe(0);
    h.health.clusters['west'] = 'HEALTHY';
    local.service.setFaults({ acceptWithoutApply: true });
    // Act: the failback is accepted but not applied
    const lost = await h.run('Failover', alarmEvent(alarm, 'OK', new Date().toISOString()));
    local.service.setFaults({});
    // Assess
    expect(lost.status).toBe('FAILED');
    expect(lost.error).toBe('Route53Diverged');
    expect(causeMessage(lost.cause)).toMatch(/failback of west: shop\.example\.com\. A west .*intended weight 100, .*Route 53 holds weight 0/);
    expect(h.eventsOf('Failback Performed')).toEqual([]);
    expect(Object.keys((await h.table.readFleet()).failovers)).not.toEqual([]);
    // A failback Route 53 applies passes.
    const back = await h.run('Failover', alarmEvent(alarm, 'OK', new Date(Date.now() + 1000).toISOString()));
    expect(back.status, `${back.error}: ${causeMessage(back.cause)}`).toBe('SUCCEEDED');
    expect(weightOf(await local.records('shop.example.com'), 'west')).toBe(100);
    expect((await h.table.readFleet()).failovers).toEqual({});
  });
});

describe('a drain or restore the fleet policy would block', () => {
  it('under upsert-only, a drain that must delete a failover record is refused at Prepare with the reason, and nothing changes', async () => {
    // Prepare: api.example.com is failover routing; draining west removes its SECONDARY record (a delete).
    const { h, local } = await harnessOnLocal({ fleet: { ...testFleet(), policy: 'upsert-only' } });
    const before = await local.adapter.listRecordSets(local.zoneId);
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', steps: [50, 0], bakeSeconds: 0 });
    // Assess
    expect(outcome.status).toBe('FAILED');
    const aborted = h.eventsOf('Cluster Drain Aborted')[0];
    expect(aborted).toMatchObject({ cluster: 'west', error: 'ChangeBlocked', rolledBack: false });
    expect(String(aborted?.reason)).toMatch(
      /cannot drain west: .*fleet policy upsert-only.*api\.example\.com at 0%: DELETE A west: policy upsert-only does not allow deletes/,
    );
    expect(await local.adapter.listRecordSets(local.zoneId)).toEqual(before);
    const state = await h.table.readFleet();
    expect(state.intents['west'] ?? { state: 'ACTIVE' }).toMatchObject({ state: 'ACTIVE' });
    expect(state.locks).toEqual({});
    expect(h.events.map((e) => e.DetailType)).not.toContain('Cluster Drain Started');
  });

  it('a dry run under upsert-only shows the same refusal', async () => {
    // Prepare
    const { h } = await harnessOnLocal({ fleet: { ...testFleet(), policy: 'upsert-only' } });
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'what if', steps: [50, 0], dryRun: true });
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    const plan = outcome.output as {
      safe: boolean;
      refusals: Array<{ error: string; reason: string }>;
      steps: Array<{ weightPercent: number; withheld: Array<{ subject: string; reason: string }> }>;
    };
    expect(plan.safe).toBe(false);
    expect(plan.refusals).toEqual([
      expect.objectContaining({
        error: 'ChangeBlocked',
        reason: expect.stringMatching(/api\.example\.com at 0%: DELETE A west: policy upsert-only does not allow deletes/),
      }),
    ]);
    expect(plan.steps.find((s) => s.weightPercent === 0)?.withheld).toEqual([expect.objectContaining({ subject: 'api.example.com' })]);
  });

  it('under create-only, a drain (weight updates) is refused at Prepare', async () => {
    // Prepare
    const { h } = await harnessOnLocal({ fleet: { ...testFleet(), policy: 'create-only' } });
    // Act
    const drain = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', steps: [50, 0], bakeSeconds: 0 });
    // Assess
    expect(drain.status).toBe('FAILED');
    expect(h.eventsOf('Cluster Drain Aborted')[0]).toMatchObject({
      error: 'ChangeBlocked',
      reason: expect.stringMatching(/shop\.example\.com at 50%: UPSERT A west: policy create-only does not allow updates/),
    });
    expect((await h.table.readFleet()).locks).toEqual({});
  });
});
