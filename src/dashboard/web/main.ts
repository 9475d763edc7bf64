// The dashboard page: one live view of the fleet, fed by server-sent events from the
// dashboard service (src/dashboard/service.ts). Plain DOM, uPlot for the lines, dagre to lay
// out each workflow's states. Everything shown is what the server last sent; buttons post
// to the server, which checks them again.
import uPlot from 'uplot';
import type { ExecutionItem, InitMessage, OperationKind, PageConfig, Sample, SampleMessage, SeriesInfo, Snapshot, WorkflowGraph } from '../model.ts';
import { renderGraph } from './graph-view.ts';

const configText = document.querySelector('meta[name="switchyard-config"]')?.getAttribute('content') ?? '{}';
const config = JSON.parse(configText) as PageConfig;
const PALETTE = ['#2f6fdf', '#e0632a', '#2a9d5b', '#9b4dca', '#c9a227', '#d0417e', '#3aa6b9', '#7a7a7a'];

interface State {
  snapshot: Snapshot | undefined;
  series: Map<string, SeriesInfo & { samples: Sample[] }>;
  graphs: Record<string, WorkflowGraph>;
  connected: boolean;
  message: string;
}

const state: State = { snapshot: undefined, series: new Map(), graphs: {}, connected: false, message: '' };

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string | undefined>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) if (child !== undefined) node.append(child);
  return node;
}

function section(id: string, title: string, ...children: Array<Node | string | undefined>): HTMLElement {
  return el('section', { id }, el('h2', {}, title), ...children);
}

const root = document.getElementById('app')!;
root.textContent = '';
const header = el('header');
const messageLine = el('p', { id: 'message', role: 'status' });
const clustersBox = section('clusters', 'Clusters');
const matrixBox = section('matrix', 'Apps × clusters');
const chartTitle = el('h2', {}, 'DNS answer share');
const chartBox = el('div', { class: 'chart' });
const chartNote = el('p', { class: 'hint', id: 'chart-note' });
const legendBox = el('div', { class: 'legend' });
const chartSection = el('section', { id: 'chart' }, chartTitle, chartNote, chartBox, legendBox);
const executionsBox = section('executions', 'Executions');
const eventsBox = section('events', 'Events');
const journalBox = section('journal', 'Journal');
const problemsBox = el('section', { id: 'problems' });
root.append(
  header,
  messageLine,
  problemsBox,
  el('div', { class: 'row top' }, clustersBox, chartSection),
  matrixBox,
  executionsBox,
  el('div', { class: 'row' }, eventsBox, journalBox),
);

function renderHeader(): void {
  const where = config.mode === 'local' ? 'local runtime' : `stage ${config.stage} (AWS)`;
  const access = config.operations.length === 0 ? 'read-only' : `operations: ${config.operations.join(', ')}`;
  header.replaceChildren(
    el('h1', {}, 'Switchyard'),
    el('span', { class: 'where' }, where),
    el('span', { class: `live ${state.connected ? 'on' : 'off'}`, id: 'live' }, state.connected ? 'live' : 'reconnecting…'),
    el('span', { class: 'access' }, access),
    el('span', { class: 'at' }, state.snapshot ? `as of ${new Date(state.snapshot.at).toLocaleTimeString()}` : ''),
  );
}

async function operate(op: OperationKind, cluster: string): Promise<void> {
  state.message = `${op} ${cluster}…`;
  messageLine.textContent = state.message;
  try {
    const response = await fetch(`/_dashboard/api/clusters/${encodeURIComponent(cluster)}/${op}`, {
      method: 'POST',
      headers: { 'x-switchyard-token': config.token },
    });
    const body = (await response.json()) as { message?: string; executionArn?: string };
    state.message = response.ok
      ? `${op} ${cluster}: ${body.executionArn ? `started ${body.executionArn.slice(body.executionArn.lastIndexOf(':') + 1)}` : 'done'}`
      : `${op} ${cluster} refused: ${body.message ?? response.status}`;
  } catch (error) {
    state.message = `${op} ${cluster} failed: ${String(error)}`;
  }
  messageLine.textContent = state.message;
  messageLine.className = state.message.includes('refused') || state.message.includes('failed') ? 'bad' : '';
}

