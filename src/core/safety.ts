// Safety rules, checked before every weight change (pure). An app is served by a
// cluster when the cluster is *active* for it (effective weight above 0) and
// *healthy*. A change is unsafe when it leaves an app with fewer than
// minHealthyActive healthy active clusters *and* fewer than it had before: taking
// out a cluster that is already unhealthy never lowers that count, so repairing a
// dead cluster of a degraded app is allowed, while draining a healthy one below the
// minimum is not. Unknown health counts as unhealthy.
import { someOf } from './bounded.ts';
import type { FleetState } from './fleet-document.ts';
import { effectiveWeights } from './fleet-document.ts';
import type { HealthState, RoutingPolicy } from './model.ts';
import type { Tier } from './tiers.ts';

export interface SafetyMember {
  cluster: string;
  /** Effective share of normal weight (intent and failover), 0–100. */
  weightPercent: number;
  /** The app's normal Route 53 weight on this cluster (weighted routing; 100 for other policies); 0 means never active. */
  baseWeight: number;
  healthy: boolean;
}

export interface SafetyApp {
  hostname: string;
  /**
   * Set for an app served through edges (docs/edge.md): `edge` for its public records (at
   * least one edge stays), `workload` for its upstream records. Unset: published directly.
   */
  tier?: Tier;
  members: SafetyMember[];
}

export interface SafetyInput {
  minHealthyActive: number;
  apps: SafetyApp[];
}

/** A change of one cluster's weight percent, for all its apps or one app. */
export interface WeightChange {
  cluster: string;
  hostname?: string;
  weightPercent: number;
}

export interface Violation {
  hostname: string;
  /** Set for an app served through edges (its edge or its workload tier). */
  tier?: Tier;
  min: number;
  before: number;
  after: number;
  /** Healthy active clusters the app keeps after the change. */
  remaining: string[];
}

export interface SafetyVerdict {
  safe: boolean;
  violations: Violation[];
}

/** Active = receives traffic: the Route 53 weight desired.ts writes, round(normal × percent / 100), is above 0. */
function isActive(member: SafetyMember): boolean {
  return isActiveAt(member, member.weightPercent);
}

function isActiveAt(member: SafetyMember, weightPercent: number): boolean {
  return Math.round((member.baseWeight * weightPercent) / 100) > 0;
}

function servingClusters(members: readonly SafetyMember[]): string[] {
  return members.filter((m) => isActive(m) && m.healthy).map((m) => m.cluster);
}

/**
 * Healthy active clusters an app keeps: minHealthyActive workload clusters behind the
 * edges (or serving a direct app), and at least one edge (none when minHealthyActive is 0).
 */
export function minimumOf(input: Pick<SafetyInput, 'minHealthyActive'>, app: Pick<SafetyApp, 'tier'>): number {
  return app.tier === 'edge' ? Math.min(1, input.minHealthyActive) : input.minHealthyActive;
}

function tierField(app: Pick<SafetyApp, 'tier'>): { tier?: Tier } {
  return app.tier === undefined ? {} : { tier: app.tier };
}

/** Checks one change against the current state of every app the cluster serves. */
export function checkWeightChange(input: SafetyInput, change: WeightChange): SafetyVerdict {
  return checkWeightChanges(input, [change]);
}

/** Checks several changes applied together (e.g. every step of a plan at its final weight). */
export function checkWeightChanges(input: SafetyInput, changes: readonly WeightChange[]): SafetyVerdict {
  const violations: Violation[] = [];
  // Counted in place, without a copy of each app's members: a drain's gate checks every
  // app of the cluster, 14 times a drain (docs/benchmarks.md, the 10,000-app drain).
  for (const app of input.apps) {
    const { members } = app;
    let touched = false;
    let beforeCount = 0;
    let afterCount = 0;
    for (const member of members) {
      const change = changeFor(changes, app.hostname, member.cluster);
      if (change !== undefined) touched = true;
      if (!member.healthy) continue;
      if (isActive(member)) beforeCount++;
      if (change === undefined ? isActive(member) : isActiveAt(member, change.weightPercent)) afterCount++;
    }
    if (!touched) continue;
    const min = minimumOf(input, app);
    if (afterCount < min && afterCount < beforeCount) {
      const after = members.map((member) => {
        const change = changeFor(changes, app.hostname, member.cluster);
        return change ? { ...member, weightPercent: change.weightPercent } : member;
      });
      const remaining = servingClusters(after);
      violations.push({ hostname: app.hostname, ...tierField(app), min, before: beforeCount, after: remaining.length, remaining });
    }
  }
  return { safe: violations.length === 0, violations };
}

