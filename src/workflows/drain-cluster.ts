// DrainCluster: see docs/workflows.md, "DrainCluster / RestoreCluster".
import { clusterOperation } from './cluster-operation.ts';

export const drainCluster = clusterOperation({
  comment:
    "DrainCluster: lock, safety check, then for each step set the cluster's weights, wait INSYNC, wait TTL + bake, check the remaining clusters' health; DRAINED at the end. Any failure rolls back to the saved weights, releases the lock and emits Cluster Drain Aborted. dryRun returns every step's plan and changes nothing.",
  phase: 'drain',
  prepare: 'prepareDrain',
  refusals: ['DrainUnsafe', 'ChangeBlocked'],
  noopOutcome: 'already-drained',
  startedEvent: 'Cluster Drain Started',
  stepsComment: 'One step at a time, in order.',
  outcome: 'drained',
});
