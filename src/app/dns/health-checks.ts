// Owned Route 53 health checks: find them, make the desired ones exist (create,
// or update in place when the config changed), and delete those no record uses any
// more. Ownership is read from tags (src/core/health-spec.ts); a check without our
// owner tag is never updated or deleted.
import type { DesiredHealthCheck } from '../../core/desired.ts';
import { Route53Rejected, errorMessage } from '../../core/errors.ts';
import {
  HEALTH_CHECK_TAG_CLUSTER,
  healthCheckCallerReference,
  healthCheckKey,
  healthCheckKeyFromTags,
  healthCheckTags,
  isDeployManaged,
  isOwnedHealthCheck,
  type Tag,
} from '../../core/health-spec.ts';
import type { HealthCheckSpec } from '../../core/model.ts';
import { sameSpec, type HealthCheckStep, type OwnedHealthCheck } from '../../core/health-check-plan.ts';
import type { HealthCheckRecord, Route53Port } from '../../core/ports.ts';

export type HealthCheckActionKind = 'create' | 'update' | 'delete';

export interface HealthCheckAction {
  kind: HealthCheckActionKind;
  id: string;
  key?: string;
  cluster?: string;
  spec?: HealthCheckSpec;
}

export interface HealthCheckFailure {
  kind: HealthCheckActionKind;
  key?: string;
  id?: string;
  cluster?: string;
  message: string;
}

export interface EnsureResult {
  /** Health-check id per desired key, for every check that exists (or was made). */
  idsByKey: Map<string, string>;
  actions: HealthCheckAction[];
  failures: HealthCheckFailure[];
}

/** How many fresh caller references to try when Route 53 says a deleted check used one. */
const MAX_GENERATIONS = 5;

/** Lists every health check and keeps those tagged with our owner id. */
export async function listOwnedHealthChecks(port: Route53Port, ownerId: string): Promise<OwnedHealthCheck[]> {
  const all = await port.listHealthChecks();
  return ownedAmong(all, await port.listHealthCheckTags(all.map((check) => check.id)), ownerId);
}

/** A check wanted by key: the cluster it is for and its key (healthCheckKey of the cluster and its spec). */
export interface WantedCheck {
  cluster: string;
  key: string;
  spec: HealthCheckSpec;
}

/**
 * The owned checks that carry the wanted keys, for a reader that needs only those (a
 * health reading needs the clusters' canary checks). Every check is listed (a thousand a
 * page), but only those whose spec is a wanted key's spec have their tags read:
 * ListTagsForResources takes ten ids a request, so reading every check's tags costs a
 * request per ten checks in the account. A key's own check (ours, tagged with the key,
 * probing its spec) comes first. When some wanted key has none (a check whose tags and spec
 * disagree, as during a re-purpose, or no check at all), the rest's tags are read too and
 * every other owned check follows, as listOwnedHealthChecks lists them (docs/operations.md).
 */
export async function ownedHealthChecksWithKeys(port: Route53Port, ownerId: string, wanted: readonly WantedCheck[]): Promise<OwnedHealthCheck[]> {
  const all = await port.listHealthChecks();
  const probesWanted = (spec: HealthCheckSpec | undefined, want: WantedCheck): boolean =>
    spec !== undefined && spec.fqdn.toLowerCase() === want.spec.fqdn.toLowerCase() && healthCheckKey(want.cluster, spec) === want.key;
  const candidates = all.filter((check) => wanted.some((want) => probesWanted(check.spec, want)));
  const candidateTags = await port.listHealthCheckTags(candidates.map((check) => check.id));
  // A key's own check: ours, tagged with the key, probing the key's spec.
  const own = ownedAmong(candidates, candidateTags, ownerId).filter((check) => wanted.some((want) => want.key === check.key && probesWanted(check.spec, want)));
  if (wanted.every((want) => own.some((check) => check.key === want.key))) return own;
  const read = new Set(candidates);
  const rest = all.filter((check) => !read.has(check));
  const restTags = await port.listHealthCheckTags(rest.map((check) => check.id));
  // The keys' own checks first, then every other owned check as listOwnedHealthChecks has them.
  const first = new Set(own.map((check) => check.id));
  return [...own, ...ownedAmong(all, new Map([...candidateTags, ...restTags]), ownerId).filter((check) => !first.has(check.id))];
}

