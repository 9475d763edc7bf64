// Every task by its function name (the `${name}` in workflows/*.asl.json and the keys
// of FUNCTIONS): the plain functions behind the Lambda handlers, bound to their deps.
// The local runtime and the workflow tests call these in process.
import type { Deps } from '../../core/ports.ts';
import { cleanupHealthChecks, offboardApp, onboardApp, reconcile } from './apps.ts';
import { failbackApply, failoverApply, failoverDecide } from './failover.ts';
import { acquireLock, applyWeights, changeStatus, finishOperation, healthGate, prepareDrain, prepareRestore, rollbackOperation } from './operations.ts';
import { recoverOperation } from './recover.ts';
import { router } from './router.ts';
import { describeUpdate, resolveUpgrade } from './upgrade.ts';

export type Task = (input: unknown) => Promise<unknown>;

export const TASK_FACTORIES = {
  router,
  prepareDrain,
  prepareRestore,
  acquireLock,
  applyWeights,
  changeStatus,
  healthGate,
  finishOperation,
  rollbackOperation,
  recoverOperation,
  resolveUpgrade,
  describeUpdate,
  failoverDecide,
  failoverApply,
  failbackApply,
  onboardApp,
  offboardApp,
  reconcile,
  cleanupHealthChecks,
} as const satisfies Record<string, (deps: Deps) => Task>;

export type TaskName = keyof typeof TASK_FACTORIES;

/** Every task bound to `deps`. */
export function createTasks(deps: Deps): Record<TaskName, Task> {
  return Object.fromEntries(Object.entries(TASK_FACTORIES).map(([name, factory]) => [name, factory(deps)])) as Record<TaskName, Task>;
}
