// What the dashboard's server reads and does, whatever it runs against: the local runtime
// (sources/local.ts) or a deployed stage through the AWS SDK (sources/aws.ts).
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { findStateMachines } from '../aws/sfn.ts';
import { drainInputSchema, parseInput, restoreInputSchema } from '../core/operation-spec.ts';
import { InvalidInput, UnknownCluster } from '../core/errors.ts';
import { abortOperation } from '../cli/ops/abort.ts';
import { operationExecutionName } from '../cli/ops/operation.ts';
import type { StateTable } from '../core/ports.ts';
import type { DashboardMode, OperationKind, Snapshot, WorkflowGraph } from './model.ts';
import type { SeriesStore } from './series.ts';

export type Operation = (cluster: string) => Promise<Record<string, unknown>>;

export interface DashboardSource {
  mode: DashboardMode;
  stage: string;
  snapshot(): Promise<Snapshot>;
  graphs(): Promise<Record<string, WorkflowGraph>>;
  /** The buttons this source serves; the ones missing are refused. */
  operations: Partial<Record<OperationKind, Operation>>;
  /** Starts feeding its series (DNS answer share locally, health-check status on AWS); returns stop. */
  sample(store: SeriesStore): () => void;
  close?(): Promise<void>;
}

/** Starts DrainCluster or RestoreCluster of the stage by name, as `switchyard drain|restore` does (fleet defaults for steps and bake). */
export async function startOperation(
  sfn: SFNClient,
  prefix: string,
  kind: 'drain' | 'restore',
  cluster: string,
  known: readonly string[],
  by: string,
): Promise<Record<string, unknown>> {
  if (!known.includes(cluster)) throw new UnknownCluster(cluster, known);
  const input = { cluster, by, reason: `${kind} from the dashboard` };
  if (kind === 'drain') parseInput(drainInputSchema, input, 'drain');
  else parseInput(restoreInputSchema, input, 'restore');
  const workflow = kind === 'drain' ? 'DrainCluster' : 'RestoreCluster';
  const arn = (await findStateMachines(sfn, prefix))[workflow];
  if (arn === undefined) throw new InvalidInput(`no ${workflow} state machine named ${prefix}${workflow}`);
  const out = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: arn, name: operationExecutionName(kind, cluster, new Date()), input: JSON.stringify(input) }),
  );
  return { workflow, executionArn: out.executionArn };
}

/**
 * Aborts the drain, restore or upgrade holding the cluster's lock, as `switchyard abort` does:
 * StopExecution, then RecoverOperation (rolls the weights back, releases the lock). Answers
 * once the recovery has started; the page follows it like any execution.
 */
export async function abortFromDashboard(
  sfn: SFNClient,
  table: Pick<StateTable, 'readFleet'>,
  prefix: string,
  cluster: string,
  known: readonly string[],
  by: string,
): Promise<Record<string, unknown>> {
  if (!known.includes(cluster)) throw new UnknownCluster(cluster, known);
  const aborted = await abortOperation(cluster, {
    sfn,
    table,
    reason: `aborted from the dashboard by ${by}`,
    recoverMachine: async () => {
      const arn = (await findStateMachines(sfn, prefix)).RecoverOperation;
      if (arn === undefined) throw new InvalidInput(`no RecoverOperation state machine named ${prefix}RecoverOperation`);
      return arn;
    },
  });
  return { workflow: 'RecoverOperation', executionArn: aborted.recovery, stopped: aborted.stopped, status: aborted.status };
}
