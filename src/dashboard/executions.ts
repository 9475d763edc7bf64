// Executions and workflow graphs read through the Step Functions API (the same calls on the
// local endpoint and on AWS): the stage's state machines, their recent executions, and for
// the running and latest ones the path through the graph from GetExecutionHistory.
import { DescribeStateMachineCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { executionHistory, findStateMachines } from '../aws/sfn.ts';
import { executionPath, workflowGraph } from './graph.ts';
import type { ExecutionItem, ExecutionPath, WorkflowGraph } from './model.ts';

export interface ExecutionsReaderOptions {
  sfn: SFNClient;
  /** State machine name prefix: `switchyard-<stage>-`. */
  prefix: string;
  /** Executions listed per state machine (newest first). */
  perMachine?: number;
  /** Finished executions whose path is shown besides the running ones. */
  recentWithPath?: number;
}

export interface ExecutionsReader {
  graphs(): Promise<Record<string, WorkflowGraph>>;
  list(): Promise<ExecutionItem[]>;
}

export function executionsReader(options: ExecutionsReaderOptions): ExecutionsReader {
  const { sfn, prefix } = options;
  const perMachine = options.perMachine ?? 10;
  const recentWithPath = options.recentWithPath ?? 4;
  let machines: Record<string, string> | undefined;
  let graphs: Record<string, WorkflowGraph> | undefined;
  // A finished execution's path never changes: read its history once.
  const finished = new Map<string, ExecutionPath>();

  const machinesOf = async () => {
    if (machines === undefined || Object.keys(machines).length === 0) machines = (await findStateMachines(sfn, prefix)) as Record<string, string>;
    return machines;
  };
  const graphsOf = async () => {
    if (graphs !== undefined) return graphs;
    const found: Record<string, WorkflowGraph> = {};
    for (const [workflow, arn] of Object.entries(await machinesOf())) {
      const out = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      found[workflow] = workflowGraph(out.definition ?? '{}');
    }
    if (Object.keys(found).length > 0) graphs = found;
    return found;
  };
  const pathOf = async (item: ExecutionItem, graph: WorkflowGraph): Promise<ExecutionPath> => {
    const known = finished.get(item.executionArn);
    if (known !== undefined) return known;
    const path = executionPath(graph, await executionHistory(sfn, item.executionArn), item.status);
    if (item.status !== 'RUNNING') finished.set(item.executionArn, path);
    return path;
  };

  return {
    graphs: graphsOf,
    async list() {
      const all: ExecutionItem[] = [];
      for (const [workflow, arn] of Object.entries(await machinesOf())) {
        const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: perMachine }));
        for (const e of out.executions ?? []) {
          if (e.executionArn === undefined || e.name === undefined) continue;
          all.push({
            workflow,
            name: e.name,
            executionArn: e.executionArn,
            status: e.status ?? 'UNKNOWN',
            startDate: (e.startDate ?? new Date(0)).toISOString(),
            ...(e.stopDate ? { stopDate: e.stopDate.toISOString() } : {}),
          });
        }
      }
      all.sort((a, b) => (a.startDate < b.startDate ? 1 : a.startDate > b.startDate ? -1 : 0));
      const shown = all.slice(0, 25);
      const byGraph = await graphsOf();
      let recent = 0;
      for (const item of shown) {
        const graph = byGraph[item.workflow];
        if (graph === undefined) continue;
        if (item.status !== 'RUNNING' && recent >= recentWithPath) continue;
        if (item.status !== 'RUNNING') recent += 1;
        item.path = await pathOf(item, graph);
      }
      return shown;
    },
  };
}
