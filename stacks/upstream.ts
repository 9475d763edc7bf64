// The edge tier's side of the deploy (docs/edge.md, "Health" and "On AWS"): one CloudWatch
// alarm per workload cluster on the metric the edges' canaries publish, in the region the
// upstream records' CLOUDWATCH_METRIC health checks name, and what the edges' agents may
// publish. Pure: stacks/resources/alarms.ts creates the alarms from this spec (UpstreamSpec).
import type { ClusterConfig, FleetConfig } from '../src/core/config.ts';
import { InvalidInput } from '../src/core/errors.ts';
import { UPSTREAM_METRIC } from '../src/core/metric-names.ts';
import { UPSTREAM_ALARM, UPSTREAM_ALARM_ROOT, upstreamAlarmName, upstreamAlarmRegion, upstreamClusters } from '../src/core/upstream.ts';
import type { Statement } from './iam-grants.ts';

/** One workload cluster's upstream alarm: what its upstream records' health check reads. */
export interface UpstreamAlarmSpec {
  cluster: string;
  /** `switchyard-upstream-<ownerId>-<cluster>` (src/core/upstream.ts), as the runtime's checks name it. */
  alarmName: string;
  /** `upstream.alarmRegion`, else the first edge cluster's region. */
  region: string;
  metric: typeof UPSTREAM_ALARM;
  dimensions: Record<string, string>;
}

export interface UpstreamSpec {
  alarms: UpstreamAlarmSpec[];
  /** Where the alarms live and the prefix of their names (the functions' DescribeAlarms grant). */
  region: string;
  alarmPrefix: string;
}

/**
 * The upstream alarms, or undefined for a fleet without edges (or without workload clusters
 * behind them). Refused, naming the cluster: an edge cluster in another account than the
 * stage's, whose canary would publish its metric where the alarms (and so the health
 * checks) never see it.
 */
export function describeUpstream(fleet: FleetConfig, stageAccountId: string): UpstreamSpec | undefined {
  const workload = upstreamClusters(fleet);
  const region = upstreamAlarmRegion(fleet);
  if (workload.length === 0 || region === undefined) return undefined;
  const foreign = fleet.clusters.filter((c) => c.role === 'edge' && c.accountId !== undefined && c.accountId !== stageAccountId);
  if (foreign.length > 0) {
    throw new InvalidInput(
      `edge cluster${foreign.length > 1 ? 's' : ''} ${foreign.map((c) => `${c.name} (account ${c.accountId})`).join(', ')}: the edges' canary publishes ` +
        `${UPSTREAM_METRIC.namespace} ${UPSTREAM_METRIC.name} in its own account, but the upstream alarms are in the stage's account ${stageAccountId}; ` +
        `run edge clusters in the stage's account (docs/edge.md)`,
      { clusters: foreign.map((c) => c.name) },
    );
  }
  const alarms = workload.map((cluster): UpstreamAlarmSpec => {
    // ownerId (≤ 63) and cluster (≤ 64) keep the name far below CloudWatch's 255 characters.
    const alarmName = upstreamAlarmName(fleet.ownerId, cluster.name);
    return { cluster: cluster.name, alarmName, region, metric: UPSTREAM_ALARM, dimensions: { [UPSTREAM_METRIC.dimension]: cluster.name } };
  });
  return { alarms, region, alarmPrefix: `${UPSTREAM_ALARM_ROOT}${fleet.ownerId}-` };
}

/**
 * What an edge cluster's agent role adds to putting its events: PutMetricData, which IAM
 * authorizes on "*" only, held to the upstream metric's namespace by the
 * `cloudwatch:namespace` condition. None for a workload cluster, nor without upstream alarms.
 */
export function edgeAgentStatements(cluster: Pick<ClusterConfig, 'role'>, upstream: UpstreamSpec | undefined): Statement[] {
  if (cluster.role !== 'edge' || upstream === undefined) return [];
  return [
    {
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricData'],
      Resource: ['*'],
      Condition: { StringEquals: { 'cloudwatch:namespace': [UPSTREAM_METRIC.namespace] } },
    },
  ];
}
