// Every event Switchyard reads or writes, as zod schemas: the one definition the
// router (in), the workflows (out) and the tests share. The Gateway Published /
// Withdrawn detail lives in gateway-events.ts (discovery owns it).
// An event that fails its schema is logged with the reason and dropped.
import * as z from 'zod';
import { cutLists, MAX_LISTED } from './bounded.ts';

/** Source of every event Switchyard puts on the bus. */
export const SWITCHYARD_SOURCE = 'switchyard';

/**
 * The environment variable naming Switchyard's event bus (name or ARN): what users set for
 * `switchyard discover --watch`, and what the deploy sets on every function.
 */
export const BUS_ENV = 'SWITCHYARD_BUS';
/** Its earlier name, still set by the deploy and still read, after BUS_ENV. */
export const BUS_ENV_ALIAS = 'SWITCHYARD_EVENT_BUS';

/** The bus named in the environment, and which variable named it; undefined when neither is set. */
export function busFromEnv(env: Readonly<Record<string, string | undefined>>): { bus: string; variable: string } | undefined {
  for (const variable of [BUS_ENV, BUS_ENV_ALIAS]) {
    const bus = env[variable];
    if (bus !== undefined && bus !== '') return { bus, variable };
  }
  return undefined;
}

/** Detail types Switchyard emits (docs/workflows.md, Events), plus `Cluster Upgrade Failed` and `Apps Without Healthy Cluster`. */
export const OUT_DETAIL_TYPES = [
  'App Onboarded',
  'App Offboarded',
  'Records Changed',
  'Cluster Drain Started',
  'Cluster Drained',
  'Cluster Drain Aborted',
  'Cluster Restored',
  'Failover Performed',
  'Failback Performed',
  'Cluster Upgrade Failed',
  'Apps Without Healthy Cluster',
] as const;
export type OutDetailType = (typeof OUT_DETAIL_TYPES)[number];

// ---------------------------------------------------------------------------
// The EventBridge envelope

/** An EventBridge event with a typed detail. `detail-type` and `source` are checked by the caller. */
export function eventEnvelope<T extends z.ZodType>(detail: T) {
  return z.object({
    version: z.string().optional(),
    id: z.string().min(1),
    'detail-type': z.string().min(1),
    source: z.string().min(1),
    account: z.string().optional(),
    time: z.string().min(1),
    region: z.string().optional(),
    resources: z.array(z.string()).optional(),
    detail: detail,
  });
}

export const anyEventSchema = eventEnvelope(z.record(z.string(), z.unknown()));
export type AnyEvent = z.infer<typeof anyEventSchema>;

// ---------------------------------------------------------------------------
// Events in: AWS

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;

const alarmStateSchema = z.object({
  value: z.enum(ALARM_STATES),
  reason: z.string().optional(),
  timestamp: z.string().min(1),
});

/** `aws.cloudwatch` "CloudWatch Alarm State Change". */
export const alarmStateChangeDetailSchema = z.object({
  alarmName: z.string().min(1),
  state: alarmStateSchema,
  previousState: alarmStateSchema.partial().optional(),
});
export const alarmStateChangeEventSchema = eventEnvelope(alarmStateChangeDetailSchema).extend({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
});
export type AlarmStateChangeEvent = z.infer<typeof alarmStateChangeEventSchema>;

/** EKS calls the router hears: cluster lifecycle, and the updates that may move pods (src/core/upgrades.ts decides). */
export const EKS_API_CALLS = ['CreateCluster', 'DeleteCluster', 'UpdateClusterVersion', 'UpdateNodegroupVersion', 'UpdateNodegroupConfig'] as const;

