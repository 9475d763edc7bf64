// Local runtime benchmarks, with every configured wait scaled to zero (Wait states, retry
// intervals, Route 53's PENDING → INSYNC delay), so what is measured is Switchyard's own
// work through the whole local stack (HTTP endpoint, SDK clients, workflows, DynamoDB):
// 1. alarm → new weights INSYNC: from the "CloudWatch Alarm State Change" event on the bus
//    (a canary failed, or recovered) to the Failover execution done, i.e. its weights
//    changed in Route 53 and INSYNC; on the example fleet and with 100 and 1,000 more apps
//    on east (a failover moves every app of the cluster). Target on the example fleet:
//    p50 under 50 ms.
// 2. draining a cluster that serves N apps: DrainCluster (steps 50 % then 0 %, bake 0)
//    from StartExecution to SUCCEEDED, with the CPU each took, at 1,000 apps (three times
//    on one runtime, restored in between: target median under 5 s), 3,000 (once) and
//    10,000 (three times, restored in between: target median under 5 s at 10,000).
// Every size runs on a runtime of its own; the growth rule (bench/lib/growth.ts) holds
// each figure to linear in the apps. On the example fleet the alarm figure also reports
// where each event's time went (bench/lib/alarm-hops.ts): per state, per request, CPU.
// BENCH_LOCAL_RUNTIME=alarm runs only the alarm figures, =drain only the drain figures.
import { ROUTE53_MAX_REQUESTS_PER_SECOND } from '../src/aws/retry.ts';
import { canaryAlarmName } from '../src/core/alarm-names.ts';
import { normalizeName } from '../src/core/dns-names.ts';
import type { LocalRuntime } from '../src/local/runtime/runtime.ts';
import { alarmHops, countRequests, medianHops, recordRequests, type AlarmHops } from './lib/alarm-hops.ts';
import { bigFleet } from './lib/fleet.ts';
import { growthTarget } from './lib/growth.ts';
import { publishedRuntime, timedExecution, withPublishedApps } from './lib/runtime.ts';
import { percentile } from './lib/stats.ts';

const ALARM_ROUNDS = 8;
/** Apps added to the example fleet for the alarm figure: none (the target), then more. */
const ALARM_EXTRA_APPS = [0, 100, 1000] as const;
/** Drain sizes and how many drains each (restored in between); a size's figure is their median. */
const DRAIN_SIZES = [
  { apps: 1000, drains: 3 },
  { apps: 3000, drains: 1 },
  { apps: 10_000, drains: 3 },
] as const;
const TARGET_ALARM_P50_MS = 50;
const TARGET_DRAIN_MS = 5000;

const round = (value: number): number => Math.round(value * 10) / 10;

async function shopWeight(runtime: LocalRuntime, cluster: string): Promise<number | undefined> {
  const zones = await runtime.clients.route53.listHostedZones();
  const records = await runtime.clients.route53.listRecordSets(zones[0]!.id);
  return records.find((r) => normalizeName(r.name) === 'shop.example.com.' && r.setIdentifier === cluster && r.type === 'A')?.weight;
}

/** Waits for the next alarm event of `alarmName` into `state` on the bus; returns when it was received (ms). */
async function alarmEventAt(runtime: LocalRuntime, alarmName: string, state: string, after: number): Promise<number> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 2))) {
    const event = runtime.platform.eventBus
      .recentEvents()
      .find(
        (r) =>
          r.event.source === 'aws.cloudwatch' &&
          Date.parse(r.receivedAt) >= after &&
          (r.event.detail as { alarmName?: string; state?: { value?: string } }).alarmName === alarmName &&
          (r.event.detail as { state?: { value?: string } }).state?.value === state,
      );
    if (event) return Date.parse(event.receivedAt);
  }
  throw new Error(`no ${state} event of ${alarmName}`);
}

async function appsOn(runtime: LocalRuntime, cluster: string): Promise<number> {
  const zones = await runtime.clients.route53.listHostedZones();
  return new Set((await runtime.clients.route53.listRecordSets(zones[0]!.id)).filter((r) => r.setIdentifier === cluster && r.type === 'A').map((r) => r.name))
    .size;
}

