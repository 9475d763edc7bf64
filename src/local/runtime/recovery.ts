// What happens, at start, to executions an earlier runtime left RUNNING (it was killed):
//
// - A drain, restore or upgrade that holds its cluster's lock was part-way through
//   changing weights. It is rolled back by the workflows' own rollback task — the weights
//   saved in the state table when it took the lock go back into Route 53 and the intent,
//   the lock is released, "Cluster Drain Aborted" goes on the bus — and the execution ends
//   ABORTED with the error `RuntimeInterrupted`. The operator starts it again if still wanted.
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
import { drainInputSchema, operationPlanSchema, planOperation, restoreInputSchema, type OperationPlan } from '../../core/drain-plan.ts';
import { errorMessage } from '../../core/errors.ts';
import { intentOf, releaseLock, type Lock } from '../../core/intent.ts';
import { RECORD_TTL_SECONDS } from '../../core/catalogue.ts';
import type { Deps } from '../../runtime/deps.ts';
import type { ExecutionRecord, LocalStepFunctions } from '../stepfunctions/engine.ts';
import type { PutEventsSink } from '../stepfunctions/runner.ts';

export const INTERRUPTED_ERROR = 'RuntimeInterrupted';
/** Lock operations whose half-done state is rolled back rather than re-run. */
const ROLLED_BACK_OPERATIONS: readonly string[] = ['drain', 'restore', 'upgrade'];

export interface RecoveryOutcome {
  executionArn: string;
  workflow: string;
  action: 'resumed' | 'rolled-back' | 'stopped';
  detail: string;
}

export interface RecoveryInput {
  stepFunctions: LocalStepFunctions;
  deps: Pick<Deps, 'table' | 'fleet' | 'clock'>;
  /** The rollback task (functions/tasks: rollbackOperation) bound to the runtime's deps. */
  rollback: ((input: unknown) => Promise<unknown>) | undefined;
  putEvents: PutEventsSink;
  eventBusName: string;
  /** The workflow name of a state machine ARN (strips the stage prefix). */
  workflowOf(stateMachineArn: string): string;
}

interface TaskExit {
  type: string;
  stateExitedEventDetails?: { name?: string; output?: string };
}

/** The operation plan the execution's Prepare state produced, from its persisted history. */
function planFromHistory(record: ExecutionRecord): OperationPlan | undefined {
  for (const event of [...record.history].reverse() as TaskExit[]) {
    if (event.type !== 'TaskStateExited' || event.stateExitedEventDetails?.name !== 'Prepare') continue;
    try {
      const output = JSON.parse(event.stateExitedEventDetails.output ?? 'null') as { op?: unknown };
      const parsed = operationPlanSchema.safeParse(output?.op);
      if (parsed.success) return parsed.data;
    } catch {
      // A truncated history: rebuild the plan below.
    }
  }
  return undefined;
}

/** The plan rebuilt from the execution's input, when the history was cut short by the crash. */
function planFromInput(record: ExecutionRecord, lock: Lock, deps: RecoveryInput['deps'], currentPercent: number): OperationPlan | undefined {
  if (lock.operation !== 'drain' && lock.operation !== 'restore') return undefined;
  const raw = JSON.parse(record.input) as unknown;
  const parsed = (lock.operation === 'drain' ? drainInputSchema : restoreInputSchema).safeParse(raw);
  if (!parsed.success) return undefined;
  const input = parsed.data;
  return planOperation({
    operation: lock.operation,
    fleet: deps.fleet,
    cluster: lock.cluster,
    reason: input.reason,
    by: input.by,
    ...(lock.operation === 'drain' ? { drainSteps: input.steps } : { restoreSteps: input.steps }),
    ...(input.bakeSeconds === undefined ? {} : { bakeSeconds: input.bakeSeconds }),
    currentPercent,
    apps: [],
    ttlSeconds: RECORD_TTL_SECONDS,
    execution: { id: record.executionArn, name: record.name, startTime: new Date(record.startDate).toISOString() },
  });
}

