// How each desired Route 53 health check comes to exist, decided purely from the owned
// checks (create, keep, or update in place, re-purposing a check nothing wants any more).
// src/app/dns/health-checks.ts carries the steps out (docs/dns.md).
import type { DesiredHealthCheck } from './desired.ts';
import type { HealthCheckSpec } from './model.ts';
import type { HealthCheckRecord } from './ports.ts';

/** A health check carrying our owner tag, with its key and cluster tags. */
export interface OwnedHealthCheck extends HealthCheckRecord {
  key?: string;
  cluster?: string;
  /** A canary check the deploy created and owns: used by key, never updated, re-purposed or deleted. */
  deployManaged?: boolean;
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
 * A check the deploy owns (a cluster's canary check with its alarm) is kept as it is when
 * its key is wanted, and otherwise left alone: never updated or re-purposed.
 */
export function planHealthChecks(desired: readonly DesiredHealthCheck[], owned: readonly OwnedHealthCheck[]): HealthCheckStep[] {
  const wantedKeys = new Set(desired.map((d) => d.key));
  const byKey = new Map<string, OwnedHealthCheck[]>();
  for (const check of owned) {
    if (check.key === undefined) continue;
    byKey.set(check.key, [...(byKey.get(check.key) ?? []), check]);
  }
  const reusable = owned.filter((check) => check.deployManaged !== true && (check.key === undefined || !wantedKeys.has(check.key)));
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
      (check) =>
        !taken.has(check.id) &&
        check.cluster === want.cluster &&
        check.spec?.fqdn.toLowerCase() === want.spec.fqdn.toLowerCase() &&
        updatableTo(check.spec, want.spec),
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
    const deployed = tagged.find((check) => check.deployManaged === true);
    if (deployed) {
      taken.add(deployed.id);
      steps.push({ kind: 'keep', want, id: deployed.id });
      continue;
    }
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
 * True when planHealthChecks plans `wants` (distinct keys) the same whatever other wants
 * it is given besides them: each has an owned check tagged with its key that it keeps or
 * updates (the deploy's, or one of the same spec, or one updatable to it). Other wants
 * never take a check tagged with a key that is wanted, so only a want without such a check
 * (re-purposing an unused check, or creating one) depends on which checks the others use.
 * A scoped apply then need not know every app's checks (docs/dns.md, "What an apply reads").
 */
export function plannedAlone(wants: readonly DesiredHealthCheck[], owned: readonly OwnedHealthCheck[]): boolean {
  if (new Set(wants.map((w) => w.key)).size !== wants.length) return false;
  const byKey = new Map<string, OwnedHealthCheck[]>();
  for (const check of owned) if (check.key !== undefined) byKey.set(check.key, [...(byKey.get(check.key) ?? []), check]);
  return wants.every((want) =>
    (byKey.get(want.key) ?? []).some((check) => check.deployManaged === true || sameSpec(check.spec, want.spec) || updatableTo(check.spec, want.spec)),
  );
}

/** Stands in for the id of a health check that would be created (a plan or a dry run; never sent). */
export const NEW_HEALTH_CHECK_PREFIX = 'new:';

/** The id each desired check would have without creating anything: existing ids, `new:<key>` for a create. */
export function plannedHealthCheckIds(steps: readonly HealthCheckStep[]): Map<string, string> {
  return new Map(steps.map((step) => [step.want.key, step.kind === 'create' ? `${NEW_HEALTH_CHECK_PREFIX}${step.want.key}` : step.id]));
}

/**
 * The id each key's check most likely gets, read from the owned checks alone (a key tagged
 * on exactly one owned check: that check's id), before the desired checks are known. A
 * caller builds the desired state with these ids and keeps it when the planned ids agree
 * (idsAgree), which is every run that creates, re-purposes or re-tags no check.
 */
export function likelyHealthCheckIds(owned: readonly OwnedHealthCheck[]): Map<string, string> {
  const ids = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const check of owned) {
    if (check.key === undefined || ambiguous.has(check.key)) continue;
    if (ids.has(check.key)) {
      ids.delete(check.key);
      ambiguous.add(check.key);
    } else ids.set(check.key, check.id);
  }
  return ids;
}

/** True when `a` and `b` give every desired check the same id (or both none). */
export function idsAgree(desired: readonly DesiredHealthCheck[], a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return desired.every((check) => a.get(check.key) === b.get(check.key));
}
