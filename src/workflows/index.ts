// Every workflow, by name: what scripts/workflows.ts writes to workflows/<Name>.asl.json.
import type { WorkflowName } from '../core/ports.ts';
import type { StateMachine } from './asl.ts';
import { drainCluster } from './drain-cluster.ts';
import { failover } from './failover.ts';
import { offboardApp } from './offboard-app.ts';
import { onboardApp } from './onboard-app.ts';
import { reconcile } from './reconcile.ts';
import { recoverOperation } from './recover-operation.ts';
import { restoreCluster } from './restore-cluster.ts';
import { upgradeGuard } from './upgrade-guard.ts';

export const WORKFLOWS: Record<WorkflowName, StateMachine> = {
  OnboardApp: onboardApp,
  OffboardApp: offboardApp,
  Reconcile: reconcile,
  Failover: failover,
  DrainCluster: drainCluster,
  RestoreCluster: restoreCluster,
  UpgradeGuard: upgradeGuard,
  RecoverOperation: recoverOperation,
};

/** The text of workflows/<name>.asl.json: two-space JSON and a final newline. */
export function workflowText(name: WorkflowName): string {
  return `${JSON.stringify(WORKFLOWS[name], null, 2)}\n`;
}
