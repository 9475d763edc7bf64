// A workflow's states as an SVG, laid out by dagre: visited states and the edges taken are
// highlighted, the current state is outlined, the state it failed in is red.
import dagre, { type graphlib, type Point } from '@dagrejs/dagre';
import type { ExecutionPath, WorkflowGraph } from '../model.ts';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_HEIGHT = 26;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

const layouts = new Map<WorkflowGraph, graphlib.Graph>();

function layoutOf(graph: WorkflowGraph): graphlib.Graph {
  const known = layouts.get(graph);
  if (known !== undefined) return known;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 28, marginx: 6, marginy: 6 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { width: Math.max(60, node.id.length * 7 + 16), height: NODE_HEIGHT });
  for (const edge of graph.edges) g.setEdge(edge.from, edge.to);
  dagre.layout(g);
  layouts.set(graph, g);
  return g;
}

export function renderGraph(graph: WorkflowGraph, path: ExecutionPath): SVGSVGElement {
  const g = layoutOf(graph);
  const size = g.graph();
  const root = svg('svg', { class: 'workflow', width: size.width ?? 0, height: size.height ?? 0, viewBox: `0 0 ${size.width ?? 0} ${size.height ?? 0}` });
  const visited = new Set(path.visited);
  const taken = new Set<string>();
  for (let i = 1; i < path.visited.length; i++) taken.add(`${path.visited[i - 1]}\u0000${path.visited[i]}`);
  for (const edge of graph.edges) {
    const points: Point[] = (g.edge(edge.from, edge.to) as { points?: Point[] } | undefined)?.points ?? [];
    if (points.length === 0) continue;
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    root.append(svg('path', { d, class: `edge ${edge.kind}${taken.has(`${edge.from}\u0000${edge.to}`) ? ' taken' : ''}` }));
  }
  for (const node of graph.nodes) {
    const box = g.node(node.id);
    const classes = ['node', node.type.toLowerCase()];
    if (visited.has(node.id)) classes.push('visited');
    if (path.current === node.id) classes.push('current');
    if (path.failedAt === node.id) classes.push('failed');
    const group = svg('g', {
      class: classes.join(' '),
      'data-state': node.id,
      transform: `translate(${(box.x - box.width / 2).toFixed(1)},${(box.y - box.height / 2).toFixed(1)})`,
    });
    group.append(svg('rect', { width: box.width, height: box.height, rx: node.type === 'Choice' ? 12 : 4 }));
    const label = svg('text', { x: box.width / 2, y: box.height / 2 + 4, 'text-anchor': 'middle' });
    label.textContent = node.id;
    const title = svg('title', {});
    title.textContent = `${node.id} (${node.type})`;
    group.append(label, title);
    root.append(group);
  }
  return root;
}
