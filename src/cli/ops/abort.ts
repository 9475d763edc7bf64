// Aborting the operation that holds a cluster's lock, for `switchyard abort` and the
// dashboard's Abort button: StopExecution of the drain, restore or upgrade run, then start its
// recovery (RecoverOperation, under the same execution name the router uses for the run's
// status change, so the two never recover it twice). Following the recovery is the caller's.
import { ExecutionAlreadyExists, StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { describeExecution, executionArnFor } from '../../aws/sfn.ts';
import type { StateTable } from '../../core/ports.ts';
import { InvalidInput } from '../../core/errors.ts';
import { intentOf, RECOVERABLE_OPERATIONS } from '../../core/fleet-document.ts';
import { recoverExecutionName } from '../../app/tasks/execution-names.ts';

/** The error a stopped run ends with; the abort event and the journal carry it. */
export const OPERATOR_ABORT = 'OperatorAbort';
/** How long a stopped run may take to report ABORTED before its recovery starts (generous: AWS settles at once). */
const STOPPED_DEADLINE_MS = 120_000;

export interface AbortOptions {
  sfn: SFNClient;
  table: Pick<StateTable, 'readFleet'>;
  /** RecoverOperation's state machine ARN; asked for only once there is something to abort. */
  recoverMachine: () => Promise<string>;
  /** Why, as the stopped run's cause (the journal and the Cluster Drain Aborted event carry it). */
  reason: string;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

export interface AbortStarted {
  cluster: string;
  /** The lock holder that was stopped (an execution name). */
  holder: string;
  /** The stopped run. */
  stopped: string;
  /** How the run ended: ABORTED when this call stopped it, else what it had already ended as. */
  status: string;
  /** The RecoverOperation execution rolling the cluster back and releasing its lock. */
  recovery: string;
}

/** Stops the run holding `cluster`'s lock and starts its recovery; nothing to abort is InvalidInput and changes nothing. */
export async function abortOperation(cluster: string, options: AbortOptions): Promise<AbortStarted> {
  const { sfn } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const state = await options.table.readFleet();
  const lock = state.locks[cluster];
  const executionArn = intentOf(state, cluster).executionArn;
  if (lock === undefined) throw new InvalidInput(`nothing to abort: no operation holds ${cluster}'s lock`, { cluster });
  if (!RECOVERABLE_OPERATIONS.includes(lock.operation) || executionArn === undefined || !executionArn.endsWith(`:${lock.holder}`)) {
    throw new InvalidInput(`nothing to abort: ${cluster}'s lock is held by ${lock.operation} ${lock.holder}, not by a drain, restore or upgrade run`, {
      cluster,
      holder: lock.holder,
    });
  }
  let run = await describeExecution(sfn, executionArn);
  if (run.status === 'RUNNING') {
    await sfn.send(new StopExecutionCommand({ executionArn, error: OPERATOR_ABORT, cause: options.reason }));
    options.log?.(`stopped ${executionArn}`);
    const deadline = Date.now() + STOPPED_DEADLINE_MS;
    while (run.status === 'RUNNING') {
      if (Date.now() > deadline)
        throw new Error(`${executionArn} still RUNNING ${STOPPED_DEADLINE_MS / 1000} s after StopExecution; its recovery was not started`);
      await sleep(options.pollMs ?? 200);
      run = await describeExecution(sfn, executionArn);
    }
  } else {
    options.log?.(`${executionArn} already ended ${run.status}; recovering what it left`);
  }
  // The router starts the same execution from the run's status change; whichever comes second finds it.
  const machine = await options.recoverMachine();
  const name = recoverExecutionName(executionArn);
  let recovery: string;
  try {
    recovery = (await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name, input: JSON.stringify({ executionArn }) }))).executionArn!;
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists || (error instanceof Error && error.name === 'ExecutionAlreadyExists'))) throw error;
    recovery = executionArnFor(machine, name);
  }
  options.log?.(`RecoverOperation: ${recovery}`);
  return { cluster, holder: lock.holder, stopped: executionArn, status: run.status, recovery };
}
