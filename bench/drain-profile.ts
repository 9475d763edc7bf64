// Profiles the 10,000-app drain (docs/benchmarks.md, "The 10,000-app drain, session 6"):
// sets up N apps once as bench/local-runtime.bench.ts does, then drains east and restores
// it DRAINS times, each drain timed by the execution's own dates and the process's CPU;
// the last drain runs under the inspector's CPU profiler (200 µs) and each sample is put in
// the innermost state the execution history says was running then. Prints the wall and CPU
// of every drain, the CPU by state, by area and by function (self time).
// `npx node bench/drain-profile.ts [apps=10000] [drains=3]`. PROFILE_OUT=file keeps the profile
// with its states; PROFILE_IN=file analyses a kept one (nothing runs); PROFILE_STATES=A,B
// lists the functions of those states; PROFILE_INCLUSIVE=A,B their inclusive times.
import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { timedExecution, withPublishedApps } from './lib/runtime.ts';

const apps = Number(process.argv[2] ?? 10_000);
const drains = Number(process.argv[3] ?? 3);

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

async function history(sfn: SFNClient, arn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** [name, from, to] of every state entered, from the history (ms since the epoch). */
function stateIntervals(events: HistoryEvent[]): Array<{ name: string; from: number; to: number }> {
  const open = new Map<string, number[]>();
  const intervals: Array<{ name: string; from: number; to: number }> = [];
  for (const e of events) {
    const entered = e.stateEnteredEventDetails?.name;
    const exited = e.stateExitedEventDetails?.name;
    if (entered) open.set(entered, [...(open.get(entered) ?? []), e.timestamp!.getTime()]);
    if (exited) {
      const from = open.get(exited)?.shift();
      if (from !== undefined) intervals.push({ name: exited, from, to: e.timestamp!.getTime() });
    }
  }
  return intervals;
}

function analyse(profile: Profile, startedAtMs: number, intervals: Array<{ name: string; from: number; to: number }>) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byState = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  const byStateFunction = new Map<string, number>();
  // Inclusive time by function within the states PROFILE_INCLUSIVE names (synchronous stacks only).
  const inclusiveStates = new Set((process.env['PROFILE_INCLUSIVE'] ?? '').split(',').filter(Boolean));
  const inclusive = new Map<string, number>();
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const label = (f: ProfileNode['callFrame']) =>
    `${f.functionName || '(anon)'} ${f.url.replace(/^file:\/\/.*?\/(node_modules|src|packages|functions)\//, '$1/')}:${f.lineNumber + 1}`;
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i]!)!;
    const f = node.callFrame;
    if (f.functionName === '(idle)') continue;
    const at = startedAtMs + t / 1000;
    let inner: { name: string; from: number; to: number } | undefined;
    for (const iv of intervals) if (iv.from <= at && at <= iv.to && (!inner || iv.to - iv.from < inner.to - inner.from)) inner = iv;
    const state = inner?.name ?? '(outside)';
    byState.set(state, (byState.get(state) ?? 0) + dt);
    const url = f.url.replace(/^file:\/\/.*?\/(node_modules|src|packages|functions)\//, '$1/');
    const key = `${f.functionName || '(anon)'} ${url}:${f.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + dt);
    byStateFunction.set(`${state}\t${key}`, (byStateFunction.get(`${state}\t${key}`) ?? 0) + dt);
    if (inclusiveStates.has(state)) {
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) seen.add(label(byId.get(id)!.callFrame));
      for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
    const area =
      f.url === ''
        ? f.functionName
        : url.startsWith('node_modules/')
          ? url
              .split('/')
              .slice(0, url.includes('/@') ? 3 : 2)
              .join('/')
          : url
              .split('/')
              .slice(0, url.startsWith('packages/') ? 5 : 3)
              .join('/');
    byArea.set(area, (byArea.get(area) ?? 0) + dt);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`)
      .join('\n');
  for (const state of (process.env['PROFILE_STATES'] ?? '').split(',').filter(Boolean)) {
    const m = new Map<string, number>();
    for (const [k, v] of byStateFunction) if (k.startsWith(`${state}\t`)) m.set(k.slice(state.length + 1), v);
    console.log(`\n${state} by function (self):\n${top(m, 40)}`);
  }
  if (inclusiveStates.size > 0) console.log(`\ninclusive in ${[...inclusiveStates].join(', ')}:\n${top(inclusive, 80)}`);
  console.log(`by state (CPU ms):\n${top(byState, 30)}\n\nby area (self):\n${top(byArea, 30)}\n\nby function (self):\n${top(byFunction, 60)}`);
}

if (process.env['PROFILE_IN']) {
  const saved = JSON.parse(await readFile(process.env['PROFILE_IN'], 'utf8')) as Profile & {
    startedAtMs: number;
    intervals: Array<{ name: string; from: number; to: number }>;
  };
  analyse(saved, saved.startedAtMs, saved.intervals);
  process.exit(0);
}
await withPublishedApps(apps, async ({ runtime, sfn, setupMs }) => {
  console.log(`set-up ${apps} apps: ${setupMs} ms`);
  const session = new Session();
  session.connect();
  try {
    for (let i = 0; i < drains; i++) {
      if (i > 0) await timedExecution(sfn, runtime, 'RestoreCluster', { cluster: 'east', reason: 'bench', bakeSeconds: 0 });
      const profiled = i === drains - 1;
      let startedAtMs = 0;
      if (profiled) {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        startedAtMs = Date.now();
        await session.post('Profiler.start');
      }
      const d = await timedExecution(sfn, runtime, 'DrainCluster', { cluster: 'east', reason: 'bench', bakeSeconds: 0 });
      console.log(`drain ${i + 1}${profiled ? ' (profiled)' : ''}: ${d.ms} ms wall, ${d.cpuMs} ms CPU`);
      if (profiled) {
        const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
        const intervals = stateIntervals(await history(sfn, d.executionArn));
        if (process.env['PROFILE_OUT']) await writeFile(process.env['PROFILE_OUT'], JSON.stringify({ ...profile, startedAtMs, intervals }));
        analyse(profile, startedAtMs, intervals);
      }
    }
  } finally {
    session.disconnect();
  }
});
