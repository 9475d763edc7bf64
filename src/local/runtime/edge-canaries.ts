// The edges' canaries of the local runtime (docs/edge.md, "Health"): on AWS the agent of
// each edge cluster requests each workload cluster's canary through that cluster's own
// ingress load balancer (the local next hop, never DNS or another edge) and publishes
// Switchyard/Upstream Reachable per workload cluster; one CloudWatch alarm per workload
// cluster (Maximum over the edges, missing data breaching) is what the cluster's upstream
// records' health check reads. Here each simulated edge runs that same canary
// (src/agent/upstream-canary.ts) against the simulated workload load balancers, and its
// sink stands in for CloudWatch: each round, the alarm follows the best answer any edge
// got, and a cluster no edge could probe (no load balancer) counts as missing data.
import type { FleetConfig } from '../../core/config.ts';
import { UPSTREAM_METRIC } from '../../core/metric-names.ts';
import { UPSTREAM_ALARM, upstreamAlarmName, upstreamClusters, upstreamProbeTargets } from '../../core/upstream.ts';
import { createUpstreamCanary, type UpstreamMetricSink, type UpstreamSample } from '../../agent/upstream-canary.ts';
import type { LocalAlarms } from '@switchyard/local-aws/cloudwatch';
import { runnableTimeout } from '@switchyard/local-aws/route53';

export interface UpstreamAlarm {
  cluster: string;
  alarmName: string;
}

/** Defines each workload cluster's upstream alarm (what the deploy creates on AWS). Idempotent. */
export function ensureUpstreamAlarms(fleet: FleetConfig, alarms: LocalAlarms): UpstreamAlarm[] {
  return upstreamClusters(fleet).map((cluster) => {
    const alarmName = upstreamAlarmName(fleet.ownerId, cluster.name);
    alarms.define({
      name: alarmName,
      description: `Switchyard: no edge reaches cluster ${cluster.name} through its ingress (edges' canaries, ${UPSTREAM_METRIC.namespace} ${UPSTREAM_METRIC.name})`,
      metric: {
        namespace: UPSTREAM_ALARM.namespace,
        name: UPSTREAM_ALARM.metricName,
        dimensions: { [UPSTREAM_METRIC.dimension]: cluster.name },
        period: UPSTREAM_ALARM.periodSeconds,
        stat: UPSTREAM_ALARM.statistic,
        threshold: UPSTREAM_ALARM.threshold,
        comparisonOperator: UPSTREAM_ALARM.comparisonOperator,
        evaluationPeriods: UPSTREAM_ALARM.evaluationPeriods,
      },
    });
    return { cluster: cluster.name, alarmName };
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

/** Starts the edges' canaries; the alarms follow them until stopped. */
export function startEdgeCanaries(options: EdgeCanaryOptions): { round(): Promise<void>; stop(): void } {
  const { fleet, alarms } = options;
  // Each workload cluster at its simulated load balancer; one with none is not probed (no data).
  const wanted = new Set(options.upstreamAlarms.map((a) => a.cluster));
  const placeholders = Object.fromEntries([...wanted].map((c) => [c, 'unknown']));
  const targets = upstreamProbeTargets(fleet, placeholders).targets.flatMap((target) => {
    const lb = wanted.has(target.cluster) ? options.loadBalancerOf(target.cluster) : undefined;
    return lb === undefined ? [] : [{ ...target, address: lb.host, port: lb.port }];
  });
  // The round's answers are read from round() itself: nothing to publish besides the alarm states.
  const sink: UpstreamMetricSink = { publish: async () => undefined };
  // The simulated load balancers share this process: a stall of a starved machine is not theirs.
  const edges = fleet.clusters
    .filter((c) => c.role === 'edge')
    .map((c) => createUpstreamCanary({ edge: c.name, targets, timeoutMs: options.timeoutMs, sink, timer: runnableTimeout }));
  let stopped = false;

  const settle = (rounds: ReadonlyArray<readonly UpstreamSample[]>) => {
    if (stopped) return;
    for (const alarm of options.upstreamAlarms) {
      // Maximum over the edges' datapoints; a cluster no edge probed has none (breaching).
      const reached = rounds.filter((samples) => samples.some((s) => s.cluster === alarm.cluster && s.reachable)).length;
      const want = reached > 0 ? 'OK' : 'ALARM';
      if (alarms.get(alarm.alarmName)?.state === want) continue;
      const at = new Date();
      alarms.setState(
        alarm.alarmName,
        want,
        `Threshold Crossed: 1 datapoint [${reached > 0 ? '1.0' : '0.0'} (${at.toISOString().slice(0, 19).replace('T', ' ')})] was ${reached > 0 ? 'not less than' : 'less than'} the threshold (1.0).`,
        JSON.stringify({
          version: '1.0',
          queryDate: at.toISOString(),
          statistic: UPSTREAM_ALARM.statistic,
          period: UPSTREAM_ALARM.periodSeconds,
          recentDatapoints: [reached > 0 ? 1 : 0],
          threshold: UPSTREAM_ALARM.threshold,
          edges: edges.length,
          edgesReaching: reached,
        }),
      );
    }
  };
  // Each edge's rounds run one after another, so a round's states are set after the one
  // before it: a late answer never overwrites a newer one.
  let pending = 0;
  const round = async () => {
    pending += 1;
    try {
      settle(await Promise.all(edges.map((canary) => canary.round())));
    } finally {
      pending -= 1;
    }
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
      for (const canary of edges) canary.stop();
    },
  };
}
