// The dashboard of a deployed stage, read through the AWS SDK with the user's credentials:
// the state table (intents, locks, journal), Route 53 (records and health checks) and Step
// Functions (executions and their paths). No DNS answer share here: the chart is Route 53's
// health-check status over time — the share of its checkers that see each cluster's canary
// healthy. Read-only unless operations are allowed; then drain and restore start the
// stage's workflows as `switchyard drain|restore` does, and abort stops one as `switchyard
// abort` does. Fail and heal exist only locally.
import { listOwnedHealthChecks } from '../../app/dns/health-checks.ts';
import { route53HealthSource } from '../../app/health-source.ts';
import type { LoadedFleet } from '../../fleet/fleet-file.ts';
import { errorMessage } from '../../core/errors.ts';
import { healthCheckKey, healthCheckSpecFor } from '../../core/health-spec.ts';
import { fleetStatus } from '../../local/runtime/status.ts';
import type { OpsClients } from '../../cli/ops/context.ts';
import type { StateTable } from '../../core/ports.ts';
import { executionsReader } from '../executions.ts';
import type { Snapshot } from '../model.ts';
import type { SeriesStore } from '../series.ts';
import { abortFromDashboard, startOperation, type DashboardSource } from '../source.ts';
import { stagePrefix } from '../../core/resource-names.ts';

export interface AwsSourceOptions {
  fleet: LoadedFleet;
  stage: string;
  clients: OpsClients;
  table: StateTable;
  /** Drain and restore from the page (`--allow-operations`). */
  allowOperations: boolean;
  /** Who the journal names for operations started from the page. */
  operator: string;
  /** Milliseconds between health-check samples (default 10 s, Route 53's fast interval). */
  sampleEveryMs?: number;
  log?: (line: string) => void;
}

export function awsSource(options: AwsSourceOptions): DashboardSource {
  const { fleet, stage, clients, table } = options;
  const config = fleet.config;
  const clusters = config.clusters.map((c) => c.name);
  const prefix = stagePrefix(stage);
  const reader = executionsReader({ sfn: clients.sfn, prefix });
  const health = route53HealthSource({ fleet: config, route53: clients.route53, table });

  const snapshot = async (): Promise<Snapshot> => {
    const problems: string[] = [];
    const [status, executions, journal] = await Promise.all([
      fleetStatus({ fleet: config, table, route53: clients.route53, health }),
      reader.list().catch((error: unknown) => {
        problems.push(`executions: ${errorMessage(error)}`);
        return [];
      }),
      table.listJournal({ limit: 30 }),
    ]);
    return {
      mode: 'aws',
      stage,
      at: new Date().toISOString(),
      clusters: status.clusters,
      apps: status.apps,
      executions,
      journal: journal.map((j) => ({
        at: j.at,
        by: j.by,
        what: j.what,
        ...(j.why ? { why: j.why } : {}),
        ...(j.cluster ? { cluster: j.cluster } : {}),
        ...(j.executionArn ? { executionArn: j.executionArn } : {}),
      })),
      problems,
    };
  };

  /** Percent of Route 53's checkers reporting each cluster's canary check healthy; a cluster without a check has no point. */
  const checkerShare = async (): Promise<Record<string, number>> => {
    const owned = await listOwnedHealthChecks(clients.route53, config.ownerId);
    const values: Record<string, number> = {};
    for (const cluster of config.clusters) {
      const check = owned.find((c) => c.key === healthCheckKey(cluster.name, healthCheckSpecFor(config.healthCheck, cluster, {})));
      if (check === undefined) continue;
      // Through the adapter: its rate limiter and retries, like every other Route 53 call.
      const statuses = await clients.route53.getHealthCheckStatus(check.id);
      if (statuses.length > 0) values[cluster.name] = Math.round((statuses.filter((s) => s.startsWith('Success')).length / statuses.length) * 1000) / 10;
    }
    return values;
  };

  return {
    mode: 'aws',
    stage,
    snapshot,
    graphs: () => reader.graphs(),
    operations: options.allowOperations
      ? {
          drain: (cluster) => startOperation(clients.sfn, prefix, 'drain', cluster, clusters, options.operator),
          restore: (cluster) => startOperation(clients.sfn, prefix, 'restore', cluster, clusters, options.operator),
          abort: (cluster) => abortFromDashboard(clients.sfn, table, prefix, cluster, clusters, options.operator),
        }
      : {},
    sample(store: SeriesStore) {
      store.define({ kind: 'health-check', title: 'Route 53 health checkers reporting each cluster healthy', unit: '%', clusters });
      let running = false;
      const tick = () => {
        if (running) return;
        running = true;
        checkerShare()
          .then((values) => store.append('health-check', { t: Date.now(), values }))
          .catch((error: unknown) => options.log?.(`dashboard: health-check sample failed: ${errorMessage(error)}`))
          .finally(() => (running = false));
      };
      tick();
      const timer = setInterval(tick, options.sampleEveryMs ?? 10_000);
      timer.unref();
      return () => clearInterval(timer);
    },
    close: async () => clients.destroy(),
  };
}
