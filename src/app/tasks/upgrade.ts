// UpgradeGuard's own tasks: which fleet cluster an EKS update that moves pods
// (UpdateClusterVersion, and node-group updates: src/core/upgrades.ts) is about (and its plan: drain, wait for the update, restore), and one DescribeUpdate
// poll. The drain and restore steps reuse the operation tasks.
import * as z from 'zod';
import { RECORD_TTL_SECONDS } from '../../core/catalogue.ts';
import {
  executionSchema,
  lockRefSchema,
  operationSpecSchema,
  parseInput,
  specifyOperation,
  UPDATE_MAX_POLLS,
  UPDATE_POLL_SECONDS,
  type OperationSpec,
} from '../../core/operation-spec.ts';
import { eksApiCallEventSchema } from '../../core/events.ts';
import { guardedUpdate } from '../../core/upgrades.ts';
import { formatZodIssues } from '../../core/config.ts';
import { intentOf, renewLock } from '../../core/fleet-document.ts';
import type { Deps } from '../../core/ports.ts';
import { readView } from './view.ts';

const resolveInputSchema = z.object({ event: z.unknown(), execution: executionSchema });

export interface ResolvedUpgrade {
  /** True when the event is not about an update of one of the fleet's clusters. */
  ignore: boolean;
  reason: string;
  op: OperationSpec | null;
}

export const resolveUpgrade =
  (deps: Deps) =>
  async (raw: unknown): Promise<ResolvedUpgrade> => {
    const { event, execution } = parseInput(resolveInputSchema, raw, 'resolveUpgrade input');
    const parsed = eksApiCallEventSchema.safeParse(event);
    if (!parsed.success) return { ignore: true, reason: `not an EKS CloudTrail event: ${formatZodIssues(parsed.error).join('; ')}`, op: null };
    const detail = parsed.data.detail;
    const guarded = guardedUpdate(detail);
    if (!guarded.guarded) return { ignore: true, reason: guarded.reason, op: null };
    if (detail.errorCode) return { ignore: true, reason: `the ${detail.eventName} call failed (${detail.errorCode}); nothing is upgrading`, op: null };
    const name = detail.requestParameters?.name;
    const cluster = deps.fleet.clusters.find(
      (c) =>
        c.eksClusterName === name &&
        c.region === detail.awsRegion &&
        (c.accountId === undefined || parsed.data.account === undefined || c.accountId === parsed.data.account),
    );
    if (!cluster) return { ignore: true, reason: `EKS cluster ${name ?? '(no name)'} in ${detail.awsRegion} is not in the fleet`, op: null };
    const updateId = detail.responseElements?.update?.id;
    if (!updateId) return { ignore: true, reason: `${detail.eventName} of ${cluster.name} carries no update id`, op: null };
    const view = await readView(deps);
    const intent = intentOf(view.state, cluster.name);
    const op = specifyOperation({
      operation: 'upgrade',
      fleet: deps.fleet,
      cluster: cluster.name,
      reason: `EKS ${guarded.what} ${updateId} of ${cluster.eksClusterName}`,
      by: detail.userIdentity?.arn ?? 'aws.eks',
      currentPercent: intent.weightPercent,
      ttlSeconds: RECORD_TTL_SECONDS,
      execution,
      upgrade: {
        eksClusterName: cluster.eksClusterName,
        ...(guarded.nodegroupName ? { nodegroupName: guarded.nodegroupName } : {}),
        updateId,
        region: cluster.region,
        ...(cluster.roleArn ? { roleArn: cluster.roleArn } : {}),
        // Only what the guard drained is restored: a cluster an operator drained stays drained.
        restoreAfter: intent.state === 'ACTIVE' && intent.weightPercent === 100,
        pollSeconds: UPDATE_POLL_SECONDS,
        maxPolls: UPDATE_MAX_POLLS,
      },
    });
    return { ignore: false, reason: `upgrade of ${cluster.name} (${cluster.eksClusterName}, ${guarded.what}), update ${updateId}`, op };
  };

const describeInputSchema = z.object({ op: operationSpecSchema, lock: lockRefSchema, attempt: z.number().int().min(0).default(0) });

export interface UpdateStatus {
  /** InProgress, Successful, Failed, Cancelled, or TimedOut once maxPolls is reached. */
  status: string;
  errors: string[];
  attempt: number;
}

/** One DescribeUpdate; renews the lease so the lock outlives a long upgrade. */
export const describeUpdate =
  (deps: Deps) =>
  async (raw: unknown): Promise<UpdateStatus> => {
    const { op, lock, attempt } = parseInput(describeInputSchema, raw, 'describeUpdate input');
    const upgrade = op.upgrade;
    if (!upgrade) throw new Error('describeUpdate: the plan is not an upgrade');
    const now = deps.clock.now();
    await deps.table.updateFleet((state) => ({ next: renewLock(state, op.cluster, lock.token, now, deps.fleet.safety.lockTtlSeconds), result: null }));
    const update = await deps.eks.describeUpdate({
      eksClusterName: upgrade.eksClusterName,
      ...(upgrade.nodegroupName ? { nodegroupName: upgrade.nodegroupName } : {}),
      updateId: upgrade.updateId,
      region: upgrade.region,
      ...(upgrade.roleArn ? { roleArn: upgrade.roleArn } : {}),
    });
    const next = attempt + 1;
    if (update.status === 'InProgress' && next >= upgrade.maxPolls) {
      return { status: 'TimedOut', errors: [`still InProgress after ${next} polls`], attempt: next };
    }
    return { status: update.status, errors: update.errors, attempt: next };
  };
