// Which EKS calls move pods off a cluster's nodes, so that UpgradeGuard drains the
// cluster around them (docs/deploy.md, "Upgrades that move pods"). Pure.
//
// - UpdateClusterVersion: the control plane's version; guarded (the existing behaviour).
// - UpdateNodegroupVersion: a managed node group's Kubernetes version, AMI release or
//   launch template: EKS replaces every node of the group (a rolling update), so every
//   pod on it moves. Always guarded.
// - UpdateNodegroupConfig: labels, taints, scaling and update settings are applied to the
//   existing nodes, no node is replaced. Only two changes move pods: a NO_EXECUTE taint
//   (evicts every pod without a toleration from every node of the group) and a scaling
//   config that empties the group (desiredSize or maxSize 0). Those are guarded; the rest
//   is not.
// Add-on updates (UpdateAddon) restart only the add-on's own pods: not guarded. The canary
// health check and Failover still cover an add-on update that breaks the cluster's ingress.
import type { EksApiCallEvent } from './events.ts';

export type GuardedUpdate = { guarded: true; kind: 'cluster' | 'nodegroup'; nodegroupName?: string; what: string } | { guarded: false; reason: string };

interface NodegroupConfigRequest {
  nodegroupName?: unknown;
  taints?: { addOrUpdateTaints?: Array<{ effect?: unknown }> };
  scalingConfig?: { desiredSize?: unknown; maxSize?: unknown };
}

export function guardedUpdate(detail: EksApiCallEvent['detail']): GuardedUpdate {
  const request = (detail.requestParameters ?? {}) as NodegroupConfigRequest & { name?: string };
  const nodegroup = typeof request.nodegroupName === 'string' && request.nodegroupName !== '' ? request.nodegroupName : undefined;
  switch (detail.eventName) {
    case 'UpdateClusterVersion':
      return { guarded: true, kind: 'cluster', what: 'UpdateClusterVersion' };
    case 'UpdateNodegroupVersion':
      if (!nodegroup) return { guarded: false, reason: 'UpdateNodegroupVersion names no node group' };
      return { guarded: true, kind: 'nodegroup', nodegroupName: nodegroup, what: `UpdateNodegroupVersion of node group ${nodegroup}` };
    case 'UpdateNodegroupConfig': {
      if (!nodegroup) return { guarded: false, reason: 'UpdateNodegroupConfig names no node group' };
      const evicting = (request.taints?.addOrUpdateTaints ?? []).some((t) => t.effect === 'NO_EXECUTE');
      const scaling = request.scalingConfig;
      const emptied = scaling !== undefined && (scaling.desiredSize === 0 || scaling.maxSize === 0);
      if (evicting)
        return {
          guarded: true,
          kind: 'nodegroup',
          nodegroupName: nodegroup,
          what: `UpdateNodegroupConfig of node group ${nodegroup} (a NO_EXECUTE taint evicts its pods)`,
        };
      if (emptied)
        return { guarded: true, kind: 'nodegroup', nodegroupName: nodegroup, what: `UpdateNodegroupConfig of node group ${nodegroup} (scaled to zero nodes)` };
      return { guarded: false, reason: `UpdateNodegroupConfig of node group ${nodegroup} replaces no node and evicts no pod` };
    }
    default:
      return { guarded: false, reason: `${detail.eventName} is not an update that moves pods` };
  }
}
