// The catalogue view (catalogueApps: desired state of every app) remembered for the last
// catalogue content seen per fleet. Every task of a drain reads the catalogue afresh (safety
// is decided on what the table holds now), but the table rarely changes between two tasks,
// and the computation costs tens of milliseconds for a thousand apps where comparing the
// content costs a few. Keyed by the endpoints' full content, so any change computes anew.
import { catalogueApps } from '../../core/catalogue.ts';
import type { FleetConfig } from '../../core/config.ts';
import type { PublishedEndpoint } from '../../core/model.ts';
import type { CatalogueApp } from '../../core/safety.ts';

interface Remembered {
  key: string;
  apps: readonly CatalogueApp[];
}

const lastByFleet = new WeakMap<FleetConfig, Remembered>();

/** catalogueApps(fleet, endpoints), frozen (it is shared by every caller that sees the same content). */
export function catalogueOf(fleet: FleetConfig, endpoints: readonly PublishedEndpoint[]): readonly CatalogueApp[] {
  const key = JSON.stringify(endpoints);
  const last = lastByFleet.get(fleet);
  if (last !== undefined && last.key === key) return last.apps;
  const apps = freezeApps(catalogueApps(fleet, endpoints));
  lastByFleet.set(fleet, { key, apps });
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