/** A lease that ran out while the runtime was down is taken back, if nobody took the cluster since. */
async function reclaimLease(deps: RecoveryInput['deps'], lock: Lock): Promise<void> {
  const now = deps.clock.now();
  if (Date.parse(lock.expiresAt) > now.getTime()) return;
  await deps.table.updateFleet((state) => {
    const current = state.locks[lock.cluster];
    if (current === undefined || current.token !== lock.token) return { result: null };
    const expiresAt = new Date(now.getTime() + deps.fleet.safety.lockTtlSeconds * 1000).toISOString();
    return { next: { ...state, locks: { ...state.locks, [lock.cluster]: { ...current, expiresAt } } }, result: null };
  });
}

async function rollBack(input: RecoveryInput, record: ExecutionRecord, lock: Lock): Promise<RecoveryOutcome> {
  const workflow = input.workflowOf(record.stateMachineArn);
  const state = await input.deps.table.readFleet();
  const intent = intentOf(state, lock.cluster);
  const op = planFromHistory(record) ?? planFromInput(record, lock, input.deps, intent.saved?.weightPercent ?? intent.weightPercent);
  const cause = `the local runtime stopped while ${workflow} held the lock on ${lock.cluster}; rolled back at the next start`;
  if (op === undefined || input.rollback === undefined) {
    // Nothing here can undo it safely: stop the execution and leave the lock for its lease to expire.
    input.stepFunctions.stopExecution({ executionArn: record.executionArn, error: INTERRUPTED_ERROR, cause: `${cause} failed: no plan or no rollback task; ${lock.cluster} stays locked until ${lock.expiresAt}` });
    return { executionArn: record.executionArn, workflow, action: 'stopped', detail: `no plan to roll back with; lock on ${lock.cluster} left to expire` };
  }
  await reclaimLease(input.deps, lock);
  const result = (await input.rollback({
    op,
    lock: { token: lock.token },
    error: { Error: INTERRUPTED_ERROR, Cause: JSON.stringify({ errorType: INTERRUPTED_ERROR, errorMessage: cause }) },
    operation: op.operation,
  })) as { rolledBack?: boolean; event?: { Source: string; DetailType: string; Detail: unknown } };
  if (result.event) {
    await input.putEvents([
      {
        Source: result.event.Source,
        DetailType: result.event.DetailType,
        Detail: JSON.stringify(result.event.Detail),
        EventBusName: input.eventBusName,
        Resources: [record.executionArn, record.stateMachineArn],
      },
    ]);
  }
  const after = intentOf(await input.deps.table.readFleet(), lock.cluster);
  const detail = `${lock.cluster} ${result.rolledBack ? 'rolled back' : 'left'} at ${after.state} ${after.weightPercent}%, lock released`;
  input.stepFunctions.stopExecution({ executionArn: record.executionArn, error: INTERRUPTED_ERROR, cause: `${cause}: ${detail}` });
  return { executionArn: record.executionArn, workflow, action: 'rolled-back', detail };
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
    const lock = Object.values(state.locks).find((l) => l.holder === record.name && ROLLED_BACK_OPERATIONS.includes(l.operation));
    try {
      if (lock !== undefined) {
        outcomes.push(await rollBack(input, record, lock));
      } else {
        const held = Object.values(state.locks).filter((l) => l.holder === record.name);
        const released = await releaseStaleLocks(input.deps, held);
        input.stepFunctions.resumeExecution(record.executionArn);
        const freed = released.length === 0 ? '' : `; its lock on ${released.join(', ')} released first`;
        outcomes.push({ executionArn: record.executionArn, workflow, action: 'resumed', detail: `run again from the start${freed}` });
      }
    } catch (error) {
      input.stepFunctions.stopExecution({ executionArn: record.executionArn, error: INTERRUPTED_ERROR, cause: `recovery after a restart failed: ${errorMessage(error)}` });
      outcomes.push({ executionArn: record.executionArn, workflow, action: 'stopped', detail: `recovery failed: ${errorMessage(error)}` });
    }
  }
  return outcomes;
}
