// DNS benchmarks:
// 1. plan N hostnames × 3 clusters against a zone that holds them with 5 % drift
//    (the whole `switchyard plan` path, Route 53 reads served from memory), at 1,000,
//    10,000 and 100,000 hostnames, each in a fresh process (`cold`): this file run as
//    `node bench/dns.bench.ts plan <N>` is that process; its peak RSS is its own. Each size
//    runs in COLD_RUNS fresh processes: a cold plan's wall time on a shared VM spreads by
//    about ±30 % from one process to the next (docs/benchmarks.md), so a size's figures are
//    the medians of its runs, and its peak RSS the highest. The growth rule
//    (bench/lib/growth.ts) holds the cold CPU time to linear in N;
// 2. the ChangeResourceRecordSets requests needed to drain one cluster serving 10,000
//    apps (its weights to 0), batched, against one request per record.
import { batchPlan, ROUTE53_LIMITS } from '../src/core/batch.ts';
import { parseFleetConfig, type FleetConfig } from '../src/core/config.ts';
import { attachHealthCheckIds, computeDesiredState } from '../src/core/desired.ts';
import { aliasTargetFor } from '../src/core/alias-zones.ts';
import { healthCheckKey, healthCheckSpecFor, healthCheckTags } from '../src/core/health-spec.ts';
import { markerRecordFor } from '../src/core/ownership.ts';
import type { ClusterIntent, HostedZone, PublishedEndpoint, RecordSet } from '../src/core/model.ts';
import { plan } from '../src/core/plan.ts';
import { planDns } from '../src/app/dns/sync.ts';
import { healthCheckIdsAfter } from '../src/core/zone-state.ts';
import { idsAgree, likelyHealthCheckIds, planHealthChecks, plannedHealthCheckIds } from '../src/core/health-check-plan.ts';
import { MemoryRoute53, type MemoryCheck } from './lib/memory-route53.ts';
import { growthTarget } from './lib/growth.ts';
import { median } from './lib/stats.ts';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Plan sizes, each in its own process; the drain request count is measured at DRAIN_HOSTNAMES. */
const SIZES = [1000, 10_000, 100_000] as const;
const DRAIN_HOSTNAMES = 10_000;
/** Fresh processes per plan size; the figures are their medians (one process is one draw of the VM's spread). */
const COLD_RUNS = 3;
const DRIFT = 0.05;
/** At 10,000 hostnames (the first figures of this bench). */
const TARGET_SECONDS = 1;
const TARGET_RSS_MB = 300;
/** At 100,000 hostnames (issue 17's fleet scale). */
const TARGET_LARGE_SECONDS = 1.5;
const TARGET_LARGE_RSS_MB = 1024;
const ZONE: HostedZone = { id: 'ZBENCH', name: 'example.com.' };

const fleet: FleetConfig = parseFleetConfig(
  `
ownerId: bench
zones: [{ name: example.com }]
clusters:
  - { name: east, region: us-east-1, eksClusterName: e, entryPoint: mesh-east-ingress-1a2b3c4d5e6f7a8b.elb.us-east-1.amazonaws.com, canaryHostname: canary-east.example.com, domainFilter: [example.com] }
  - { name: west, region: us-west-2, eksClusterName: w, entryPoint: mesh-west-ingress-9f8e7d6c5b4a3f2e.elb.us-west-2.amazonaws.com, canaryHostname: canary-west.example.com, domainFilter: [example.com] }
  - { name: eu, region: eu-west-1, eksClusterName: u, entryPoint: mesh-eu-ingress-0a1b2c3d4e5f6a7b.elb.eu-west-1.amazonaws.com, canaryHostname: canary-eu.example.com, domainFilter: [example.com] }
`,
  'bench fleet',
);

function hostnameOf(i: number): string {
  return `app-${String(i).padStart(5, '0')}.example.com`;
}

export function endpoints(hostnames: number): PublishedEndpoint[] {
  const list: PublishedEndpoint[] = [];
  for (let i = 0; i < hostnames; i++) {
    const hostname = hostnameOf(i);
    for (const cluster of fleet.clusters) list.push({ hostname, cluster: cluster.name, kind: 'Gateway', gateway: `apps/app-${i}`, annotations: {} });
  }
  return list;
}

/**
 * Route 53 as `sync` leaves it for these endpoints, built by hand (not by the planner, so
 * the benchmark also checks that the planner finds nothing to do outside the drift):
 * one weighted alias A per app and cluster carrying the cluster's check, and a marker.
 */