export async function alarmToInsync(
  extraApps: number,
): Promise<{ appsOnEast: number; failoverMs: number[]; failbackMs: number[]; failoverHops: AlarmHops[]; failbackHops: AlarmHops[] }> {
  const fleet = extraApps > 0 ? await bigFleet(extraApps) : undefined;
  const runtime = await publishedRuntime(fleet?.dir, fleet !== undefined);
  const appsOnEast = await appsOn(runtime, 'east');
  const alarm = canaryAlarmName({ stage: runtime.names.stage, ownerId: runtime.fleet.config.ownerId }, 'east');
  const failoverMs: number[] = [];
  const failbackMs: number[] = [];
  const failoverHops: AlarmHops[] = [];
  const failbackHops: AlarmHops[] = [];
  const requests = recordRequests(runtime);
  try {
    for (let i = 0; i < ALARM_ROUNDS; i++) {
      for (const [action, state, list, weight] of [
        ['fail', 'ALARM', failoverMs, 0],
        ['heal', 'OK', failbackMs, 100],
      ] as const) {
        const before = Date.now();
        if (action === 'fail') await runtime.fail('east');
        else await runtime.heal('east');
        const eventAt = await alarmEventAt(runtime, alarm, state, before);
        const cpu = process.cpuUsage();
        // The router is invoked asynchronously after the event: wait until its execution is done.
        await runtime.platform.eventBus.idle();
        await runtime.settle();
        const settledAt = Date.now();
        const used = process.cpuUsage(cpu);
        list.push(settledAt - eventAt);
        (action === 'fail' ? failoverHops : failbackHops).push(
          await alarmHops(runtime, requests, { eventAt, settledAt, cpuMs: Math.round((used.user + used.system) / 1000) }),
        );
        const now = await shopWeight(runtime, 'east');
        if (now !== weight) throw new Error(`after ${action} east, shop's weight on east is ${now}, not ${weight}`);
      }
    }
  } finally {
    await runtime.close();
    await fleet?.remove();
  }
  return { appsOnEast, failoverMs, failbackMs, failoverHops, failbackHops };
}

/** `drains` drains of east serving `apps` bench apps (restored in between), on one runtime: the first one, and the median. */
export async function drainApps(
  apps: number,
  times: number,
): Promise<{
  apps: number;
  setupMs: number;
  drainMs: number;
  firstDrainMs: number;
  drainRunsMs: number[];
  drainCpuMs: number[];
  appsOnEast: number;
  zeroAfter: number;
  route53: Route53Requests;
}> {
  return withPublishedApps(apps, async ({ runtime, sfn, setupMs }) => {
    const counted = countRequests(runtime);
    const zones = await runtime.clients.route53.listHostedZones();
    const count = async (weight: number) =>
      (await runtime.clients.route53.listRecordSets(zones[0]!.id)).filter(
        (r) => r.setIdentifier === 'east' && r.type === 'A' && r.name.startsWith('app-') && r.weight === weight,
      ).length;
    const appsOnEast = await count(100);
    if (appsOnEast !== apps) throw new Error(`set-up published ${appsOnEast} of ${apps} apps on east`);
    // Act
    const drains: { ms: number; cpuMs: number }[] = [];
    let zeroAfter = 0;
    let route53: Route53Requests | undefined;
    for (let i = 0; i < times; i++) {
      if (i > 0) await timedExecution(sfn, runtime, 'RestoreCluster', { cluster: 'east', reason: 'bench', bakeSeconds: 0 });
      const before = counted();
      drains.push(await timedExecution(sfn, runtime, 'DrainCluster', { cluster: 'east', reason: 'bench', bakeSeconds: 0 }));
      route53 ??= route53Requests(before, counted());
      zeroAfter = await count(0);
      if (zeroAfter !== apps) throw new Error(`drain ${i + 1} left ${apps - zeroAfter} of ${apps} apps on east with weight`);
    }
    const runs = drains.map((d) => d.ms);
    return {
      apps,
      setupMs,
      drainMs: percentile(runs, 0.5),
      firstDrainMs: runs[0]!,
      drainRunsMs: runs,
      drainCpuMs: drains.map((d) => d.cpuMs),
      appsOnEast,
      zeroAfter,
      route53: route53!,
    };
  });
}

interface Route53Requests {
  /** The Route 53 requests of one drain, by operation (REST method and path). */
  byOperation: Record<string, number>;
  total: number;
  /**
   * What those requests alone take in production, at the rate a Lambda's Route 53 limiter
   * allows (src/aws/retry.ts): the floor of the drain's time on AWS, whatever the CPU.
   */
  secondsAtLimiterRate: number;
}

/** The Route 53 requests between two counts (the bench's own reads after the drain are not in it). */
function route53Requests(before: Record<string, number>, after: Record<string, number>): Route53Requests {
  const byOperation: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    if (op.startsWith('route53 ') && n - (before[op] ?? 0) > 0) byOperation[op.slice('route53 '.length)] = n - (before[op] ?? 0);
  }
  const total = Object.values(byOperation).reduce((a, b) => a + b, 0);
  return { byOperation, total, secondsAtLimiterRate: round(total / ROUTE53_MAX_REQUESTS_PER_SECOND) };
}

