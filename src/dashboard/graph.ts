// Pure: a workflow's ASL as a graph of its top-level states, and an execution's history as
// the path it took through them. The page lays the graph out (dagre) and highlights the path.
import type { ExecutionPath, WorkflowGraph } from './model.ts';

interface AslState {
  Type?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: Array<{ Next?: string }>;
  Catch?: Array<{ Next?: string }>;
}

/** ASL (its text or parsed) → graph; a definition that is not ASL is an error naming what is missing. */
export function workflowGraph(definition: string | object): WorkflowGraph {
  const asl = (typeof definition === 'string' ? JSON.parse(definition) : definition) as { StartAt?: unknown; States?: unknown };
  if (typeof asl.StartAt !== 'string' || typeof asl.States !== 'object' || asl.States === null)
    throw new Error('state machine definition: StartAt and States are required');
  const states = asl.States as Record<string, AslState>;
  const nodes = Object.entries(states).map(([id, state]) => ({ id, type: state.Type ?? 'Unknown' }));
  const edges: WorkflowGraph['edges'] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string | undefined, kind: WorkflowGraph['edges'][number]['kind']) => {
    if (to === undefined || !(to in states)) return;
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ from, to, kind });
  };
  for (const [id, state] of Object.entries(states)) {
    add(id, state.Next, 'next');
    for (const choice of state.Choices ?? []) add(id, choice.Next, 'choice');
    add(id, state.Default, 'default');
    for (const handler of state.Catch ?? []) add(id, handler.Next, 'catch');
  }
  return { startAt: asl.StartAt, nodes, edges };
}

/** The parts of a GetExecutionHistory event this reads (SDK or local shape). */
export interface HistoryEventLike {
  type?: string;
  stateEnteredEventDetails?: { name?: string };
  stateExitedEventDetails?: { name?: string };
}

/** The top-level states an execution entered, where it is now and where it failed. */
export function executionPath(graph: WorkflowGraph, history: readonly HistoryEventLike[], status: string): ExecutionPath {
  const known = new Set(graph.nodes.map((n) => n.id));
  const visited: string[] = [];
  const open = new Set<string>();
  let last: string | undefined;
  for (const event of history) {
    const entered = event.stateEnteredEventDetails?.name;
    if (entered !== undefined && event.type?.endsWith('StateEntered') && known.has(entered)) {
      visited.push(entered);
      open.add(entered);
      last = entered;
    }
    const exited = event.stateExitedEventDetails?.name;
    if (exited !== undefined && event.type?.endsWith('StateExited') && known.has(exited)) open.delete(exited);
  }
  const path: ExecutionPath = { visited };
  if (status === 'RUNNING' && last !== undefined && open.has(last)) path.current = last;
  if ((status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED') && last !== undefined) path.failedAt = last;
  return path;
}