function button(op: OperationKind, cluster: string, idle = false): HTMLButtonElement {
  const b = el('button', { type: 'button', 'data-op': op, 'data-cluster': cluster, class: `op ${op}` }, op[0]!.toUpperCase() + op.slice(1));
  // Abort stops the run holding the lock: with no lock there is nothing to stop (the server says so too).
  if (idle) Object.assign(b, { disabled: true, title: 'no operation holds this cluster' });
  b.addEventListener('click', () => void operate(op, cluster));
  return b;
}

function colorOf(cluster: string): string {
  const names = state.snapshot?.clusters.map((c) => c.name) ?? [];
  const index = Math.max(0, names.indexOf(cluster));
  return PALETTE[index % PALETTE.length]!;
}

function lockText(c: Snapshot['clusters'][number]): string {
  return [c.lock ?? '', c.failedOver ? 'failed over' : ''].filter(Boolean).join('; ');
}

function renderClusters(s: Snapshot): void {
  const rows = s.clusters.map((c) =>
    el(
      'tr',
      { 'data-cluster': c.name, class: `health-${c.health.toLowerCase()} intent-${c.intent.toLowerCase()}` },
      el('td', {}, el('span', { class: 'swatch', style: `background:${colorOf(c.name)}` }), c.name),
      el('td', {}, c.region),
      el('td', { class: 'intent' }, c.intent),
      el('td', { class: 'weight' }, `${c.weightPercent}%`),
      el('td', { class: 'health' }, c.health),
      el('td', { class: 'lock', title: lockText(c) }, el('span', {}, lockText(c))),
      el('td', { class: 'ops' }, el('div', { class: 'buttons' }, ...config.operations.map((op) => button(op, c.name, op === 'abort' && c.lock === undefined)))),
    ),
  );
  clustersBox.replaceChildren(
    el('h2', {}, 'Clusters'),
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, ...['Cluster', 'Region', 'Intent', 'Weight', 'Health', 'Lock', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows),
    ),
  );
}

function renderMatrix(s: Snapshot): void {
  const names = s.clusters.map((c) => c.name);
  const rows = s.apps.map((app) =>
    el(
      'tr',
      { 'data-app': app.hostname },
      el('th', {}, app.hostname),
      el('td', { class: 'routing' }, app.routing),
      ...names.map((name) => {
        const m = app.clusters.find((c) => c.cluster === name);
        if (m === undefined) return el('td', { 'data-cluster': name, class: 'absent' }, '–');
        const value = m.weight !== undefined ? String(m.weight) : (m.role ?? 'in');
        return el(
          'td',
          {
            'data-cluster': name,
            class: `${m.serving ? 'serving' : 'idle'} ${m.healthy ? 'healthy' : 'unhealthy'}`,
            title: `${m.serving ? 'answered now' : 'not answered now'}; ${m.healthy ? 'healthy' : 'unhealthy'}`,
          },
          value,
        );
      }),
    ),
  );
  matrixBox.replaceChildren(
    el('h2', {}, 'Apps × clusters'),
    el('p', { class: 'hint' }, "Route 53 weight (or failover role) of each cluster's record; bold: DNS answers with it now; red: its health check fails."),
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, el('th', {}, 'App'), el('th', {}, 'Routing'), ...names.map((n) => el('th', {}, n)))),
      el('tbody', {}, ...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: String(names.length + 2) }, '(no records yet)'))])),
    ),
  );
}

const openExecutions = new Set<string>();

