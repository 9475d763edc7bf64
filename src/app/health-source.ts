// Health of clusters, for safety checks and health gates: the cluster's canary Route 53
// health check (GetHealthCheckStatus: healthy when more than 18 % of Route 53's checkers
// say so, as Route 53 decides) and the alarm states the Failover workflow recorded in
// the state table. A cluster alarm in ALARM makes the cluster UNHEALTHY whatever the
// canary says; a per-app alarm in ALARM makes only that app unhealthy there.
import type { FleetConfig } from '../core/config.ts';
import { errorMessage, TransientAwsError } from '../core/errors.ts';
import { canaryHealthCheck } from '../core/health-spec.ts';
import type { HealthState } from '../core/model.ts';
import type { HealthView } from '../core/safety.ts';
import type { HealthSource } from '../core/ports.ts';
import { ownedHealthChecksWithKeys, type WantedCheck } from './dns/health-checks.ts';
import type { HealthStatusReader, Route53Port } from '../core/ports.ts';
import type { SharedReads, StateTable } from '../core/ports.ts';

/** Route 53 calls a check healthy when more than this share of its checkers do. */
export const HEALTHY_CHECKER_SHARE = 0.18;

/** HEALTHY / UNHEALTHY from GetHealthCheckStatus' observations (StatusReport.Status "Success: ..." / "Failure: ..."). */
export function healthFromObservations(statuses: readonly string[]): HealthState {
  if (statuses.length === 0) return 'UNKNOWN';
  const healthy = statuses.filter((s) => s.startsWith('Success')).length;
  return healthy / statuses.length > HEALTHY_CHECKER_SHARE ? 'HEALTHY' : 'UNHEALTHY';
}

export interface HealthSourceOptions {
  fleet: FleetConfig;
  /** The Route 53 adapter: GetHealthCheckStatus goes through its rate limiter and retry policy like every other call. */
  route53: Route53Port & HealthStatusReader;
  table: Pick<StateTable, 'listAlarms'>;
}

export function route53HealthSource(options: HealthSourceOptions): HealthSource {
  const { fleet, route53, table } = options;
  return {
    async snapshot(clusters: readonly string[], reads: SharedReads = {}): Promise<HealthView> {
      // What the caller read in this task already is not read again. Only the clusters'
      // canary checks are read here, so only theirs have their tags read.
      // A cluster's canary check: its default spec (fleet.healthCheck on its canary name).
      const canaries = new Map<string, WantedCheck>();
      for (const cluster of fleet.clusters) {
        if (clusters.includes(cluster.name)) canaries.set(cluster.name, { cluster: cluster.name, ...canaryHealthCheck(fleet.healthCheck, cluster) });
      }
      const [owned, alarms] = await Promise.all([
        reads.ownedHealthChecks ?? ownedHealthChecksWithKeys(route53, fleet.ownerId, [...canaries.values()]),
        reads.alarms ?? table.listAlarms(),
      ]);
      const view: HealthView = { clusters: {}, apps: {} };
      for (const name of clusters) {
        const canary = canaries.get(name);
        if (!canary) continue;
        const ownAlarms = alarms.filter((a) => a.cluster === name && a.hostname === undefined);
        let state: HealthState = 'UNKNOWN';
        const check = owned.find((c) => c.key === canary.key);
        const alarmed = ownAlarms.some((a) => a.state === 'ALARM');
        // A cluster whose alarm is in ALARM is UNHEALTHY whatever its canary says: its status is not read.
        if (check && !alarmed) {
          try {
            state = healthFromObservations(await route53.getHealthCheckStatus(check.id));
          } catch (error) {
            if (error instanceof TransientAwsError) throw error;
            throw new TransientAwsError(`GetHealthCheckStatus ${check.id} (${name}): ${errorMessage(error)}`, { cluster: name }, error);
          }
        } else if (ownAlarms.some((a) => a.state === 'OK')) {
          state = 'HEALTHY';
        }
        if (alarmed) state = 'UNHEALTHY';
        view.clusters[name] = state;
        for (const alarm of alarms) {
          if (alarm.cluster === name && alarm.hostname !== undefined && alarm.state === 'ALARM') view.apps![`${name}|${alarm.hostname}`] = 'UNHEALTHY';
        }
      }
      return view;
    },
  };
}