export function inSyncZone(hostnames: number): { records: RecordSet[]; checks: MemoryCheck[] } {
  const checks: MemoryCheck[] = [];
  const perCluster = fleet.clusters.map((cluster) => {
    const spec = healthCheckSpecFor(fleet.healthCheck, cluster, {});
    const key = healthCheckKey(cluster.name, spec);
    const id = `hc-${cluster.name}`;
    checks.push({ id, callerReference: `bench-${key}`, version: 1, spec, tags: healthCheckTags(fleet.ownerId, key, cluster.name, spec) });
    const alias = aliasTargetFor(cluster.entryPoint ?? '', { dualStack: false, evaluateTargetHealth: true });
    if (!alias.ok) throw new Error(alias.reason);
    return { cluster, id, aliasTarget: alias.aliasTarget };
  });
  const records: RecordSet[] = [];
  for (let i = 0; i < hostnames; i++) {
    const name = `${hostnameOf(i)}.`;
    for (const c of perCluster) {
      records.push({ name, type: 'A', setIdentifier: c.cluster.name, weight: c.cluster.weight, aliasTarget: c.aliasTarget, healthCheckId: c.id });
    }
    const marker = markerRecordFor(
      name,
      fleet.ownerId,
      perCluster.map((c) => ({ type: 'A', setIdentifier: c.cluster.name })),
      fleet.ttl,
    );
    if (marker) records.push(marker);
  }
  return { records, checks };
}

/** Changes 5 % of the apps in four ways: a weight, a missing set, another target, a lost health check. */
export function drift(records: RecordSet[]): { records: RecordSet[]; driftedNames: number } {
  const step = Math.round(1 / DRIFT);
  const drifted = new Set<string>();
  const out: RecordSet[] = [];
  for (const record of records) {
    const match = /^app-(\d{5})\.example\.com\.$/.exec(record.name);
    const index = match ? Number(match[1]) : -1;
    if (index < 0 || index % step !== 0 || record.type !== 'A') {
      out.push(record);
      continue;
    }
    const variant = (index / step) % 4;
    if (variant === 0 && record.setIdentifier === 'east') {
      out.push({ ...record, weight: 7 });
      drifted.add(record.name);
    } else if (variant === 1 && record.setIdentifier === 'west') {
      drifted.add(record.name); // missing: the marker still lists it
    } else if (variant === 2 && record.setIdentifier === 'eu' && record.aliasTarget) {
      out.push({ ...record, aliasTarget: { ...record.aliasTarget, dnsName: 'old-lb.elb.eu-west-1.amazonaws.com.' } });
      drifted.add(record.name);
    } else if (variant === 3 && record.setIdentifier === 'east') {
      const { healthCheckId: _, ...rest } = record;
      out.push(rest);
      drifted.add(record.name);
    } else {
      out.push(record);
    }
  }
  return { records: out, driftedNames: drifted.size };
}

function rssMB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export async function planBench(published: PublishedEndpoint[], zone: { records: RecordSet[]; checks: MemoryCheck[] }) {
  const drifted = drift(zone.records);
  const port = new MemoryRoute53([ZONE], new Map([[ZONE.id, drifted.records]]), zone.checks);
  const source = { description: 'bench', list: async () => ({ endpoints: published, problems: [], unreachable: [] }) };
  const rssBefore = rssMB();
  // Other processes on the machine stretch wall time; CPU time (all threads: V8 compiles
  // and collects garbage on helper threads too) is the steadier figure.
  const loadAverageAtStart = Math.round((loadavg()[0] ?? 0) * 100) / 100;

  const runOnce = async () => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = await planDns({ fleet }, { route53: port, endpoints: source });
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, report };
  };
  const cold = await runOnce();
  // Peak memory of one plan, as `switchyard plan` makes it (before warm runs add garbage).
  const peak = rssMB();
  const heapUsedMB = round(process.memoryUsage().heapUsed / 2 ** 20, 1);
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) warm.push((await runOnce()).seconds);
  warm.sort((a, b) => a - b);

  const stages = stageSeconds(published, drifted.records, zone.checks);
  const groups = cold.report.plan.zones.reduce((n, z) => n + z.groups.length, 0);
  const changes = cold.report.plan.zones.reduce((n, z) => n + z.groups.reduce((m, g) => m + g.changes.length, 0), 0);
  if (groups !== drifted.driftedNames) throw new Error(`plan touched ${groups} names but ${drifted.driftedNames} drifted`);
  return {
    hostnames: published.length / fleet.clusters.length,
    clusters: fleet.clusters.length,
    recordSetsInZone: drifted.records.length,
    driftedNames: drifted.driftedNames,
    plannedNames: groups,
    plannedChanges: changes,
    requests: cold.report.requests.length,
    coldSeconds: round(cold.seconds),
    coldCpuSeconds: round(cold.cpuSeconds),
    loadAverageAtStart,
    warmMedianSeconds: round(warm[1] ?? 0),
    /** One warm pass of the pure stages, to show where the time goes. */
    stageSeconds: stages,
    rssBeforePlanMB: rssBefore,
    peakRssMB: peak,
    heapUsedAfterColdPlanMB: heapUsedMB,
  };
}

