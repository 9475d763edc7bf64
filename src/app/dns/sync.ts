// `switchyard plan` and `sync`: the DNS pipeline (pipeline.ts) for the whole fleet,
// with every outside thing injected (Route 53 port, endpoint source, intents, health,
// pacer). `planDns` only reads; `syncDns` also ensures health
// checks, applies the requests in order, waits for INSYNC and deletes the owned
// health checks no record uses any more.
import type { FleetConfig } from '../../core/config.ts';
import { computeDesiredState, type DesiredInput, type DesiredState } from '../../core/desired.ts';
import {
  idsAgree,
  likelyHealthCheckIds,
  planHealthChecks,
  plannedHealthCheckIds,
  type HealthCheckStep,
  type OwnedHealthCheck,
} from '../../core/health-check-plan.ts';
import { holdSilentClusters } from '../../core/held.ts';
import type { ChangeRequest, ClusterIntent, HealthState, HostedZone, Problem } from '../../core/model.ts';
import type { ActualZone, Plan } from '../../core/plan.ts';
import type { EndpointSource, Pacer, Route53Port } from '../../core/ports.ts';
import { groupExpectations, intendedBySent } from '../../core/verify.ts';
import { healthCheckIdsAfter, heldForUnreachable, silentClusters } from '../../core/zone-state.ts';
import { deleteUnusedHealthChecks, ensureHealthChecks, listOwnedHealthChecks, type HealthCheckAction, type HealthCheckFailure } from './health-checks.ts';
import { planBatches, readZones } from './pipeline.ts';
import { readBack } from './read-back.ts';
import { sendChangeRequests, waitForInsync, type GroupResult, type WaitResult } from './send-changes.ts';

export interface DnsPorts {
  route53: Route53Port;
  endpoints: EndpointSource;
  /** Operator intents (state table). Missing: every cluster ACTIVE at 100 %. */
  intents?: () => Promise<readonly ClusterIntent[]>;
  /** Single apps of single clusters at a share of their weight (per-app failover: 0 %). */
  appIntents?: () => Promise<ReadonlyArray<{ hostname: string; cluster: string; weightPercent: number }>>;
  /** Observed health per cluster. Missing: UNKNOWN (treated as healthy). */
  health?: () => Promise<Readonly<Record<string, HealthState>>>;
  clock?: Pacer;
  /** One human-readable line per step. */
  onProgress?: (line: string) => void;
}

export interface DnsInput {
  fleet: FleetConfig;
  /** Names the config in errors (e.g. the fleet.yaml path). */
  fleetFile?: string;
}

export interface DnsPlanReport {
  ownerId: string;
  policy: FleetConfig['policy'];
  zones: HostedZone[];
  endpointCount: number;
  recordsRead: number;
  desired: DesiredState;
  plan: Plan;
  requests: ChangeRequest[];
  /** Health checks to create or update (plan) / that were (sync: see healthCheckActions). */
  healthCheckSteps: HealthCheckStep[];
  /** Owned health checks no record would use any more (deleted by sync under policy `sync`). */
  unusedHealthChecks: OwnedHealthCheck[];
  /** Endpoint, desired-state, plan and batching problems, and conflicts: reported, never blocking. */
  problems: Problem[];
  /** Clusters the endpoint source could not read; their records were left as they are. */
  unreachable: string[];
}

export interface DnsSyncReport extends DnsPlanReport {
  /** The Route 53 port skipped every write (nothing was changed). */
  dryRun: boolean;
  healthCheckActions: HealthCheckAction[];
  healthCheckFailures: HealthCheckFailure[];
  groups: GroupResult[];
  requestsSent: number;
  insync: WaitResult;
  /** Once INSYNC, the sets the sent changes intended, read back: each that Route 53 does not hold (Route53Diverged). */
  diverged: string[];
  /** True when some change or health-check operation failed, a set read back differs, or a cluster could not be read (exit code 1). */
  failed: boolean;
}

export interface SyncOptions {
  insyncTimeoutMs?: number;
  insyncPollMs?: number;
  comment?: string;
}

interface Observed {
  unreachable: string[];
  zones: HostedZone[];
  actual: ActualZone[];
  owned: OwnedHealthCheck[];
  desiredInput: DesiredInput;
  /** Built with the ids the owned checks suggest (`assumedIds`): decide rebuilds it when the planned ids differ. */
  desired: DesiredState;
  assumedIds: ReadonlyMap<string, string>;
  endpointCount: number;
  problems: Problem[];
}

