// UpgradeGuard around a node-group update (the real ASL, test/workflow/harness.ts): the
// cluster is drained, DescribeUpdate is asked about the node group's update, and the
// cluster is restored once it succeeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { nodegroupCall } from '../fixtures/cloudtrail/eks-nodegroup.ts';
import { createHarness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

describe('UpgradeGuard for node groups', () => {
  it('drains the cluster, polls the node group’s update and restores the cluster', async () => {
    // Prepare
    const asked: Array<Record<string, unknown>> = [];
    const h = await createHarness(dynamo, {
      eks: {
        describeUpdate: async (request) => {
          asked.push({ ...request });
          return asked.length < 2 ? { status: 'InProgress', errors: [] } : { status: 'Successful', errors: [] };
        },
      },
    });
    // Act
    const outcome = await h.run('UpgradeGuard', nodegroupCall('UpdateNodegroupVersion', 'mesh-west', 'ng-a', { releaseVersion: '1.31.0-20261120' }));
    // Assess
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    expect(asked).toEqual([
      { eksClusterName: 'mesh-west', nodegroupName: 'ng-a', updateId: 'ng-upd-1', region: 'us-west-2' },
      { eksClusterName: 'mesh-west', nodegroupName: 'ng-a', updateId: 'ng-upd-1', region: 'us-west-2' },
    ]);
    const westWeights = h.route53.batches
      .flatMap((b) => b.changes)
      .filter((c) => c.recordSet.name === 'shop.example.com.' && c.recordSet.setIdentifier === 'west')
      .map((c) => c.recordSet.weight);
    expect(westWeights).toEqual([50, 0, 50, 100]);
    expect((await h.table.readFleet()).intents['west']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(h.eventsOf('Cluster Drain Started')[0]).toMatchObject({
      cluster: 'west',
      reason: expect.stringContaining('UpdateNodegroupVersion of node group ng-a'),
    });
  });

  it('does nothing for a config update that moves no pod', async () => {
    const h = await createHarness(dynamo, { eks: { describeUpdate: async () => ({ status: 'Successful', errors: [] }) } });
    const outcome = await h.run(
      'UpgradeGuard',
      nodegroupCall('UpdateNodegroupConfig', 'mesh-west', 'ng-a', { labels: { addOrUpdateLabels: { team: 'mesh' } } }),
    );
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    expect(h.route53.batches).toEqual([]);
    expect(h.events).toEqual([]);
  });
});
