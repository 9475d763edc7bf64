import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EksUpdate } from '../../src/core/ports.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

function updateClusterVersion(name: string, overrides: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'c0ffee00-0000-0000-0000-000000000001',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.eks',
    account: '123456789012',
    time: '2026-11-27T10:00:00Z',
    region: 'us-west-2',
    resources: [],
    detail: {
      eventSource: 'eks.amazonaws.com',
      eventName: 'UpdateClusterVersion',
      awsRegion: 'us-west-2',
      eventID: 'ct-1',
      requestParameters: { name, version: '1.31' },
      responseElements: { update: { id: 'upd-1', status: 'InProgress', type: 'VersionUpdate' } },
      userIdentity: { arn: 'arn:aws:iam::123456789012:role/platform' },
      ...overrides,
    },
  };
}

/** An EKS port whose update reports InProgress `polls` times, then `final`. */
function eksPort(polls: number, final: EksUpdate) {
  const asked: string[] = [];
  return {
    asked,
    port: {
      describeUpdate: async (request: { eksClusterName: string; updateId: string; region: string }) => {
        asked.push(`${request.region}/${request.eksClusterName}/${request.updateId}`);
        return asked.length <= polls ? { status: 'InProgress' as const, errors: [] } : final;
      },
    },
  };
}

describe('UpgradeGuard', () => {
  it('drains the upgrading cluster, waits for the update, health-gates it and restores it', async () => {
    // Prepare
    const eks = eksPort(2, { status: 'Successful', errors: [] });
    const h = await createHarness(dynamo, { eks: eks.port });
    // Act
    const outcome = await h.run('UpgradeGuard', updateClusterVersion('mesh-west'));
    // Assess
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    expect(eks.asked).toEqual(['us-west-2/mesh-west/upd-1', 'us-west-2/mesh-west/upd-1', 'us-west-2/mesh-west/upd-1']);
    const westWeights = h.route53.batches
      .flatMap((b) => b.changes)
      .filter((c) => c.recordSet.name === 'shop.example.com.' && c.recordSet.setIdentifier === 'west')
      .map((c) => c.recordSet.weight);
    expect(westWeights).toEqual([50, 0, 50, 100]);
    const state = await h.table.readFleet();
    expect(state.intents['west']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(state.locks).toEqual({});
    expect(h.events.map((e) => e.DetailType)).toEqual(['Cluster Drain Started', 'Cluster Drained', 'Cluster Restored']);
    expect(h.eventsOf('Cluster Drain Started')[0]).toMatchObject({ cluster: 'west', by: 'arn:aws:iam::123456789012:role/platform' });
  });

  it('keeps the cluster drained and emits Cluster Upgrade Failed when the update fails', async () => {
    // Prepare
    const eks = eksPort(1, { status: 'Failed', errors: ['NodeCreationFailure: instances failed to join'] });
    const h = await createHarness(dynamo, { eks: eks.port });
    // Act
    const outcome = await h.run('UpgradeGuard', updateClusterVersion('mesh-west'));
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('UpgradeFailed');
    expect(h.weight('shop.example.com', 'west')).toBe(0);
    const state = await h.table.readFleet();
    expect(state.intents['west']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
    expect(state.locks).toEqual({});
    expect(h.eventsOf('Cluster Upgrade Failed')).toEqual([
      expect.objectContaining({
        cluster: 'west',
        eksClusterName: 'mesh-west',
        updateId: 'upd-1',
        status: 'Failed',
        errors: ['NodeCreationFailure: instances failed to join'],
        intent: 'DRAINED',
      }),
    ]);
  });

  it('keeps the cluster drained when it is unhealthy after a successful update', async () => {
    // Prepare
    const h = await createHarness(dynamo, {
      eks: {
        describeUpdate: async () => {
          h.health.clusters['west'] = 'UNHEALTHY';
          return { status: 'Successful', errors: [] };
        },
      },
    });
    // Act
    const outcome = await h.run('UpgradeGuard', updateClusterVersion('mesh-west'));
    // Assess
    expect(outcome.error).toBe('UpgradeFailed');
    expect((await h.table.readFleet()).intents['west']).toMatchObject({ state: 'DRAINED' });
    expect(h.eventsOf('Cluster Upgrade Failed')[0]).toMatchObject({ status: 'HealthDegraded', errors: [expect.stringContaining('west is UNHEALTHY')] });
  });

  it('leaves a cluster an operator drained before the upgrade drained afterwards', async () => {
    // Prepare
    const h = await createHarness(dynamo, { eks: eksPort(0, { status: 'Successful', errors: [] }).port });
    await h.run('DrainCluster', { cluster: 'west', reason: 'maintenance', steps: [0] });
    h.events.length = 0;
    // Act
    const outcome = await h.run('UpgradeGuard', updateClusterVersion('mesh-west'));
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect((await h.table.readFleet()).intents['west']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
    expect((await h.table.readFleet()).locks).toEqual({});
    expect(h.events.map((e) => e.DetailType)).toEqual(['Cluster Drain Started', 'Cluster Drained']);
  });

  it('ignores failed calls and clusters outside the fleet', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    // Act
    const failedCall = await h.run('UpgradeGuard', updateClusterVersion('mesh-west', { errorCode: 'InvalidParameterException' }));
    const stranger = await h.run('UpgradeGuard', updateClusterVersion('someone-else'));
    // Assess
    expect(failedCall).toMatchObject({ status: 'SUCCEEDED', output: { ignored: true, reason: expect.stringContaining('InvalidParameterException') } });
    expect(stranger).toMatchObject({ status: 'SUCCEEDED', output: { ignored: true, reason: expect.stringContaining('not in the fleet') } });
    expect(h.route53.batches).toEqual([]);
  });

  it('does not drain when that would be unsafe, and says so', async () => {
    // Prepare
    const h = await createHarness(dynamo, { health: { east: 'UNHEALTHY', west: 'HEALTHY', eu: 'UNHEALTHY' } });
    // Act
    const outcome = await h.run('UpgradeGuard', updateClusterVersion('mesh-west'));
    // Assess
    expect(outcome.error).toBe('DrainUnsafe');
    expect(h.route53.batches).toEqual([]);
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([
      expect.objectContaining({ cluster: 'west', operation: 'upgrade', error: 'DrainUnsafe', rolledBack: false }),
    ]);
  });
});