function stageSeconds(published: PublishedEndpoint[], records: RecordSet[], checks: MemoryCheck[]): Record<string, number> {
  const times: Record<string, number> = {};
  const time = <T>(name: string, fn: () => T): T => {
    const started = performance.now();
    const value = fn();
    times[name] = round((performance.now() - started) / 1000);
    return value;
  };
  const owned = checks.map((c) => ({
    ...c,
    key: c.tags.find((t) => t.Key === 'switchyard:key')?.Value,
    cluster: c.tags.find((t) => t.Key === 'switchyard:cluster')?.Value,
  }));
  // As planDns: the record sets are built carrying the ids the owned checks suggest.
  const likely = likelyHealthCheckIds(owned);
  const attached = time('desiredState', () => computeDesiredState({ fleet, zones: [ZONE], endpoints: published, healthCheckIds: likely }));
  const steps = time('healthCheckPlan', () => planHealthChecks(attached.healthChecks, owned));
  if (!idsAgree(attached.healthChecks, likely, plannedHealthCheckIds(steps))) throw new Error('the bench zone lacks a health check the plan needs');
  const p = time('plan', () =>
    plan({
      desired: attached.records,
      actual: [{ zoneId: ZONE.id, records }],
      policy: 'sync',
      ownerId: fleet.ownerId,
      zones: [ZONE],
      held: attached.held,
      markerTtl: fleet.ttl,
    }),
  );
  time('batch', () => batchPlan(p));
  time('healthChecksInUse', () =>
    healthCheckIdsAfter(
      [{ zoneId: ZONE.id, records }],
      p.zones.flatMap((z) => z.groups.map((group) => ({ zoneId: z.zoneId, group }))),
    ),
  );
  return times;
}

function drainBench(published: PublishedEndpoint[], zone: { records: RecordSet[]; checks: MemoryCheck[] }) {
  const started = performance.now();
  const intents: ClusterIntent[] = [{ cluster: 'east', state: 'DRAINING', weightPercent: 0 }];
  const desired = computeDesiredState({ fleet, zones: [ZONE], endpoints: published, intents });
  const steps = planHealthChecks(
    desired.healthChecks,
    zone.checks.map((c) => ({
      ...c,
      key: c.tags.find((t) => t.Key === 'switchyard:key')?.Value,
      cluster: c.tags.find((t) => t.Key === 'switchyard:cluster')?.Value,
    })),
  );
  const ids = new Map(steps.map((s) => [s.want.key, s.kind === 'create' ? 'missing' : s.id]));
  const attached = attachHealthCheckIds(desired, ids);
  const p = plan({
    desired: attached.records,
    actual: [{ zoneId: ZONE.id, records: zone.records }],
    policy: 'sync',
    ownerId: fleet.ownerId,
    zones: [ZONE],
    held: attached.held,
    markerTtl: fleet.ttl,
  });
  const { requests } = batchPlan(p);
  const seconds = (performance.now() - started) / 1000;
  const changes = requests.flatMap((r) => r.groups.flatMap((g) => g.changes));
  const unexpected = changes.filter((c) => c.action !== 'UPSERT' || c.recordSet.setIdentifier !== 'east' || c.recordSet.weight !== 0);
  if (unexpected.length > 0) throw new Error(`drain planned ${unexpected.length} unexpected change(s), e.g. ${JSON.stringify(unexpected[0])}`);
  // Route 53 counts an UPSERT twice against 1,000 elements per request: this is the floor.
  const floor = Math.ceil((changes.length * 2) / ROUTE53_LIMITS.maxRecords);
  return {
    apps: published.length / fleet.clusters.length,
    changes: changes.length,
    batchedRequests: requests.length,
    oneRequestPerRecord: changes.length,
    lowerBound: floor,
    reduction: round(changes.length / Math.max(1, requests.length), 1),
    /** At Route 53's 5 requests/second. */
    minSendSecondsBatched: requests.length / 5,
    minSendSecondsPerRecord: changes.length / 5,
    planSeconds: round(seconds),
  };
}