/** `aws.eks` "AWS API Call via CloudTrail" for the calls Switchyard reacts to. */
export const eksApiCallDetailSchema = z.object({
  eventSource: z.literal('eks.amazonaws.com'),
  eventName: z.string().min(1),
  awsRegion: z.string().min(1),
  eventID: z.string().min(1),
  eventTime: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  requestParameters: z.looseObject({ name: z.string().min(1).optional(), nodegroupName: z.string().min(1).optional() }).nullish(),
  responseElements: z
    .looseObject({
      update: z.looseObject({ id: z.string().min(1), status: z.string().optional(), type: z.string().optional() }).optional(),
      cluster: z.looseObject({ name: z.string().optional() }).optional(),
    })
    .nullish(),
  userIdentity: z.looseObject({ arn: z.string().optional() }).optional(),
});
export const eksApiCallEventSchema = eventEnvelope(eksApiCallDetailSchema).extend({
  source: z.literal('aws.eks'),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
});
export type EksApiCallEvent = z.infer<typeof eksApiCallEventSchema>;

/** EventBridge Scheduler / rule "Scheduled Event": starts Reconcile. */
export const scheduledEventSchema = eventEnvelope(z.record(z.string(), z.unknown())).extend({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

/** Step Functions' own event when an execution changes status (delivered to the default bus). */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';
/** The statuses of a run that ended without finishing its own work: recovery looks at its lock. */
export const RECOVERED_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;
/** The workflows whose runs hold a cluster lock across states (a stopped run leaves it behind). */
export const LOCK_HOLDING_WORKFLOWS = ['DrainCluster', 'RestoreCluster', 'UpgradeGuard'] as const;

export const executionStatusChangeEventSchema = eventEnvelope(
  z.looseObject({
    executionArn: z.string().min(1),
    stateMachineArn: z.string().min(1),
    name: z.string().min(1),
    status: z.string().min(1),
  }),
).extend({
  source: z.literal('aws.states'),
  'detail-type': z.literal(EXECUTION_STATUS_CHANGE),
});

// ---------------------------------------------------------------------------
// Events out (source "switchyard")

const executionArn = z.string().min(1);
const cluster = z.string().min(1);
const hostname = z.string().min(1);
/** How many entries of a list were left out of the event (present only when some were). */
const notListed = z.number().int().min(1).optional();

/**
 * What one cluster had in Route 53 for one app, whatever the routing: whether its record
 * set is there and answers, and the field its routing policy sets (weight, failover role,
 * latency region).
 */
export const clusterRecordSchema = z.object({
  /** The cluster has a record set for the app. */
  present: z.boolean(),
  /** It takes traffic: weight above 0 for weighted routing; present for the others. */
  inTraffic: z.boolean(),
  /** Weighted: Route 53 weight, 0–255. */
  weight: z.number().int().min(0).max(255).optional(),
  /** Failover: PRIMARY or SECONDARY. */
  role: z.string().optional(),
  /** Latency: the AWS region. */
  region: z.string().optional(),
});
export type ClusterRecord = z.infer<typeof clusterRecordSchema>;

/** One app's record on one cluster, before and after an operation. */
export const appWeightSchema = z.object({
  hostname,
  /** Route 53 weight of the cluster's record; undefined for non-weighted routing. */
  weightBefore: z.number().int().min(0).max(255).optional(),
  weightAfter: z.number().int().min(0).max(255).optional(),
  routing: z.string().optional(),
  /** Apps served through edges (docs/edge.md): `edge` for the public records, `workload` for the upstream ones. */
  tier: z.enum(['edge', 'workload']).optional(),
  /** Upstream records: the public hostname the edges serve. */
  upstreamOf: hostname.optional(),
  /** Every routing policy: the cluster's record before and after (a failover or latency set removed shows as present → absent). */
  before: clusterRecordSchema.optional(),
  after: clusterRecordSchema.optional(),
});
export type AppWeight = z.infer<typeof appWeightSchema>;

/** "weight 100", "PRIMARY", "us-east-1", or "absent": one side of a ClusterRecord, for people. */
export function describeClusterRecord(record: ClusterRecord | undefined): string {
  if (record === undefined) return '?';
  if (!record.present) return 'absent';
  const what = record.weight !== undefined ? `weight ${record.weight}` : [record.role, record.region].filter((x) => x !== undefined).join(' ') || 'present';
  return record.inTraffic || record.weight !== undefined ? what : `${what} (out of traffic)`;
}

export const OPERATIONS = ['drain', 'restore', 'upgrade', 'failover', 'failback'] as const;
export type Operation = (typeof OPERATIONS)[number];

const recordChangeSchema = z.object({
  action: z.enum(['CREATE', 'UPSERT', 'DELETE']),
  name: z.string(),
  type: z.string(),
  setIdentifier: z.string().optional(),
  weight: z.number().optional(),
});
export type RecordChangeSummary = z.infer<typeof recordChangeSchema>;

/** `Cluster Drained` and `Cluster Restored` carry the same detail. */
const clusterOperationFinished = z.object({
  cluster,
  reason: z.string(),
  by: z.string(),
  weightPercentBefore: z.number().min(0).max(100),
  weightPercentAfter: z.number().min(0).max(100),
  apps: z.array(appWeightSchema).max(MAX_LISTED),
  appsNotListed: notListed,
  executionArn,
});

export const OUT_DETAIL_SCHEMAS = {
  'App Onboarded': z.object({
    hostname,
    clusters: z.array(cluster),
    changes: z.array(recordChangeSchema).max(MAX_LISTED),
    changesNotListed: notListed,
    executionArn,
  }),
  'App Offboarded': z.object({
    hostname,
    cluster,
    remainingClusters: z.array(cluster),
    changes: z.array(recordChangeSchema).max(MAX_LISTED),
    changesNotListed: notListed,
    executionArn,
  }),
  'Records Changed': z.object({
    trigger: z.string().min(1),
    cluster: cluster.optional(),
    hostnames: z.array(hostname).max(MAX_LISTED),
    hostnamesNotListed: notListed,
    changes: z.array(recordChangeSchema).max(MAX_LISTED),
    changesNotListed: notListed,
    /** One per Route 53 request (a batch holds up to 1,000 records), so it grows a thousand times slower than the apps. */
    changeIds: z.array(z.string()),
    executionArn,
  }),
  'Cluster Drain Started': z.object({
    cluster,
    reason: z.string(),
    by: z.string(),
    steps: z.array(z.number().int().min(0).max(100)),
    bakeSeconds: z.number().int().min(0),
    weightPercentBefore: z.number().min(0).max(100),
    apps: z.array(appWeightSchema).max(MAX_LISTED),
    appsNotListed: notListed,
    executionArn,
  }),
  'Cluster Drained': clusterOperationFinished,
  'Cluster Drain Aborted': z.object({
    cluster,
    operation: z.enum(OPERATIONS),
    /** The named error (LockHeld, DrainUnsafe, HealthDegraded, Route53Rejected, ...). */
    error: z.string(),
    reason: z.string(),
    /** True when weights were changed and then put back to the saved ones. */
    rolledBack: z.boolean(),
    weightPercentBefore: z.number().min(0).max(100).optional(),
    weightPercentAfter: z.number().min(0).max(100).optional(),
    apps: z.array(appWeightSchema).max(MAX_LISTED),
    appsNotListed: notListed,
    executionArn,
  }),
  'Cluster Restored': clusterOperationFinished,
  'Failover Performed': z.object({
    cluster,
    /** Set when the alarm is per app; otherwise the whole cluster. */
    hostname: hostname.optional(),
    alarmName: z.string(),
    /** `taken-out`: weight set to 0; `fail-open`: kept in because no healthy cluster would remain. */
    action: z.enum(['taken-out', 'fail-open', 'already-out']),
    reason: z.string(),
    apps: z.array(appWeightSchema).max(MAX_LISTED),
    appsNotListed: notListed,
    /** Apps left in because no other healthy active cluster remained. */
    failOpenApps: z.array(hostname).max(MAX_LISTED),
    failOpenAppsNotListed: notListed,
    executionArn,
  }),
  'Failback Performed': z.object({
    cluster,
    hostname: hostname.optional(),
    alarmName: z.string(),
    holdDownSeconds: z.number().int().min(0),
    apps: z.array(appWeightSchema).max(MAX_LISTED),
    appsNotListed: notListed,
    executionArn,
  }),
  'Cluster Upgrade Failed': z.object({
    cluster,
    eksClusterName: z.string(),
    updateId: z.string(),
    status: z.string(),
    errors: z.array(z.string()),
    /** The cluster stays drained until an operator restores it. */
    intent: z.string(),
    executionArn,
  }),
  /**
   * A failure left apps with no healthy, active cluster while a cluster of theirs is
   * DRAINED: the drained cluster stays drained (someone may be upgrading it); an operator
   * decides whether to restore it.
   */
  'Apps Without Healthy Cluster': z.object({
    /** The cluster whose alarm went ALARM. */
    cluster,
    hostname: hostname.optional(),
    alarmName: z.string(),
    apps: z
      .array(
        z.object({
          hostname,
          /** Its clusters an operator drained: they could serve it, and stay drained. */
          drained: z.array(cluster),
          /** Its other clusters, unhealthy or of unknown health. */
          unhealthy: z.array(cluster),
        }),
      )
      .min(1)
      .max(MAX_LISTED),
    appsNotListed: notListed,
    executionArn,
  }),
} as const satisfies Record<OutDetailType, z.ZodType>;

export type OutDetail<T extends OutDetailType> = z.infer<(typeof OUT_DETAIL_SCHEMAS)[T]>;

/**
 * The lists of each event that grow with the fleet (apps, hostnames, record changes). An
 * event passes through a workflow's `events:putEvents` state, whose input Step Functions
 * holds to 256 KiB, so each lists its first MAX_LISTED entries and `<list>NotListed` counts
 * the rest: a 10,000-app drain's events are as large as a 100-app one's.
 */
export const LISTS_IN_EVENT: { readonly [T in OutDetailType]: ReadonlyArray<keyof OutDetail<T> & string> } = {
  'App Onboarded': ['changes'],
  'App Offboarded': ['changes'],
  'Records Changed': ['hostnames', 'changes'],
  'Cluster Drain Started': ['apps'],
  'Cluster Drained': ['apps'],
  'Cluster Drain Aborted': ['apps'],
  'Cluster Restored': ['apps'],
  'Failover Performed': ['apps', 'failOpenApps'],
  'Failback Performed': ['apps'],
  'Cluster Upgrade Failed': [],
  'Apps Without Healthy Cluster': ['apps'],
};

/** The detail with each of its growing lists cut to MAX_LISTED entries and the rest counted (`<list>NotListed`). */
export function boundedDetail<T extends OutDetailType>(detailType: T, detail: OutDetail<T>): OutDetail<T> {
  return cutLists(detail, LISTS_IN_EVENT[detailType]);
}

/** What a task returns for the workflow's `events:putEvents` state to send. */
export interface EventToPut<T extends OutDetailType = OutDetailType> {
  Source: typeof SWITCHYARD_SOURCE;
  DetailType: T;
  Detail: OutDetail<T>;
}

/** Cuts the detail's growing lists (boundedDetail), validates it and wraps it as a PutEvents entry (without the bus). */
export function outEvent<T extends OutDetailType>(detailType: T, detail: OutDetail<T>): EventToPut<T> {
  const parsed = OUT_DETAIL_SCHEMAS[detailType].parse(boundedDetail(detailType, detail)) as OutDetail<T>;
  return { Source: SWITCHYARD_SOURCE, DetailType: detailType, Detail: parsed };
}
