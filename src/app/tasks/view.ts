// What several tasks read and build: the fleet document with the catalogue, DNS
// requests with effective weights, journal entries, and the error a Catch passed on.
import { MAX_LISTED } from '../../core/bounded.ts';
import * as z from 'zod';
import { appsOfCluster } from '../../core/catalogue.ts';
import { journalId, type OperationSpec } from '../../core/operation-spec.ts';
import { appsTakenOut, effectiveIntents, type FleetState } from '../../core/fleet-document.ts';
import type { PublishedEndpoint } from '../../core/model.ts';
import type { CatalogueApp } from '../../core/safety.ts';
import type { AppEntry, JournalEntry } from '../../core/ports.ts';
import { catalogueOf } from './catalogue-memo.ts';
import type { Deps, DnsApplyRequest } from '../../core/ports.ts';

/** The app catalogue as the state table holds it, with every app's desired members. */
export interface CatalogueView {
  entries: AppEntry[];
  endpoints: PublishedEndpoint[];
  catalogue: readonly CatalogueApp[];
}

export interface FleetView extends CatalogueView {
  state: FleetState;
}

/** The catalogue alone, for a task that reads the fleet document in its own compare-and-set write. */
export async function readCatalogue(deps: Pick<Deps, 'table' | 'fleet'>): Promise<CatalogueView> {
  const entries = await deps.table.listApps();
  const endpoints = entries.flatMap((e) => e.endpoints);
  // Read afresh every time; only the computation over an unchanged catalogue is remembered.
  return { entries, endpoints, catalogue: catalogueOf(deps.fleet, endpoints) };
}

export async function readView(deps: Pick<Deps, 'table' | 'fleet'>): Promise<FleetView> {
  const [state, catalogue] = await Promise.all([deps.table.readFleet(), readCatalogue(deps)]);
  return { state, ...catalogue };
}

export function clusterNames(deps: Pick<Deps, 'fleet'>): string[] {
  return deps.fleet.clusters.map((c) => c.name);
}

export function appsServedBy(view: Pick<CatalogueView, 'catalogue'>, cluster: string): string[] {
  return appsOfCluster(view.catalogue, cluster);
}

/**
 * A DNS request for the apps a cluster serves, restricted to the cluster's own record
 * sets, with the weights of `state` (or the cluster at `override` percent).
 */
export function clusterDnsRequest(
  deps: Pick<Deps, 'fleet'>,
  state: FleetState,
  view: FleetView,
  cluster: string,
  options: { override?: number; reason: string; dryRun?: boolean },
): DnsApplyRequest {
  // Desired state reads DRAINED as 0 % whatever the percent: an override above 0 is a restore under way.
  const intents = effectiveIntents(state, clusterNames(deps)).map((i) =>
    i.cluster === cluster && options.override !== undefined
      ? { ...i, state: options.override > 0 && i.state === 'DRAINED' ? ('RESTORING' as const) : i.state, weightPercent: options.override }
      : i,
  );
  return {
    hostnames: appsServedBy(view, cluster),
    endpoints: view.endpoints,
    intents,
    appsOut: appsTakenOut(state),
    onlyCluster: cluster,
    reason: options.reason,
    ...(options.dryRun ? { dryRun: true } : {}),
  };
}

/** A DNS request for whole apps (onboard, offboard, reconcile: every cluster's sets). */
export function appsDnsRequest(
  deps: Pick<Deps, 'fleet'>,
  state: FleetState,
  endpoints: PublishedEndpoint[],
  hostnames: string[] | undefined,
  reason: string,
): DnsApplyRequest {
  return {
    ...(hostnames === undefined ? {} : { hostnames }),
    endpoints,
    intents: effectiveIntents(state, clusterNames(deps)),
    appsOut: appsTakenOut(state),
    reason,
  };
}

/**
 * At most this many apps' records in one journal entry: DynamoDB's item limit is 400 KB,
 * and a step of a 3,000-app cluster listing every app's before and after passes it (the
 * step, and its rollback's journal entry, then failed).
 */
export const MAX_JOURNAL_APPS = MAX_LISTED;

export async function journal(
  deps: Pick<Deps, 'table' | 'clock'>,
  plan: Pick<OperationSpec, 'journalPrefix' | 'by' | 'executionArn' | 'cluster'> & { operation: string },
  label: string,
  entry: Omit<JournalEntry, 'id' | 'at' | 'by' | 'operation' | 'executionArn' | 'cluster'> & { cluster?: string },
): Promise<void> {
  await deps.table.appendJournal({
    id: journalId(plan, label),
    at: deps.clock.now().toISOString(),
    by: plan.by,
    operation: plan.operation,
    executionArn: plan.executionArn,
    cluster: plan.cluster,
    ...entry,
  });
}

/** What a Catch with `ResultPath: "$.error"` hands on. */
export const caughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });
export type CaughtError = z.infer<typeof caughtErrorSchema>;

/** The error's message: Lambda's error document carries it as `errorMessage`. */
export function reasonOf(error: CaughtError): string {
  if (error.Cause === undefined || error.Cause === '') return error.Error;
  try {
    const document = JSON.parse(error.Cause) as { errorMessage?: unknown };
    if (typeof document.errorMessage === 'string') return document.errorMessage;
  } catch {
    // Not a Lambda error document (e.g. States.Timeout): the cause is the text.
  }
  return error.Cause;
}