type PlanResult = Awaited<ReturnType<typeof planBench>>;

/** One size in a fresh process (this file, `plan <N>`): its cold plan and its own peak RSS. */
function planInChild(hostnames: number): PlanResult {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'plan', String(hostnames)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{')) throw new Error(`plan of ${hostnames} hostnames: the child exited ${child.status ?? child.signal}: ${last}`);
  return JSON.parse(last) as PlanResult;
}

/** A size planned in COLD_RUNS fresh processes: the run of median wall time, the median CPU time, the highest peak RSS, and every run's figures. */
function coldPlans(hostnames: number): PlanResult & { coldRunsSeconds: number[]; coldRunsCpuSeconds: number[]; peakRssRunsMB: number[] } {
  const runs = Array.from({ length: COLD_RUNS }, () => planInChild(hostnames));
  const middle = [...runs].sort((a, b) => a.coldSeconds - b.coldSeconds)[Math.floor(runs.length / 2)]!;
  return {
    ...middle,
    coldCpuSeconds: median(runs.map((r) => r.coldCpuSeconds)),
    peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
    coldRunsSeconds: runs.map((r) => r.coldSeconds),
    coldRunsCpuSeconds: runs.map((r) => r.coldCpuSeconds),
    peakRssRunsMB: runs.map((r) => r.peakRssMB),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const plans = SIZES.map(coldPlans);
  const at = (n: number) => plans.find((p) => p.hostnames === n)!;
  const small = at(10_000);
  const large = at(100_000);
  const published = endpoints(DRAIN_HOSTNAMES);
  const drainResult = drainBench(published, inSyncZone(DRAIN_HOSTNAMES));
  return {
    plan: small,
    plans,
    drain: drainResult,
    targets: [
      {
        name: `plan 10000 hostnames × 3 clusters, 5% drift: seconds (cold, median of ${COLD_RUNS} fresh processes)`,
        target: `< ${TARGET_SECONDS}`,
        actual: small.coldSeconds,
        pass: small.coldSeconds < TARGET_SECONDS,
      },
      { name: 'plan 10000: peak RSS of the process, MB', target: `< ${TARGET_RSS_MB}`, actual: small.peakRssMB, pass: small.peakRssMB < TARGET_RSS_MB },
      {
        name: `plan 100000 hostnames × 3 clusters, 5% drift: seconds (cold, median of ${COLD_RUNS} fresh processes)`,
        target: `< ${TARGET_LARGE_SECONDS}`,
        actual: large.coldSeconds,
        pass: large.coldSeconds < TARGET_LARGE_SECONDS,
      },
      {
        name: 'plan 100000: peak RSS of the process, MB',
        target: `< ${TARGET_LARGE_RSS_MB}`,
        actual: large.peakRssMB,
        pass: large.peakRssMB < TARGET_LARGE_RSS_MB,
      },
      growthTarget(
        'plan, cold CPU seconds',
        plans.map((p) => ({ size: p.hostnames, value: p.coldCpuSeconds })),
      ),
      growthTarget(
        'plan, peak RSS MB',
        plans.map((p) => ({ size: p.hostnames, value: p.peakRssMB })),
      ),
      {
        name: `drain one cluster of ${DRAIN_HOSTNAMES} apps: ChangeResourceRecordSets requests`,
        target: `<= ${drainResult.lowerBound} (Route 53's limit floor; one per record would be ${drainResult.oneRequestPerRecord})`,
        actual: drainResult.batchedRequests,
        pass: drainResult.batchedRequests <= drainResult.lowerBound,
      },
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, size] = process.argv.slice(2);
  const hostnames = Number(size);
  if (mode !== 'plan' || !Number.isInteger(hostnames) || hostnames <= 0) throw new Error('usage: node bench/dns.bench.ts plan <hostnames>');
  const result = await planBench(endpoints(hostnames), inSyncZone(hostnames));
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}
