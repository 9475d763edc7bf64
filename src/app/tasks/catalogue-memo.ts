// The catalogue view (catalogueApps: desired state of every app) remembered for the last
// catalogue content seen per fleet. Every task of a drain reads the catalogue afresh (safety
// is decided on what the table holds now), but the table rarely changes between two tasks,
// and the computation costs tens of milliseconds for a thousand apps where comparing the
// content costs a few. Keyed by the endpoints' full content, so any change computes anew.
// The state table hands out the same frozen endpoint objects while an entry is unchanged
// (state-table.ts): a list of exactly those objects, frozen, is the same content without
// serialising it (at 10,000 apps the serialisation alone took tens of milliseconds a read).
import { catalogueApps } from '../../core/catalogue.ts';
import type { FleetConfig } from '../../core/config.ts';
import type { PublishedEndpoint } from '../../core/model.ts';
import type { CatalogueApp } from '../../core/safety.ts';

interface Remembered {
  key: string;
  /** The endpoints last seen with this content. */
  endpoints: readonly PublishedEndpoint[];
  apps: readonly CatalogueApp[];
}

/** Frozen, annotations included (its only nested object): its content cannot have changed. */
const isFrozenEndpoint = (e: PublishedEndpoint) => Object.isFrozen(e) && (e.annotations === undefined || Object.isFrozen(e.annotations));

function sameFrozenEndpoints(a: readonly PublishedEndpoint[], b: readonly PublishedEndpoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] || !isFrozenEndpoint(a[i]!)) return false;
  return true;
}

const lastByFleet = new WeakMap<FleetConfig, Remembered>();

/** catalogueApps(fleet, endpoints), frozen (it is shared by every caller that sees the same content). */
export function catalogueOf(fleet: FleetConfig, endpoints: readonly PublishedEndpoint[]): readonly CatalogueApp[] {
  const last = lastByFleet.get(fleet);
  if (last !== undefined && sameFrozenEndpoints(last.endpoints, endpoints)) return last.apps;
  const key = JSON.stringify(endpoints);
  if (last !== undefined && last.key === key) {
    lastByFleet.set(fleet, { ...last, endpoints: [...endpoints] });
    return last.apps;
  }
  const apps = freezeApps(catalogueApps(fleet, endpoints));
  lastByFleet.set(fleet, { key, endpoints: [...endpoints], apps });
  return apps;
}

function freezeApps(apps: CatalogueApp[]): readonly CatalogueApp[] {
  for (const app of apps) {
    for (const member of app.members) Object.freeze(member);
    Object.freeze(app.members);
    Object.freeze(app);
  }
  return Object.freeze(apps);
}
