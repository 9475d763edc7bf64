// The agent's Prometheus metrics: a few counters and gauges, rendered in the text
// exposition format (version 0.0.4). Small on purpose: no client library needed.
import type { UpstreamCanarySnapshot } from './upstream-canary.ts';

export interface AgentMetricsSnapshot {
  cluster: string;
  /** Events EventBridge accepted, by detail-type. */
  sent: Readonly<Record<string, number>>;
  /** Failures, by what failed (sending, list, watch, discovery, ...). */
  errors: Readonly<Record<string, number>>;
  /** Watch requests started again after the first one per resource type (stream ends, 410s, failures). */
  watchRestarts: number;
  /** Seconds since the last full re-publish was sent; undefined before the first. */
  lastFullSyncAgeSeconds: number | undefined;
  /** Endpoints in the current picture. */
  endpoints: number;
  ready: boolean;
  /** The edges' canary, on an edge cluster that runs it (docs/edge.md). */
  upstream?: UpstreamCanarySnapshot;
}

const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderMetrics(m: AgentMetricsSnapshot): string {
  const cluster = `cluster="${escape(m.cluster)}"`;
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}{${labels}} ${Number.isFinite(value) ? value : 'NaN'}`);
  };
  metric(
    'switchyard_agent_events_sent_total',
    'counter',
    'Gateway events EventBridge accepted.',
    Object.entries(m.sent).map(([type, n]) => [`${cluster},type="${escape(type)}"`, n]),
  );
  metric(
    'switchyard_agent_errors_total',
    'counter',
    'Failures, by what failed.',
    Object.entries(m.errors).map(([what, n]) => [`${cluster},what="${escape(what)}"`, n]),
  );
  metric('switchyard_agent_watch_restarts_total', 'counter', 'Watch requests started again (stream ended, 410 Gone, failure).', [[cluster, m.watchRestarts]]);
  metric('switchyard_agent_last_full_sync_age_seconds', 'gauge', 'Seconds since everything was last published (NaN before the first full sync).', [
    [cluster, m.lastFullSyncAgeSeconds ?? NaN],
  ]);
  metric('switchyard_agent_endpoints', 'gauge', 'Published endpoints in the current picture.', [[cluster, m.endpoints]]);
  metric('switchyard_agent_ready', 'gauge', '1 once the first full sync was sent.', [[cluster, m.ready ? 1 : 0]]);
  if (m.upstream !== undefined) {
    const upstream = (name: string) => `${cluster},upstream="${escape(name)}"`;
    metric(
      'switchyard_agent_upstream_reachable',
      'gauge',
      "1 when the last probe reached the workload cluster's canary through its own load balancer, 0 when not (NaN before the first).",
      m.upstream.clusters.map((c) => [upstream(c.cluster), c.reachable === undefined ? NaN : c.reachable ? 1 : 0]),
    );
    metric(
      'switchyard_agent_upstream_probes_total',
      'counter',
      'Probes of each workload cluster, by result.',
      m.upstream.clusters.flatMap((c): Array<[string, number]> => [
        [`${upstream(c.cluster)},result="reachable"`, c.probes.reachable],
        [`${upstream(c.cluster)},result="unreachable"`, c.probes.unreachable],
      ]),
    );
    metric('switchyard_agent_upstream_publish_errors_total', 'counter', 'Rounds whose metric CloudWatch refused.', [[cluster, m.upstream.publishErrors]]);
    metric('switchyard_agent_upstream_last_publish_age_seconds', 'gauge', 'Seconds since the metric was last published (NaN before the first).', [
      [cluster, m.upstream.lastPublishAgeSeconds ?? NaN],
    ]);
  }
  return `${lines.join('\n')}\n`;
}
