// Where an alarm's time goes on the local runtime (docs/benchmarks.md, "Where an alarm's
// time goes"): for each alarm event, the hops from the event on the bus to the Failover
// execution done, taken from the execution's own history (each state's entry and exit),
// the requests the runtime's services answered meanwhile (counted and timed by service and
// operation, by wrapping each mounted service's handle), and the process CPU it took.
// Bench-only instrumentation: the services are wrapped on the runtime the bench started.
import type { LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { median } from './stats.ts';

export interface AlarmHops {
  /** The event on the bus to the execution's start: bus delivery, the router, StartExecution. */
  eventToStartMs: number;
  /** Each state of the run, in order: its name and how long it took (entered → exited). */
  states: Array<{ state: string; ms: number }>;
  /** The execution's end to the bench seeing the runtime settled. */
  endToSettledMs: number;
  totalMs: number;
  /** The process's CPU time over the same interval (all threads). */
  cpuMs: number;
  /** Requests the services answered in the interval, by "service operation", with the time spent inside the service. */
  requests: Record<string, { count: number; ms: number }>;
}

interface Seen {
  at: number;
  op: string;
  ms: number;
}

function operationOf(service: string, req: { method: string; url: URL; headers: Record<string, unknown> }): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return `${service} ${target.slice(target.indexOf('.') + 1)}`;
  // Route 53's REST paths, ids left out: GET /2013-04-01/hostedzone/<id>/rrset → GET hostedzone/rrset.
  const path = req.url.pathname
    .split('/')
    .filter((part, i) => i > 1 && part !== '' && /^[a-z]+$/.test(part))
    .join('/');
  return `${service} ${req.method} ${path}`;
}

/** Calls `seen` for every request the runtime's mounted services answer, with its operation and the time spent inside the service. */
function onEachRequest(runtime: LocalRuntime, seen: (request: Seen) => void): void {
  for (const service of runtime.platform.services) {
    const handle = service.handle.bind(service);
    service.handle = async (req) => {
      const at = performance.timeOrigin + performance.now();
      try {
        return await handle(req);
      } finally {
        seen({ at, op: operationOf(service.name, req), ms: performance.timeOrigin + performance.now() - at });
      }
    };
  }
}

/** Starts recording every request the runtime's mounted services answer; returns what was seen between two instants. */
export function recordRequests(runtime: LocalRuntime): (from: number, to: number) => Seen[] {
  const seen: Seen[] = [];
  onEachRequest(runtime, (request) => {
    seen.push(request);
    if (seen.length > 10_000) seen.splice(0, 5_000);
  });
  return (from, to) => seen.filter((s) => s.at >= from && s.at <= to);
}

/** Starts counting every request the runtime's mounted services answer, by "service operation"; returns the counts so far. */
export function countRequests(runtime: LocalRuntime): () => Record<string, number> {
  const counts: Record<string, number> = {};
  onEachRequest(runtime, ({ op }) => {
    counts[op] = (counts[op] ?? 0) + 1;
  });
  return () => ({ ...counts });
}

/** The hops of the Failover execution that the alarm event at `eventAt` started, settled at `settledAt`. */
export async function alarmHops(
  runtime: LocalRuntime,
  requests: (from: number, to: number) => Seen[],
  window: { eventAt: number; settledAt: number; cpuMs: number },
): Promise<AlarmHops> {
  const execution = runtime
    .executions()
    .filter((e) => e.stateMachineArn.endsWith('Failover') && e.startDate >= window.eventAt - 1)
    .sort((a, b) => a.startDate - b.startDate)[0];
  if (execution === undefined) throw new Error(`no Failover execution started after the alarm event at ${new Date(window.eventAt).toISOString()}`);
  const history = (await runtime.platform.stepFunctions.getExecutionHistory({ executionArn: execution.executionArn, maxResults: 1000 })).items;
  const states: Array<{ state: string; ms: number }> = [];
  const entered = new Map<string, number>();
  let endedAt = execution.stopDate ?? window.settledAt;
  for (const event of history) {
    const name = (event['stateEnteredEventDetails'] as { name?: string } | undefined)?.name;
    const exited = (event['stateExitedEventDetails'] as { name?: string } | undefined)?.name;
    if (name !== undefined) entered.set(name, event.timestamp);
    if (exited !== undefined) states.push({ state: exited, ms: event.timestamp - (entered.get(exited) ?? event.timestamp) });
    if (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted') endedAt = event.timestamp;
  }
  const byOp: Record<string, { count: number; ms: number }> = {};
  for (const s of requests(window.eventAt, window.settledAt)) {
    const entry = (byOp[s.op] ??= { count: 0, ms: 0 });
    entry.count += 1;
    entry.ms = Math.round((entry.ms + s.ms) * 100) / 100;
  }
  return {
    eventToStartMs: execution.startDate - window.eventAt,
    states,
    endToSettledMs: Math.round(window.settledAt - endedAt),
    totalMs: Math.round(window.settledAt - window.eventAt),
    cpuMs: window.cpuMs,
    requests: byOp,
  };
}

/** The median of each hop over rounds of the same shape (the same states in the same order). */
export function medianHops(rounds: readonly AlarmHops[]): Record<string, unknown> {
  if (rounds.length === 0) return {};
  const first = rounds[0]!;
  const same = rounds.filter((r) => r.states.map((s) => s.state).join() === first.states.map((s) => s.state).join());
  const requests: Record<string, { count: number; ms: number }> = {};
  for (const op of Object.keys(first.requests).sort()) {
    requests[op] = {
      count: median(same.map((r) => r.requests[op]?.count ?? 0)),
      ms: Math.round(median(same.map((r) => r.requests[op]?.ms ?? 0)) * 10) / 10,
    };
  }
  return {
    rounds: same.length,
    eventToStartMs: median(same.map((r) => r.eventToStartMs)),
    states: first.states.map((s, i) => ({ state: s.state, ms: median(same.map((r) => r.states[i]!.ms)) })),
    endToSettledMs: median(same.map((r) => r.endToSettledMs)),
    totalMs: median(same.map((r) => r.totalMs)),
    cpuMs: median(same.map((r) => r.cpuMs)),
    requestCount: median(same.map((r) => Object.values(r.requests).reduce((n, e) => n + e.count, 0))),
    requestsInsideServicesMs: Math.round(median(same.map((r) => Object.values(r.requests).reduce((n, e) => n + e.ms, 0))) * 10) / 10,
    requests,
  };
}