function executionCard(e: ExecutionItem): HTMLElement {
  const graph = state.graphs[e.workflow];
  const details = el(
    'details',
    { class: `execution status-${e.status.toLowerCase()}`, 'data-workflow': e.workflow, 'data-execution': e.name, 'data-status': e.status },
    el(
      'summary',
      {},
      el('span', { class: 'status' }, e.status),
      ` ${e.workflow} `,
      el('span', { class: 'name' }, e.name),
      el('span', { class: 'when' }, ` ${new Date(e.startDate).toLocaleTimeString()}`),
      e.path?.current ? el('span', { class: 'current' }, ` at ${e.path.current}`) : undefined,
    ),
  );
  if (e.status === 'RUNNING' || openExecutions.has(e.executionArn)) details.open = true;
  details.addEventListener('toggle', () => (details.open ? openExecutions.add(e.executionArn) : openExecutions.delete(e.executionArn)));
  if (graph !== undefined && e.path !== undefined) details.append(renderGraph(graph, e.path));
  else if (graph !== undefined) details.append(el('p', { class: 'hint' }, 'older execution: its path is not read'));
  return details;
}

function renderExecutions(s: Snapshot): void {
  const running = s.executions.filter((e) => e.status === 'RUNNING');
  const recent = s.executions.filter((e) => e.status !== 'RUNNING').slice(0, 8);
  executionsBox.replaceChildren(
    el('h2', {}, 'Executions'),
    el('h3', {}, `Running (${running.length})`),
    ...(running.length > 0 ? running.map(executionCard) : [el('p', { class: 'hint' }, 'none')]),
    el('h3', {}, 'Recent'),
    ...recent.map(executionCard),
  );
}

function renderEvents(s: Snapshot): void {
  if (s.events === undefined) {
    eventsBox.replaceChildren(el('h2', {}, 'Events'), el('p', { class: 'hint' }, 'EventBridge keeps no history on AWS: see the executions and the journal.'));
    return;
  }
  const items = [...s.events]
    .reverse()
    .slice(0, 40)
    .map((e) =>
      el(
        'li',
        {},
        el('time', {}, new Date(e.time).toLocaleTimeString()),
        ' ',
        el('b', {}, e.detailType),
        ` ${e.source} `,
        el('span', { class: 'summary' }, e.summary),
      ),
    );
  eventsBox.replaceChildren(el('h2', {}, 'Events'), el('ol', { class: 'timeline' }, ...items));
}

function renderJournal(s: Snapshot): void {
  const rows = s.journal.map((j) =>
    el(
      'tr',
      {},
      el('td', {}, new Date(j.at).toLocaleTimeString()),
      el('td', {}, j.cluster ?? ''),
      el('td', { class: 'what' }, j.what),
      el('td', {}, j.by),
      el('td', { class: 'why' }, j.why ?? ''),
    ),
  );
  journalBox.replaceChildren(
    el('h2', {}, 'Journal'),
    el('table', {}, el('thead', {}, el('tr', {}, ...['At', 'Cluster', 'What', 'By', 'Why'].map((h) => el('th', {}, h)))), el('tbody', {}, ...rows)),
  );
}

function renderProblems(s: Snapshot): void {
  problemsBox.replaceChildren(...(s.problems.length > 0 ? [el('h2', {}, 'Problems'), el('ul', {}, ...s.problems.map((p) => el('li', {}, p)))] : []));
}

// The chart: the requests `switchyard local traffic` reports while one runs; otherwise DNS
// answer share locally (said so under the title), health checkers on AWS.
let plot: uPlot | undefined;
let plotKey = '';
/** A generator reports every second: after this long without a report, none runs. */
const REQUESTS_STALE_MS = 5000;

function chartSeries(): { series: (SeriesInfo & { samples: Sample[] }) | undefined; note: string } {
  const requests = state.series.get('requests');
  const last = requests?.samples.at(-1);
  if (requests !== undefined && last !== undefined && Date.now() - last.t <= REQUESTS_STALE_MS) return { series: requests, note: '' };
  const fallback = state.series.get('dns-share') ?? state.series.get('health-check');
  const note =
    fallback?.kind === 'dns-share'
      ? `No traffic generator is running${requests === undefined ? '' : ' now'}: this is what DNS answers, not requests. Run \`switchyard local traffic\` to see requests answered per cluster.`
      : '';
  return { series: fallback, note };
}