async function alarmFigures(): Promise<{
  alarms: Array<Record<string, unknown> & { appsOnEast: number; failoverP50Ms: number; failbackP50Ms: number }>;
  targets: unknown[];
}> {
  const alarms = [];
  for (const extra of ALARM_EXTRA_APPS) {
    const measured = await alarmToInsync(extra);
    alarms.push({
      extraApps: extra,
      appsOnEast: measured.appsOnEast,
      rounds: ALARM_ROUNDS,
      failoverP50Ms: round(percentile(measured.failoverMs, 0.5)),
      failoverP95Ms: round(percentile(measured.failoverMs, 0.95)),
      failbackP50Ms: round(percentile(measured.failbackMs, 0.5)),
      failbackP95Ms: round(percentile(measured.failbackMs, 0.95)),
      failoverMs: measured.failoverMs,
      failbackMs: measured.failbackMs,
      ...(extra === 0 ? { failoverHops: medianHops(measured.failoverHops), failbackHops: medianHops(measured.failbackHops) } : {}),
    });
  }
  const example = alarms[0]!;
  return {
    alarms,
    targets: [
      {
        name: 'alarm event (ALARM) to new weights INSYNC, waits at zero, example fleet: p50 ms',
        target: `< ${TARGET_ALARM_P50_MS}`,
        actual: example.failoverP50Ms,
        pass: example.failoverP50Ms < TARGET_ALARM_P50_MS,
      },
      {
        name: 'alarm event (OK) to weights back INSYNC, hold-down at zero, example fleet: p50 ms',
        target: `< ${TARGET_ALARM_P50_MS}`,
        actual: example.failbackP50Ms,
        pass: example.failbackP50Ms < TARGET_ALARM_P50_MS,
      },
      growthTarget(
        'alarm to INSYNC (ALARM) p50 ms by apps on the failed cluster',
        alarms.map((a) => ({ size: a.appsOnEast, value: a.failoverP50Ms })),
      ),
    ],
  };
}

async function drainFigures(): Promise<Record<string, unknown> & { targets: unknown[] }> {
  // A size that cannot be set up or drained (e.g. its Reconcile outlives the task timeout) is
  // reported with its error and fails its targets; the other sizes are still measured.
  const drains: Array<Awaited<ReturnType<typeof drainApps>> | { apps: number; error: string }> = [];
  for (const size of DRAIN_SIZES) {
    try {
      drains.push(await drainApps(size.apps, size.drains));
    } catch (error) {
      drains.push({ apps: size.apps, error: error instanceof Error ? error.message : String(error) });
    }
  }
  type Drained = Awaited<ReturnType<typeof drainApps>>;
  const measured = drains.filter((d): d is Drained => !('error' in d));
  const drainTarget = (apps: number, name: string) => {
    const d = drains.find((x) => x.apps === apps)!;
    if ('error' in d) return { name, target: `< ${TARGET_DRAIN_MS}`, actual: `not measured: ${d.error}`, pass: false };
    return { name, target: `< ${TARGET_DRAIN_MS}`, actual: d.drainMs, pass: d.drainMs < TARGET_DRAIN_MS && d.zeroAfter === d.apps };
  };
  const drainGrowth =
    measured.length === drains.length
      ? // CPU time of the first drain of each size: on a shared machine it varies far less than wall time.
        growthTarget(
          'drain CPU ms by apps',
          measured.map((d) => ({ size: d.apps, value: d.drainCpuMs[0]! })),
        )
      : { name: 'drain CPU ms by apps: growth between sizes', target: '≤ 1.5', actual: 'not every size was measured', pass: false };
  const largest = DRAIN_SIZES.at(-1)!.apps;
  return {
    drainThousandApps: drains.find((d) => d.apps === 1000),
    drains,
    targets: [
      drainTarget(1000, 'drain of a cluster serving 1000 apps, waits at zero: median of 3, ms'),
      drainTarget(largest, `drain of a cluster serving ${largest} apps, waits at zero: median of 3, ms`),
      drainGrowth,
    ],
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const only = process.env['BENCH_LOCAL_RUNTIME'];
  if (only !== undefined && only !== 'alarm' && only !== 'drain') throw new Error(`BENCH_LOCAL_RUNTIME=${only}: must be alarm or drain (or unset for both)`);
  const alarm = only === 'drain' ? undefined : await alarmFigures();
  const drain = only === 'alarm' ? undefined : await drainFigures();
  return {
    ...(alarm === undefined ? {} : { alarmToInsync: alarm.alarms[0], alarmToInsyncBySize: alarm.alarms }),
    ...(drain === undefined ? {} : { drainThousandApps: drain['drainThousandApps'], drains: drain['drains'] }),
    targets: [...(alarm?.targets ?? []), ...(drain?.targets ?? [])],
  };
}
