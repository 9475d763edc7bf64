// Drain, restore and upgrade operations as plain data: the workflow inputs (zod),
// step validation, and the operation plan every task of the workflow receives.
// Pure: the prepare task reads the world and calls these.
import * as z from 'zod';
import type { FleetConfig } from './config.ts';
import { formatZodIssues } from './config.ts';
import { InvalidInput, UnknownCluster } from './errors.ts';
import type { LockOperation } from './fleet-document.ts';

/** How often the INSYNC poll asks Route 53, and how many times before giving up. */
export const INSYNC_POLL_SECONDS = 5;
export const INSYNC_MAX_POLLS = 120;
/** How often UpgradeGuard asks EKS about the update, and for how long (3 hours). */
export const UPDATE_POLL_SECONDS = 60;
export const UPDATE_MAX_POLLS = 180;
/**
 * How often a step's bake (record TTL + bake) looks at health: the bake is a loop of
 * Waits of at most this long, each followed by the health gate, so an unplanned failure
 * rolls the operation back within this many seconds instead of at the end of the bake.
 */
export const HEALTH_WATCH_SECONDS = 10;
/** A lease must outlive the longest wait between two renewals by this much. */
export const LEASE_MARGIN_SECONDS = 60;

const percent = z.number().int().min(0).max(100);

/** `$$.Execution` fields every task gets, for locks (holder), journal ids and events. */
export const executionSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  startTime: z.string().min(1),
});
export type ExecutionInfo = z.infer<typeof executionSchema>;

export const drainInputSchema = z.strictObject({
  cluster: z.string().min(1),
  reason: z.string().min(1).max(1000).default('drain requested'),
  by: z.string().min(1).max(256).default('operator'),
  /** % of normal weight at each step; strictly decreasing, ending at 0. Default fleet.safety.drainSteps. */
  steps: z.array(percent).min(1).max(20).optional(),
  /** Wait after each step on top of the record TTL. Default fleet.safety.bakeSeconds. */
  bakeSeconds: z.number().int().min(0).max(86_400).optional(),
  /** Plan every step and change nothing. */
  dryRun: z.boolean().default(false),
  /** Skip the minHealthyActive rule (locks and maxConcurrentDrains still apply). */
  force: z.boolean().default(false),
  /** The drain's expiry (ISO 8601, after the start): once DRAINED past it, Reconcile starts RestoreCluster. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type DrainInput = z.infer<typeof drainInputSchema>;

export const restoreInputSchema = z.strictObject({
  cluster: z.string().min(1),
  reason: z.string().min(1).max(1000).default('restore requested'),
  by: z.string().min(1).max(256).default('operator'),
  /** % of normal weight at each step; strictly increasing, ending at 100. Default fleet.safety.restoreSteps. */
  steps: z.array(percent).min(1).max(20).optional(),
  bakeSeconds: z.number().int().min(0).max(86_400).optional(),
  dryRun: z.boolean().default(false),
});
export type RestoreInput = z.infer<typeof restoreInputSchema>;

/** Parses with a schema; a failure is InvalidInput naming each bad field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidInput(`${what}: ${formatZodIssues(result.error).join('; ')}`, { issues: formatZodIssues(result.error) });
  }
  return result.data;
}

/** Checks the direction and end of a step list; throws InvalidInput naming the problem. */
export function validateSteps(kind: 'drain' | 'restore', steps: readonly number[]): void {
  const label = `${kind} steps [${steps.join(', ')}]`;
  for (let i = 1; i < steps.length; i++) {
    const ok = kind === 'drain' ? steps[i]! < steps[i - 1]! : steps[i]! > steps[i - 1]!;
    if (!ok) throw new InvalidInput(`${label}: must be strictly ${kind === 'drain' ? 'decreasing' : 'increasing'}`, { steps });
  }
  const end = kind === 'drain' ? 0 : 100;
  if (steps[steps.length - 1] !== end) throw new InvalidInput(`${label}: must end at ${end}`, { steps });
}

