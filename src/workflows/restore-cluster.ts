// RestoreCluster: see docs/workflows.md, "DrainCluster / RestoreCluster".
import { clusterOperation } from './cluster-operation.ts';

export const restoreCluster = clusterOperation({
  comment:
    'RestoreCluster: the drain in reverse. Health gate on the cluster first and after every step; on failure back to the saved (drained) weights, lock released, Cluster Drain Aborted (operation restore).',
  phase: 'restore',
  prepare: 'prepareRestore',
  refusals: ['HealthDegraded', 'ChangeBlocked'],
  noopOutcome: 'already-active',
  stepsComment: "One step at a time, in order; each ends with the cluster's own health gate.",
  outcome: 'restored',
});
