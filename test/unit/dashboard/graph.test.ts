import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executionPath, workflowGraph } from '../../../src/dashboard/graph.ts';

const WORKFLOWS = join(import.meta.dirname, '..', '..', '..', 'workflows');

describe('workflowGraph', () => {
  it('has a node per top-level state and an edge per Next, Choice, Default and Catch', () => {
    const graph = workflowGraph({
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Next: 'B', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Oops' }] },
        B: { Type: 'Choice', Choices: [{ Variable: '$.x', BooleanEquals: true, Next: 'Done' }], Default: 'A' },
        Done: { Type: 'Succeed' },
        Oops: { Type: 'Fail' },
      },
    });
    expect(graph.startAt).toBe('A');
    expect(graph.nodes).toEqual([
      { id: 'A', type: 'Task' },
      { id: 'B', type: 'Choice' },
      { id: 'Done', type: 'Succeed' },
      { id: 'Oops', type: 'Fail' },
    ]);
    expect(graph.edges).toEqual([
      { from: 'A', to: 'B', kind: 'next' },
      { from: 'A', to: 'Oops', kind: 'catch' },
      { from: 'B', to: 'Done', kind: 'choice' },
      { from: 'B', to: 'A', kind: 'default' },
    ]);
  });

  it('reads every workflow of the project, each edge between known states', async () => {
    for (const name of ['DrainCluster', 'RestoreCluster', 'Failover', 'OnboardApp', 'Reconcile']) {
      const graph = workflowGraph(await readFile(join(WORKFLOWS, `${name}.asl.json`), 'utf8'));
      const ids = new Set(graph.nodes.map((n) => n.id));
      expect(ids.has(graph.startAt), name).toBe(true);
      for (const edge of graph.edges) expect(ids.has(edge.from) && ids.has(edge.to), `${name}: ${edge.from} -> ${edge.to}`).toBe(true);
    }
  });

  it('refuses a definition without StartAt or States', () => {
    expect(() => workflowGraph('{"States": {}}')).toThrow(/StartAt and States are required/);
  });
});

describe('executionPath', () => {
  const graph = workflowGraph({ StartAt: 'A', States: { A: { Type: 'Task', Next: 'B' }, B: { Type: 'Map', Next: 'C' }, C: { Type: 'Succeed' } } });
  const entered = (name: string) => ({ type: 'TaskStateEntered', stateEnteredEventDetails: { name } });
  const exited = (name: string) => ({ type: 'TaskStateExited', stateExitedEventDetails: { name } });

  it('lists the top-level states entered, ignores states inside a Map, and names the current one while running', () => {
    const path = executionPath(graph, [entered('A'), exited('A'), entered('B'), entered('Inner'), exited('Inner')], 'RUNNING');
    expect(path).toEqual({ visited: ['A', 'B'], current: 'B' });
  });

  it('names the state it failed in, and no current state once it ended', () => {
    expect(executionPath(graph, [entered('A'), exited('A'), entered('B')], 'FAILED')).toEqual({ visited: ['A', 'B'], failedAt: 'B' });
    expect(executionPath(graph, [entered('A'), exited('A'), entered('B'), exited('B'), entered('C'), exited('C')], 'SUCCEEDED')).toEqual({
      visited: ['A', 'B', 'C'],
    });
  });
});
