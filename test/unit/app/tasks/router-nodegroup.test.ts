import { describe, expect, it } from 'vitest';
import { routeEvent } from '../../../../src/app/tasks/router.ts';
import type { Deps } from '../../../../src/core/ports.ts';
import { exampleFleet } from '../../aws/helpers/example-fleet.ts';
import { nodegroupCall } from '../../../fixtures/cloudtrail/eks-nodegroup.ts';

const deps = { fleet: exampleFleet, stage: 'dev' } as Pick<Deps, 'fleet' | 'stage'>;

describe('routeEvent: EKS node-group updates', () => {
  it('starts UpgradeGuard for a node-group version update of a fleet cluster, with the event as input', () => {
    const event = nodegroupCall('UpdateNodegroupVersion', 'mesh-west', 'ng-a', { releaseVersion: '1.31.0-20261120' });
    const routed = routeEvent(deps, event);
    expect(routed.starts).toEqual([
      { workflow: 'UpgradeGuard', name: expect.stringMatching(/^upgrade-west-/), input: expect.objectContaining({ source: 'aws.eks' }) },
    ]);
    // A second delivery of the same call starts the same execution name (one run).
    expect(routeEvent(deps, { ...event, id: 'again' }).starts[0]!.name).toBe(routed.starts[0]!.name);
  });

  it('starts UpgradeGuard for a config update that evicts pods, and nothing for one that does not', () => {
    const taint = nodegroupCall('UpdateNodegroupConfig', 'mesh-west', 'ng-a', {
      taints: { addOrUpdateTaints: [{ key: 'm', value: 'x', effect: 'NO_EXECUTE' }] },
    });
    const labels = nodegroupCall('UpdateNodegroupConfig', 'mesh-west', 'ng-a', { labels: { addOrUpdateLabels: { team: 'mesh' } } });
    expect(routeEvent(deps, taint).starts.map((s) => s.workflow)).toEqual(['UpgradeGuard']);
    expect(routeEvent(deps, labels)).toEqual({ starts: [], ignored: 'UpdateNodegroupConfig of node group ng-a replaces no node and evicts no pod' });
  });

  it('ignores a node-group update of a cluster outside the fleet', () => {
    expect(routeEvent(deps, nodegroupCall('UpdateNodegroupVersion', 'mesh-mars', 'ng-a')).ignored).toContain('not in the fleet');
  });
});
