import { describe, expect, it } from 'vitest';
import { eksApiCallEventSchema } from '../../../src/core/events.ts';
import { guardedUpdate } from '../../../src/core/upgrades.ts';
import { nodegroupCall } from '../../fixtures/cloudtrail/eks-nodegroup.ts';

const detailOf = (event: unknown) => eksApiCallEventSchema.parse(event).detail;

describe('guardedUpdate: which EKS updates move pods', () => {
  it('guards every node-group version update (EKS replaces each node of the group)', () => {
    expect(guardedUpdate(detailOf(nodegroupCall('UpdateNodegroupVersion', 'mesh-west', 'ng-a', { releaseVersion: '1.31.0-20261120', force: false })))).toEqual({
      guarded: true,
      kind: 'nodegroup',
      nodegroupName: 'ng-a',
      what: 'UpdateNodegroupVersion of node group ng-a',
    });
  });

  it('guards a config update only when it evicts pods: a NO_EXECUTE taint, or scaling the group to zero', () => {
    const taint = nodegroupCall('UpdateNodegroupConfig', 'mesh-west', 'ng-a', {
      taints: { addOrUpdateTaints: [{ key: 'maintenance', value: 'true', effect: 'NO_EXECUTE' }] },
    });
    const zero = nodegroupCall('UpdateNodegroupConfig', 'mesh-west', 'ng-a', { scalingConfig: { minSize: 0, maxSize: 3, desiredSize: 0 } });
    expect(guardedUpdate(detailOf(taint))).toMatchObject({ guarded: true, nodegroupName: 'ng-a', what: expect.stringContaining('NO_EXECUTE') });
    expect(guardedUpdate(detailOf(zero))).toMatchObject({ guarded: true, nodegroupName: 'ng-a', what: expect.stringContaining('zero') });
  });

  it('lets labels, NoSchedule taints, ordinary scaling and update settings pass: no node is replaced', () => {
    for (const request of [
      { labels: { addOrUpdateLabels: { team: 'mesh' } } },
      { taints: { addOrUpdateTaints: [{ key: 'dedicated', value: 'mesh', effect: 'NO_SCHEDULE' }] } },
      { scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 3 } },
      { updateConfig: { maxUnavailable: 1 } },
    ]) {
      expect(guardedUpdate(detailOf(nodegroupCall('UpdateNodegroupConfig', 'mesh-west', 'ng-a', request)))).toEqual({
        guarded: false,
        reason: 'UpdateNodegroupConfig of node group ng-a replaces no node and evicts no pod',
      });
    }
  });

  it('keeps guarding control-plane version updates, and nothing else', () => {
    const base = detailOf(nodegroupCall('UpdateNodegroupVersion', 'mesh-west', 'ng-a'));
    expect(guardedUpdate({ ...base, eventName: 'UpdateClusterVersion', requestParameters: { name: 'mesh-west' } })).toMatchObject({
      guarded: true,
      kind: 'cluster',
    });
    expect(guardedUpdate({ ...base, eventName: 'UpdateAddon' })).toEqual({ guarded: false, reason: 'UpdateAddon is not an update that moves pods' });
  });
});