/** The first change that applies to `hostname` on `cluster` (one of the app's members), if any. */
function changeFor(changes: readonly WeightChange[], hostname: string, cluster: string): WeightChange | undefined {
  for (const c of changes) if (c.cluster === cluster && (c.hostname === undefined || c.hostname === hostname)) return c;
  return undefined;
}

/** Apps whose healthy active clusters are below the minimum now (for status and health gates). */
export function appsBelowMinimum(input: SafetyInput): Violation[] {
  return input.apps
    .map((app) => {
      const remaining = servingClusters(app.members);
      return { hostname: app.hostname, ...tierField(app), min: minimumOf(input, app), before: remaining.length, after: remaining.length, remaining };
    })
    .filter((v) => v.after < v.min);
}

/** One line per violation, for error messages and events: the first few, and how many more (an error is bounded, whatever the fleet's size). */
export function describeViolations(violations: readonly Violation[]): string {
  return someOf(
    violations.map(
      (v) =>
        `${v.hostname}${v.tier ? ` (${v.tier} tier)` : ''} would keep ${v.after} healthy active ${v.tier ? `${v.tier} ` : ''}cluster(s) (${v.remaining.join(', ') || 'none'}), minimum ${v.min}`,
    ),
  );
}

// ---------------------------------------------------------------------------
// Building the input from the state table's view of the fleet

/** One app on one cluster, as the catalogue knows it. */
export interface CatalogueMember {
  cluster: string;
  routing: RoutingPolicy;
  baseWeight: number;
}

export interface CatalogueApp {
  hostname: string;
  /** As SafetyApp.tier. */
  tier?: Tier;
  members: CatalogueMember[];
}

/** Health of a cluster, and of single apps on it (per-app alarms), as observed now. */
export interface HealthView {
  clusters: Record<string, HealthState>;
  /** Keyed "cluster|hostname"; only UNHEALTHY entries matter. */
  apps?: Record<string, HealthState>;
}

export function isHealthy(health: HealthView, cluster: string, hostname: string): boolean {
  if (health.apps?.[`${cluster}|${hostname}`] === 'UNHEALTHY') return false;
  return health.clusters[cluster] === 'HEALTHY';
}

/**
 * The safety input for the apps that `clusters` serve (all apps when omitted).
 * Routing other than weighted has no weights: a member is active unless taken out (0 %).
 */
export function safetyInput(
  state: FleetState,
  catalogue: readonly CatalogueApp[],
  health: HealthView,
  minHealthyActive: number,
  clusters?: readonly string[],
): SafetyInput {
  // Per cluster, not per member: the intent and the health of a cluster are the same for
  // each of its apps, and per-app marks and health are looked up only when there are any.
  const weightOf = effectiveWeights(state);
  const view: HealthView = health.apps !== undefined && Object.keys(health.apps).length > 0 ? health : { clusters: health.clusters };
  const apps = catalogue
    .filter((app) => !clusters || app.members.some((m) => clusters.includes(m.cluster)))
    .map((app) => ({
      hostname: app.hostname,
      ...(app.tier === undefined ? {} : { tier: app.tier }),
      members: app.members.map((m) => ({
        cluster: m.cluster,
        weightPercent: weightOf(m.cluster, app.hostname),
        baseWeight: m.routing === 'weighted' ? m.baseWeight : 100,
        healthy: isHealthy(view, m.cluster, app.hostname),
      })),
    }));
  return { minHealthyActive, apps };
}