/** Reads everything the decision needs: zones, record sets, owned checks, endpoints, intents, health. */
async function observe(input: DnsInput, ports: DnsPorts): Promise<Observed> {
  const say = ports.onProgress ?? (() => {});
  const { fleet } = input;
  const listed = await ports.endpoints.list();
  const { endpoints } = listed;
  const problems = [...listed.problems];
  const unreachable = [...(listed.unreachable ?? [])];
  say(`endpoints: ${endpoints.length} from ${ports.endpoints.description}${problems.length ? ` (${problems.length} problem(s))` : ''}`);
  if (unreachable.length > 0) say(`clusters not read, their records are left as they are: ${unreachable.join(', ')}`);
  const { zones, actual } = await readZones(fleet, ports.route53, {
    fleetFile: input.fleetFile,
    onZone: (zone, records) => say(`zone ${zone.name} (${zone.id}): ${records} record sets`),
  });
  const owned = await listOwnedHealthChecks(ports.route53, fleet.ownerId);
  say(`health checks owned by ${fleet.ownerId}: ${owned.length}`);
  const silent = silentClusters({ clusters: fleet.clusters, endpoints, unreachable, actual, ownerId: fleet.ownerId, ownedChecks: owned });
  const held = holdSilentClusters(
    { endpoints, problems, unreachable },
    fleet.clusters.map((c) => c.name),
    new Map(silent.map((s) => [s.cluster, `Route 53 holds ${s.sets} record set(s) of it`])),
  );
  problems.splice(0, problems.length, ...held.problems);
  unreachable.splice(0, unreachable.length, ...held.unreachable);
  if (silent.length > 0) say(`clusters that published nothing, their records are left as they are: ${silent.map((s) => s.cluster).join(', ')}`);
  const intents = ports.intents ? await ports.intents() : [];
  const appIntents = ports.appIntents ? await ports.appIntents() : [];
  const health = ports.health ? await ports.health() : {};
  // The records carry their checks' ids from the start (no copy of every record set to add them).
  const desiredInput: DesiredInput = { fleet, zones, endpoints, intents, appIntents, health };
  const assumedIds = likelyHealthCheckIds(owned);
  const desired = computeDesiredState({ ...desiredInput, healthCheckIds: assumedIds });
  return { zones, actual, owned, desiredInput, desired, assumedIds, endpointCount: endpoints.length, problems, unreachable: unreachable.sort() };
}

function decide(input: DnsInput, observed: Observed, idsByKey: ReadonlyMap<string, string>) {
  const { fleet } = input;
  // Usually the checks' ids are the ones assumed; when a check is to be created or re-purposed, the records are built again with the right ids.
  const desired = idsAgree(observed.desired.healthChecks, observed.assumedIds, idsByKey)
    ? observed.desired
    : computeDesiredState({ ...observed.desiredInput, healthCheckIds: idsByKey });
  const { plan, requests, oversized } = planBatches(fleet, observed, desired, [...desired.held, ...heldForUnreachable(observed.actual, observed.unreachable)]);
  const problems = [...observed.problems, ...desired.problems, ...plan.problems, ...plan.conflicts, ...oversized];
  return { desired, plan, requests, problems };
}

/** Reads Route 53 and the endpoint source and returns what `syncDns` would do. Changes nothing. */
export async function planDns(input: DnsInput, ports: DnsPorts): Promise<DnsPlanReport> {
  const observed = await observe(input, ports);
  const steps = planHealthChecks(observed.desired.healthChecks, observed.owned);
  const idsByKey = plannedHealthCheckIds(steps);
  const decided = decide(input, observed, idsByKey);
  const applied = decided.plan.zones.flatMap((z) => z.groups.map((group) => ({ zoneId: z.zoneId, group })));
  const unused = unusedHealthChecks(input.fleet, observed, new Set(idsByKey.values()), () => healthCheckIdsAfter(observed.actual, applied));
  return planReport(input.fleet, observed, steps, decided, unused);
}

/**
 * Owned checks that no desired key maps to and no record carries; none unless policy `sync`.
 * `inUse` scans every record read, so it runs only when some owned check is not kept.
 */
function unusedHealthChecks(fleet: FleetConfig, observed: Observed, keep: ReadonlySet<string>, inUse: () => ReadonlySet<string>): OwnedHealthCheck[] {
  if (fleet.policy !== 'sync') return [];
  const notKept = observed.owned.filter((check) => !keep.has(check.id));
  if (notKept.length === 0) return [];
  const used = inUse();
  return notKept.filter((check) => !used.has(check.id));
}

