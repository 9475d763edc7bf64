// What happens, at start, to executions an earlier runtime left RUNNING (it was killed):
//
// - A drain, restore or upgrade that holds its cluster's lock was part-way through
//   changing weights. It is only marked: stopped, ABORTED with the error
//   `RuntimeInterrupted`. Its end is a "Step Functions Execution Status Change" on the
//   default bus like any stopped run's, so the router starts RecoverOperation, which rolls
//   it back exactly as on AWS (the saved weights back into Route 53 and the intent, the
//   lock released, "Cluster Drain Aborted" on the bus). The operator starts it again if
//   still wanted.
// - Every other execution is resumed: run again from its first state with its input (the
//   workflows read before they write and their writes are idempotent, so a re-run either
//   completes the work or finds nothing left to do). A drain that had not taken its lock
//   yet, or had already released it, is such a case. A lock such an execution held (a
//   failover's short lock, taken and released inside one task) is released first: the
//   re-run takes it again if it still has work, and a re-run that finds its alarm stale
//   would otherwise leave it to block the cluster's next operation until the lease ends.
//
// So a crash never leaves an operation half-applied: the table's intent and lock, and the
// records in Route 53, end consistent.
import { errorMessage } from '../../core/errors.ts';
import { heldLockOf, releaseLock, type Lock } from '../../core/fleet-document.ts';
import type { Deps } from '../../core/ports.ts';
import type { LocalStepFunctions } from '@switchyard/local-aws/stepfunctions';

export const INTERRUPTED_ERROR = 'RuntimeInterrupted';

export interface RecoveryOutcome {
  executionArn: string;
  workflow: string;
  action: 'resumed' | 'stopped';
  detail: string;
}

export interface RecoveryInput {
  stepFunctions: LocalStepFunctions;
  deps: Pick<Deps, 'table'>;
  /** The workflow name of a state machine ARN (strips the stage prefix). */
  workflowOf(stateMachineArn: string): string;
}

/** Frees the locks an interrupted execution that is about to run again still holds (fenced by token). */
async function releaseStaleLocks(deps: RecoveryInput['deps'], locks: readonly Lock[]): Promise<string[]> {
  if (locks.length === 0) return [];
  return deps.table.updateFleet((state) => {
    let next = state;
    const released: string[] = [];
    for (const lock of locks) {
      const outcome = releaseLock(next, lock.cluster, lock.token);
      if (outcome.released) released.push(lock.cluster);
      next = outcome.state;
    }
    return released.length === 0 ? { result: released } : { next, result: released };
  });
}

/** Settles every interrupted execution; one failing does not stop the others. */
export async function recoverInterrupted(input: RecoveryInput): Promise<RecoveryOutcome[]> {
  const interrupted = input.stepFunctions.interruptedExecutions();
  if (interrupted.length === 0) return [];
  const state = await input.deps.table.readFleet();
  const outcomes: RecoveryOutcome[] = [];
  for (const record of interrupted) {
    const workflow = input.workflowOf(record.stateMachineArn);
    const lock = heldLockOf(state, { executionArn: record.executionArn, name: record.name });
    try {
      if (lock !== undefined) {
        const cause = `the local runtime stopped while ${workflow} held the lock on ${lock.cluster}; RecoverOperation rolls it back`;
        input.stepFunctions.stopExecution({ executionArn: record.executionArn, error: INTERRUPTED_ERROR, cause });
        outcomes.push({
          executionArn: record.executionArn,
          workflow,
          action: 'stopped',
          detail: `held the lock on ${lock.cluster}: stopped, RecoverOperation rolls it back`,
        });
      } else {
        const held = Object.values(state.locks).filter((l) => l.holder === record.name);
        const released = await releaseStaleLocks(input.deps, held);
        input.stepFunctions.resumeExecution(record.executionArn);
        const freed = released.length === 0 ? '' : `; its lock on ${released.join(', ')} released first`;
        outcomes.push({ executionArn: record.executionArn, workflow, action: 'resumed', detail: `run again from the start${freed}` });
      }
    } catch (error) {
      input.stepFunctions.stopExecution({
        executionArn: record.executionArn,
        error: INTERRUPTED_ERROR,
        cause: `recovery after a restart failed: ${errorMessage(error)}`,
      });
      outcomes.push({ executionArn: record.executionArn, workflow, action: 'stopped', detail: `recovery failed: ${errorMessage(error)}` });
    }
  }
  return outcomes;
}
