// The agent's Prometheus metrics: a few counters and gauges, rendered in the text
// exposition format (version 0.0.4). Small on purpose: no client library needed.

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
  return `${lines.join('\n')}\n`;
}