function planReport(
  fleet: FleetConfig,
  observed: Observed,
  steps: readonly HealthCheckStep[],
  decided: ReturnType<typeof decide>,
  unused: OwnedHealthCheck[],
): DnsPlanReport {
  return {
    ownerId: fleet.ownerId,
    policy: fleet.policy,
    zones: observed.zones,
    endpointCount: observed.endpointCount,
    recordsRead: observed.actual.reduce((n, z) => n + z.records.length, 0),
    desired: decided.desired,
    plan: decided.plan,
    requests: decided.requests,
    healthCheckSteps: steps.filter((step) => step.kind !== 'keep'),
    unusedHealthChecks: unused,
    problems: decided.problems,
    unreachable: observed.unreachable,
  };
}

/**
 * Makes Route 53 match the desired state: health checks first (records refer to them),
 * then the change requests in order, then waits for INSYNC, then deletes owned health
 * checks that no record uses any more (policy `sync` only).
 */
export async function syncDns(input: DnsInput, ports: DnsPorts, options: SyncOptions = {}): Promise<DnsSyncReport> {
  const say = ports.onProgress ?? (() => {});
  const { fleet } = input;
  const observed = await observe(input, ports);
  const steps = planHealthChecks(observed.desired.healthChecks, observed.owned);
  const ensured = await ensureHealthChecks(ports.route53, fleet.ownerId, steps, {
    onAction: (a) => say(`health check ${a.kind}d: ${a.id} (${a.cluster} ${a.spec?.protocol} ${a.spec?.fqdn}:${a.spec?.port}${a.spec?.path ?? ''})`),
  });
  for (const failure of ensured.failures) say(`health check failed: ${failure.message}`);

  const decided = decide(input, observed, ensured.idsByKey);
  const total = decided.requests.reduce((n, r) => n + r.groups.reduce((m, g) => m + g.changes.length, 0), 0);
  say(`plan: ${total} change(s) in ${decided.requests.length} request(s)`);
  const sent = await sendChangeRequests(ports.route53, decided.requests, {
    comment: options.comment ?? `switchyard sync (${fleet.ownerId})`,
    onRequest: (p) => say(`request ${p.request}/${p.of} ${p.zoneId}: ${p.groups} name(s) ${p.outcome}`),
    onGroup: (g) => {
      if (g.status === 'failed') say(`failed ${g.group.name} in ${g.zoneId}: ${(g.messages ?? []).join('; ')}`);
    },
  });

  const insync = await waitForInsync(ports.route53, sent.pendingChangeIds, {
    clock: ports.clock,
    timeoutMs: options.insyncTimeoutMs,
    pollIntervalMs: options.insyncPollMs,
    onPoll: ({ pending, elapsedMs }) => say(`waiting for INSYNC: ${pending} change(s) pending after ${Math.round(elapsedMs / 1000)} s`),
  });

  // Every step is read back: what the sent changes intended must be what Route 53 holds.
  const landed = sent.groups.filter((g) => g.status === 'applied');
  let diverged: string[] = [];
  if (landed.length > 0 && insync.pending.length === 0) {
    const check = await readBack(ports.route53, groupExpectations(intendedBySent(landed)));
    diverged = check.differences;
    for (const d of diverged) say(`Route53Diverged: ${d}`);
  }

  const applied = sent.groups.filter((g) => g.status === 'applied' || g.status === 'dry-run');
  let inUse: ReadonlySet<string> | undefined;
  const inUseAfterApplied = () => (inUse ??= healthCheckIdsAfter(observed.actual, applied));
  const keep = new Set(ensured.idsByKey.values());
  let deleted: HealthCheckAction[] = [];
  let deleteFailures: HealthCheckFailure[] = [];
  const unused = unusedHealthChecks(fleet, observed, keep, inUseAfterApplied);
  if (unused.length > 0) {
    const result = await deleteUnusedHealthChecks(ports.route53, unused, keep, inUseAfterApplied(), {
      onAction: (a) => say(`health check deleted: ${a.id} (${a.cluster ?? 'unknown cluster'})`),
    });
    deleted = result.deleted;
    deleteFailures = result.failures;
  }

  const failures = [...ensured.failures, ...deleteFailures];
  return {
    ...planReport(fleet, observed, steps, decided, unused),
    dryRun: ports.route53.dryRun ?? false,
    healthCheckActions: [...ensured.actions, ...deleted],
    healthCheckFailures: failures,
    groups: sent.groups,
    requestsSent: sent.requestsSent,
    insync,
    diverged,
    failed:
      failures.length > 0 ||
      diverged.length > 0 ||
      observed.unreachable.length > 0 ||
      sent.groups.some((g) => g.status === 'failed' || g.status === 'not-sent'),
  };
}
