// The edges' canaries of the local runtime (docs/edge.md, "Health"): on AWS a small canary
// runs in each edge cluster, requests each workload cluster's canary through that
// cluster's own ingress load balancer (the local next hop, never DNS or another edge)
// and publishes Switchyard/Upstream Reachable per workload cluster; one CloudWatch alarm per
// workload cluster (Maximum over the edges) is what the cluster's upstream records' health
// check reads. Here each simulated edge probes each simulated workload load balancer the
// same way, and the alarm follows the best answer any edge got.
import { request } from 'node:http';
import type { FleetConfig } from '../../core/config.ts';
import { UPSTREAM_METRIC, upstreamAlarmName } from '../../core/upstream.ts';
import type { LocalAlarms } from '@switchyard/local-aws/cloudwatch';

/** CloudWatch's period for the edges' metric. */
const UPSTREAM_PERIOD_SECONDS = 60;

export interface UpstreamAlarm {
  cluster: string;
  alarmName: string;
}

/** The workload clusters an edge fleet reaches through its upstream zone (none without edges). */
export function upstreamClusters(fleet: FleetConfig): FleetConfig['clusters'] {
  if (!fleet.clusters.some((c) => c.role === 'edge')) return [];
  return fleet.clusters.filter((c) => c.role !== 'edge');
}

/** Defines each workload cluster's upstream alarm (what the deploy creates on AWS). Idempotent. */
export function ensureUpstreamAlarms(fleet: FleetConfig, alarms: LocalAlarms): UpstreamAlarm[] {
  return upstreamClusters(fleet).map((cluster) => {
    const alarmName = upstreamAlarmName(fleet.ownerId, cluster.name);
    alarms.define({
      name: alarmName,
      description: `Switchyard: no edge reaches cluster ${cluster.name} through its ingress (edges' canaries, ${UPSTREAM_METRIC.namespace} ${UPSTREAM_METRIC.name})`,
      metric: {
        namespace: UPSTREAM_METRIC.namespace,
        name: UPSTREAM_METRIC.name,
        dimensions: { [UPSTREAM_METRIC.dimension]: cluster.name },
        period: UPSTREAM_PERIOD_SECONDS,
        stat: 'Maximum',
        threshold: 1,
        comparisonOperator: 'LessThanThreshold',
        evaluationPeriods: 1,
      },
    });
    return { cluster: cluster.name, alarmName };
  });
}

/** One GET of `path` with Host `host` at address:port; true for a 2xx/3xx answer within `timeoutMs`. */
export function probe(target: { host: string; port: number }, host: string, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: target.host, port: target.port, path, method: 'GET', headers: { host }, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

export interface EdgeCanaryOptions {
  fleet: FleetConfig;
  alarms: LocalAlarms;
  upstreamAlarms: readonly UpstreamAlarm[];
  /** Where a workload cluster's load balancer listens (the simulated one), undefined when unknown. */
  loadBalancerOf(cluster: string): { host: string; port: number } | undefined;
  /** How often each edge probes (ms). */
  everyMs: number;
  timeoutMs: number;
}

/** Starts the edges' probes; the alarms follow them until stopped. */
export function startEdgeCanaries(options: EdgeCanaryOptions): { round(): Promise<void>; stop(): void } {
  const { fleet, alarms } = options;
  const edges = fleet.clusters.filter((c) => c.role === 'edge').map((c) => c.name);
  const clusters = new Map(fleet.clusters.map((c) => [c.name, c]));
  let stopped = false;
  const probeAll = async () => {
    await Promise.all(
      options.upstreamAlarms.map(async (alarm) => {
        const cluster = clusters.get(alarm.cluster);
        const target = options.loadBalancerOf(alarm.cluster);
        if (cluster === undefined) return;
        // Every edge probes; reachable from any edge is what the shared upstream records need.
        const answers =
          target === undefined
            ? edges.map(() => false)
            : await Promise.all(edges.map(() => probe(target, cluster.canaryHostname, fleet.healthCheck.path, options.timeoutMs)));
        if (stopped) return;
        const reached = answers.filter(Boolean).length;
        const want = reached > 0 ? 'OK' : 'ALARM';
        if (alarms.get(alarm.alarmName)?.state === want) return;
        const at = new Date();
        alarms.setState(
          alarm.alarmName,
          want,
          `Threshold Crossed: 1 datapoint [${reached > 0 ? '1.0' : '0.0'} (${at.toISOString().slice(0, 19).replace('T', ' ')})] was ${reached > 0 ? 'not less than' : 'less than'} the threshold (1.0).`,
          JSON.stringify({
            version: '1.0',
            queryDate: at.toISOString(),
            statistic: 'Maximum',
            period: UPSTREAM_PERIOD_SECONDS,
            recentDatapoints: [reached > 0 ? 1 : 0],
            threshold: 1.0,
            edges: edges.length,
            edgesReaching: reached,
          }),
        );
      }),
    );
  };
  // Rounds run one after another, so a late answer never overwrites a newer one.
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  const round = () => {
    pending += 1;
    // A failed round is the caller's to see (round() rejects); the next one runs regardless.
    chain = chain
      .catch(() => undefined)
      .then(probeAll)
      .finally(() => (pending -= 1));
    return chain;
  };
  const tick = () => {
    if (pending === 0) round().catch(() => undefined);
  };
  tick();
  const timer = setInterval(tick, Math.max(20, options.everyMs));
  timer.unref();
  return {
    round,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