/** The checks tagged with our owner id, with the key and cluster their tags name, sorted by id. */
function ownedAmong(checks: readonly HealthCheckRecord[], tags: ReadonlyMap<string, Tag[]>, ownerId: string): OwnedHealthCheck[] {
  const owned: OwnedHealthCheck[] = [];
  for (const check of checks) {
    const checkTags = tags.get(check.id) ?? [];
    if (!isOwnedHealthCheck(checkTags, ownerId)) continue;
    owned.push({
      ...check,
      key: healthCheckKeyFromTags(checkTags),
      cluster: tagValue(checkTags, HEALTH_CHECK_TAG_CLUSTER),
      ...(isDeployManaged(checkTags) ? { deployManaged: true } : {}),
    });
  }
  return owned.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((tag) => tag.Key === key)?.Value;
}

export interface EnsureOptions {
  onAction?: (action: HealthCheckAction) => void;
}

/**
 * Carries out planHealthChecks' steps. A create uses a CallerReference derived from owner
 * and key, so a retry after a lost answer returns the same check instead of a duplicate;
 * the check is then tagged as ours. A failure is reported for that key only; the records
 * needing it are then held unchanged (attachHealthCheckIds).
 */
export async function ensureHealthChecks(
  port: Route53Port,
  ownerId: string,
  steps: readonly HealthCheckStep[],
  options: EnsureOptions = {},
): Promise<EnsureResult> {
  const idsByKey = new Map<string, string>();
  const actions: HealthCheckAction[] = [];
  const failures: HealthCheckFailure[] = [];
  for (const step of steps) {
    const { want } = step;
    try {
      let id: string;
      if (step.kind === 'keep') {
        id = step.id;
      } else if (step.kind === 'update') {
        if (!sameSpec(step.from, want.spec)) await port.updateHealthCheck(step.id, step.version, want.spec);
        if (step.retag) await port.tagHealthCheck(step.id, healthCheckTags(ownerId, want.key, want.cluster, want.spec));
        id = step.id;
      } else {
        const created = await createWithFreshReference(port, ownerId, want);
        await port.tagHealthCheck(created.id, healthCheckTags(ownerId, want.key, want.cluster, want.spec));
        id = created.id;
      }
      idsByKey.set(want.key, id);
      if (step.kind !== 'keep') {
        const action: HealthCheckAction = { kind: step.kind, id, key: want.key, cluster: want.cluster, spec: want.spec };
        actions.push(action);
        options.onAction?.(action);
      }
    } catch (error) {
      const kind = step.kind === 'create' ? 'create' : 'update';
      failures.push({ kind, key: want.key, cluster: want.cluster, message: `health check ${want.key} of cluster ${want.cluster}: ${errorMessage(error)}` });
    }
  }
  return { idsByKey, actions, failures };
}

/**
 * CreateHealthCheck with `<owner>-<key>`, then `-g1`, `-g2`, ... while Route 53 answers
 * HealthCheckAlreadyExists (the reference belonged to a check deleted earlier). The
 * sequence is deterministic, so a retry of a lost answer lands on the same reference.
 */
async function createWithFreshReference(port: Route53Port, ownerId: string, want: DesiredHealthCheck): Promise<HealthCheckRecord> {
  for (let generation = 0; ; generation++) {
    const reference = healthCheckCallerReference(ownerId, want.key, generation === 0 ? undefined : `g${generation}`);
    try {
      return await port.createHealthCheck(reference, want.spec);
    } catch (error) {
      const alreadyExists = error instanceof Route53Rejected && error.context.awsError === 'HealthCheckAlreadyExists';
      if (!alreadyExists || generation >= MAX_GENERATIONS) throw error;
    }
  }
}

export interface DeleteUnusedResult {
  deleted: HealthCheckAction[];
  /** Checks Route 53 refused to delete (e.g. still used by a record Switchyard does not manage). */
  failures: HealthCheckFailure[];
}

/**
 * Deletes owned checks that no desired key maps to and no record set refers to. `inUse`
 * is every health-check id carried by a record set after the changes were applied.
 */
export async function deleteUnusedHealthChecks(
  port: Route53Port,
  owned: readonly OwnedHealthCheck[],
  keep: ReadonlySet<string>,
  inUse: ReadonlySet<string>,
  options: EnsureOptions = {},
): Promise<DeleteUnusedResult> {
  const deleted: HealthCheckAction[] = [];
  const failures: HealthCheckFailure[] = [];
  for (const check of owned) {
    if (keep.has(check.id) || inUse.has(check.id) || check.deployManaged === true) continue;
    try {
      await port.deleteHealthCheck(check.id);
      const action: HealthCheckAction = { kind: 'delete', id: check.id, key: check.key, cluster: check.cluster, spec: check.spec };
      deleted.push(action);
      options.onAction?.(action);
    } catch (error) {
      failures.push({ kind: 'delete', id: check.id, key: check.key, cluster: check.cluster, message: `health check ${check.id}: ${errorMessage(error)}` });
    }
  }
  return { deleted, failures };
}