function renderChart(): void {
  const { series, note } = chartSeries();
  chartNote.textContent = note;
  chartSection.dataset['series'] = series?.kind ?? '';
  if (series === undefined) {
    chartTitle.textContent = 'DNS answer share';
    legendBox.textContent = 'no samples yet';
    return;
  }
  chartTitle.textContent = series.title;
  const key = `${series.kind}:${series.clusters.join(',')}`;
  const data: uPlot.AlignedData = [series.samples.map((s) => s.t / 1000), ...series.clusters.map((c) => series.samples.map((s) => s.values[c] ?? null))];
  if (plot === undefined || plotKey !== key) {
    plot?.destroy();
    plotKey = key;
    plot = new uPlot(
      {
        width: Math.max(320, chartBox.clientWidth || 560),
        height: 240,
        scales: { y: { range: [0, 100] } },
        axes: [{}, { label: series.unit }],
        legend: { show: false },
        series: [{}, ...series.clusters.map((c) => ({ label: c, stroke: colorOf(c), width: 2 }))],
      },
      data,
      chartBox,
    );
  } else plot.setData(data);
  const last = series.samples.at(-1);
  const rate = (key: string) => (last?.rates?.[key] === undefined ? undefined : el('span', { class: 'rate' }, ` ${last.rates[key]}/s`));
  legendBox.replaceChildren(
    ...series.clusters.map((c) =>
      el(
        'span',
        { class: 'entry', 'data-share-cluster': c },
        el('span', { class: 'swatch', style: `background:${colorOf(c)}` }),
        `${c} `,
        el('b', { class: 'value' }, last?.values[c] === undefined ? '–' : `${last.values[c]}${series.unit}`),
        rate(c),
      ),
    ),
    ...(last?.rates?.['errors'] ? [el('span', { class: 'entry errors' }, 'unanswered', rate('errors'))] : []),
  );
}

function render(): void {
  renderHeader();
  const s = state.snapshot;
  if (s === undefined) return;
  renderProblems(s);
  renderClusters(s);
  renderMatrix(s);
  renderExecutions(s);
  renderEvents(s);
  renderJournal(s);
}

const stream = new EventSource('/_dashboard/events');
stream.addEventListener('open', () => {
  state.connected = true;
  renderHeader();
});
stream.addEventListener('error', () => {
  state.connected = false;
  renderHeader();
});
stream.addEventListener('init', (message) => {
  const init = JSON.parse((message as MessageEvent<string>).data) as InitMessage;
  state.snapshot = init.snapshot;
  state.graphs = init.graphs;
  state.series = new Map(init.series.map((s) => [s.kind, s]));
  render();
  renderChart();
  document.body.dataset['ready'] = 'true';
  // When the fleet was first on screen (ms since navigation start): the bench's first-paint figure.
  requestAnimationFrame(() => (document.body.dataset['readyAt'] ??= String(Math.round(performance.now()))));
});
stream.addEventListener('snapshot', (message) => {
  state.snapshot = JSON.parse((message as MessageEvent<string>).data) as Snapshot;
  render();
});
stream.addEventListener('failure', (message) => {
  const { message: text } = JSON.parse((message as MessageEvent<string>).data) as { message: string };
  messageLine.textContent = text;
  messageLine.className = 'bad';
});
stream.addEventListener('series', (message) => {
  // A line defined after the page loaded (the requests of a traffic generator that just started).
  const info = JSON.parse((message as MessageEvent<string>).data) as SeriesInfo;
  state.series.set(info.kind, { ...info, samples: state.series.get(info.kind)?.samples ?? [] });
});
stream.addEventListener('sample', (message) => {
  const { kind, sample } = JSON.parse((message as MessageEvent<string>).data) as SampleMessage;
  const series = state.series.get(kind);
  if (series === undefined) return;
  series.samples.push(sample);
  if (series.samples.length > 900) series.samples.shift();
  renderChart();
});
renderHeader();
