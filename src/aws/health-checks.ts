// Owned Route 53 health checks: find them, make the desired ones exist (create,
// or update in place when the config changed), and delete those no record uses any
// more. Ownership is read from tags (src/core/health-spec.ts); a check without our
// owner tag is never updated or deleted.
import type { DesiredHealthCheck } from '../core/desired.ts';
import { Route53Rejected, errorMessage } from '../core/errors.ts';
import {
  HEALTH_CHECK_TAG_CLUSTER,
  healthCheckCallerReference,
  healthCheckKeyFromTags,
  healthCheckTags,
  isOwnedHealthCheck,
  type Tag,
} from '../core/health-spec.ts';
import type { HealthCheckSpec } from '../core/model.ts';
import type { HealthCheckRecord, Route53Port } from './route53.ts';

export interface OwnedHealthCheck extends HealthCheckRecord {
  key?: string;
  cluster?: string;
}

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
  const tags = await port.listHealthCheckTags(all.map((check) => check.id));
  const owned: OwnedHealthCheck[] = [];
  for (const check of all) {
    const checkTags = tags.get(check.id) ?? [];
    if (!isOwnedHealthCheck(checkTags, ownerId)) continue;
    owned.push({ ...check, key: healthCheckKeyFromTags(checkTags), cluster: tagValue(checkTags, HEALTH_CHECK_TAG_CLUSTER) });
  }
  return owned.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((tag) => tag.Key === key)?.Value;
}

export function sameSpec(a: HealthCheckSpec | undefined, b: HealthCheckSpec): boolean {
  if (!a) return false;
  const pathA = a.protocol === 'TCP' ? undefined : (a.path ?? '/');
  const pathB = b.protocol === 'TCP' ? undefined : (b.path ?? '/');
  return (
    a.protocol === b.protocol &&
    a.fqdn.toLowerCase() === b.fqdn.toLowerCase() &&
    a.port === b.port &&
    pathA === pathB &&
    a.intervalSeconds === b.intervalSeconds &&
    a.failureThreshold === b.failureThreshold &&
    a.alarm?.region === b.alarm?.region &&
    a.alarm?.name === b.alarm?.name
  );
}

/**
 * UpdateHealthCheck cannot change the type or the request interval; HTTP and HTTPS are
 * different types too. Anything else (name, port, path, threshold) can change in place.
 */
export function updatableTo(current: HealthCheckSpec | undefined, wanted: HealthCheckSpec): boolean {
  return current !== undefined && current.protocol === wanted.protocol && current.intervalSeconds === wanted.intervalSeconds;
}

export interface EnsureOptions {
  onAction?: (action: HealthCheckAction) => void;
}

/** What to do for one desired check. `id` is known unless a check must be created. */
export type HealthCheckStep =
  | { kind: 'keep'; want: DesiredHealthCheck; id: string }
  | { kind: 'update'; want: DesiredHealthCheck; id: string; version: number; from?: HealthCheckSpec; retag: boolean }
  | { kind: 'create'; want: DesiredHealthCheck };

/**
 * Decides, purely, how each desired check comes to exist (in key order):
 * - an owned check tagged with the key is kept (or updated in place if it drifted);
 * - else an owned check of the same cluster whose key nothing wants any more is updated
 *   in place to the new spec and re-tagged: a config change keeps the check's id, so the
 *   records that carry it need no change;
 * - else one is created.
 * Route 53 cannot change a check's type or interval in place; those are created anew.
 */
export function planHealthChecks(desired: readonly DesiredHealthCheck[], owned: readonly OwnedHealthCheck[]): HealthCheckStep[] {
  const wantedKeys = new Set(desired.map((d) => d.key));
  const byKey = new Map<string, OwnedHealthCheck[]>();
  for (const check of owned) {
    if (check.key === undefined) continue;
    byKey.set(check.key, [...(byKey.get(check.key) ?? []), check]);
  }
  const reusable = owned.filter((check) => check.key === undefined || !wantedKeys.has(check.key));
  const taken = new Set<string>();
  const steps: HealthCheckStep[] = [];
  const sorted = [...desired].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // An unused check that probed the same name is the one to re-purpose for a want (a
  // cluster's canary check stays its canary check, an app's stays the app's): decided for
  // every want before any falls back to another unused check of its cluster.
  const sameName = new Map<string, OwnedHealthCheck>();
  for (const want of sorted) {
    if ((byKey.get(want.key) ?? []).length > 0) continue;
    const match = reusable.find(
      (check) => !taken.has(check.id) && check.cluster === want.cluster && check.spec?.fqdn.toLowerCase() === want.spec.fqdn.toLowerCase() && updatableTo(check.spec, want.spec),
    );
    if (match) {
      taken.add(match.id);
      sameName.set(want.key, match);
    }
  }
  for (const want of sorted) {
    const matched = sameName.get(want.key);
    if (matched) {
      steps.push({ kind: 'update', want, id: matched.id, version: matched.version, from: matched.spec, retag: true });
      continue;
    }
    const tagged = (byKey.get(want.key) ?? []).filter((check) => !taken.has(check.id));
    const existing = tagged.find((check) => sameSpec(check.spec, want.spec)) ?? tagged.find((check) => updatableTo(check.spec, want.spec));
    if (existing) {
      taken.add(existing.id);
      steps.push(
        sameSpec(existing.spec, want.spec)
          ? { kind: 'keep', want, id: existing.id }
          : { kind: 'update', want, id: existing.id, version: existing.version, from: existing.spec, retag: false },
      );
      continue;
    }
    const reuse = reusable.find((check) => !taken.has(check.id) && check.cluster === want.cluster && updatableTo(check.spec, want.spec));
    if (reuse) {
      taken.add(reuse.id);
      steps.push({ kind: 'update', want, id: reuse.id, version: reuse.version, from: reuse.spec, retag: true });
      continue;
    }
    steps.push({ kind: 'create', want });
  }
  return steps;
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
    if (keep.has(check.id) || inUse.has(check.id)) continue;
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