/** The steps still to run from the current weight (a retried or repeated operation skips done ones). */
export function remainingSteps(kind: 'drain' | 'restore', steps: readonly number[], currentPercent: number): number[] {
  return steps.filter((step) => (kind === 'drain' ? step < currentPercent : step > currentPercent));
}

export const operationSpecSchema = z.object({
  operation: z.enum(['drain', 'restore', 'upgrade']),
  cluster: z.string().min(1),
  reason: z.string(),
  by: z.string(),
  drainSteps: z.array(percent),
  restoreSteps: z.array(percent),
  bakeSeconds: z.number().int().min(0),
  /** Record TTL + bake: the Wait after each step. */
  waitSeconds: z.number().int().min(0),
  pollSeconds: z.number().int().min(1),
  maxPolls: z.number().int().min(1),
  /** The longest Wait of a step's bake loop between two health gates (HEALTH_WATCH_SECONDS). */
  watchSeconds: z.number().int().min(1).default(HEALTH_WATCH_SECONDS),
  dryRun: z.boolean(),
  force: z.boolean(),
  /** Nothing to do (already drained / already active): the workflow ends without a lock. */
  noop: z.boolean(),
  weightPercentBefore: percent,
  holder: z.string().min(1),
  executionArn: z.string().min(1),
  /** Journal ids start with it: `<execution start>#<execution name>`. */
  journalPrefix: z.string().min(1),
  /** Drain only: when the DRAINED intent expires (Reconcile then restores the cluster). */
  expiresAt: z.string().optional(),
  /** UpgradeGuard only. */
  upgrade: z
    .object({
      eksClusterName: z.string(),
      /** A node-group update (UpdateNodegroupVersion / UpdateNodegroupConfig): DescribeUpdate needs the group. */
      nodegroupName: z.string().optional(),
      updateId: z.string(),
      region: z.string(),
      roleArn: z.string().optional(),
      /** The cluster was ACTIVE at 100 % before the upgrade: restore it afterwards. */
      restoreAfter: z.boolean(),
      /** DescribeUpdate cadence and patience. */
      pollSeconds: z.number().int().min(1),
      maxPolls: z.number().int().min(1),
    })
    .optional(),
});
export type OperationSpec = z.infer<typeof operationSpecSchema>;

export const lockRefSchema = z.object({ token: z.number().int().min(1) });
export type LockRef = z.infer<typeof lockRefSchema>;

export interface OperationRequest {
  operation: Extract<LockOperation, 'drain' | 'restore' | 'upgrade'>;
  fleet: FleetConfig;
  cluster: string;
  reason: string;
  by: string;
  drainSteps?: number[];
  restoreSteps?: number[];
  bakeSeconds?: number;
  dryRun?: boolean;
  force?: boolean;
  currentPercent: number;
  /** Longest TTL of the cluster's records (alias to a load balancer: 60 s). */
  ttlSeconds: number;
  execution: ExecutionInfo;
  upgrade?: OperationSpec['upgrade'];
  /** Drain only: the expiry of the DRAINED intent. */
  expiresAt?: string;
}

/**
 * The longest time the holder of a lock goes without renewing it. Every task of the
 * holder renews (ApplyWeights, each INSYNC poll, HealthGate, DescribeUpdate), so the
 * gaps are the Wait states between two of them: a step's bake (TTL + bake), one INSYNC
 * poll interval, one DescribeUpdate interval. LEASE_MARGIN_SECONDS covers the tasks'
 * own run time and first retries.
 */
export function longestRenewalGap(waits: { waitSeconds: number; pollSeconds: number; updatePollSeconds?: number }): { seconds: number; what: string } {
  const candidates: Array<{ seconds: number; what: string }> = [
    { seconds: waits.waitSeconds, what: 'record TTL + bake after a step' },
    { seconds: waits.pollSeconds, what: 'one INSYNC poll interval' },
  ];
  if (waits.updatePollSeconds !== undefined) candidates.push({ seconds: waits.updatePollSeconds, what: 'one DescribeUpdate poll interval' });
  return candidates.reduce((longest, c) => (c.seconds > longest.seconds ? c : longest));
}

/** Resolves defaults from the fleet, validates, and drops steps already done. */
export function specifyOperation(request: OperationRequest): OperationSpec {
  const { fleet, cluster, operation } = request;
  const known = fleet.clusters.map((c) => c.name);
  if (!known.includes(cluster)) throw new UnknownCluster(cluster, known);
  const safety = fleet.safety;
  const wantsDrain = operation !== 'restore';
  const wantsRestore = operation === 'restore' || (operation === 'upgrade' && (request.upgrade?.restoreAfter ?? true));
  const drainSteps = wantsDrain ? (request.drainSteps ?? safety.drainSteps) : [];
  const restoreSteps = wantsRestore ? (request.restoreSteps ?? safety.restoreSteps) : [];
  if (wantsDrain) validateSteps('drain', drainSteps);
  if (wantsRestore) validateSteps('restore', restoreSteps);
  const bakeSeconds = request.bakeSeconds ?? safety.bakeSeconds;
  const waitSeconds = request.ttlSeconds + bakeSeconds;
  const gap = longestRenewalGap({
    waitSeconds,
    pollSeconds: INSYNC_POLL_SECONDS,
    ...(request.upgrade ? { updatePollSeconds: request.upgrade.pollSeconds } : {}),
  });
  if (gap.seconds + LEASE_MARGIN_SECONDS > safety.lockTtlSeconds) {
    throw new InvalidInput(
      `bakeSeconds ${bakeSeconds}: the longest wait between two renewals of the lock (${gap.what}, ${gap.seconds} s) must stay ${LEASE_MARGIN_SECONDS} s under safety.lockTtlSeconds (${safety.lockTtlSeconds} s), or the lock's lease would run out during it`,
      { bakeSeconds, gapSeconds: gap.seconds, lockTtlSeconds: safety.lockTtlSeconds },
    );
  }
  if (request.expiresAt !== undefined && Date.parse(request.expiresAt) <= Date.parse(request.execution.startTime)) {
    throw new InvalidInput(`expiresAt ${request.expiresAt}: must be after the drain starts (${request.execution.startTime})`, { expiresAt: request.expiresAt });
  }
  const leftDrain = wantsDrain ? remainingSteps('drain', drainSteps, request.currentPercent) : [];
  // An upgrade restores from 0 after its drain; a plain restore from where the cluster is now.
  const restoreFrom = operation === 'upgrade' ? 0 : request.currentPercent;
  const leftRestore = wantsRestore ? remainingSteps('restore', restoreSteps, restoreFrom) : [];
  const noop = operation === 'upgrade' ? false : leftDrain.length === 0 && leftRestore.length === 0;
  return {
    operation,
    cluster,
    reason: request.reason,
    by: request.by,
    drainSteps: leftDrain,
    restoreSteps: leftRestore,
    bakeSeconds,
    waitSeconds,
    pollSeconds: INSYNC_POLL_SECONDS,
    maxPolls: INSYNC_MAX_POLLS,
    watchSeconds: HEALTH_WATCH_SECONDS,
    dryRun: request.dryRun ?? false,
    force: request.force ?? false,
    noop,
    weightPercentBefore: request.currentPercent,
    holder: request.execution.name,
    executionArn: request.execution.id,
    journalPrefix: `${request.execution.startTime}#${request.execution.name}`,
    ...(request.expiresAt === undefined ? {} : { expiresAt: new Date(request.expiresAt).toISOString() }),
    ...(request.upgrade ? { upgrade: request.upgrade } : {}),
  };
}

/** A journal id for one change of an operation: sorted by operation start, then step. */
export function journalId(plan: Pick<OperationSpec, 'journalPrefix'>, label: string): string {
  return `${plan.journalPrefix}#${label}`;
}
