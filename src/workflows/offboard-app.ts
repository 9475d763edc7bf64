// OffboardApp: see docs/workflows.md.
import { appChange } from './app-change.ts';

export const offboardApp = appChange({
  comment:
    'OffboardApp: a cluster withdrew a hostname: its endpoint leaves the catalogue and its record sets leave Route 53 (all of them when no cluster publishes the app any more); waits INSYNC; deletes health checks nothing uses; App Offboarded.',
  apply: 'offboardApp',
  applyComment: "Catalogue in the state table, then the app's records and health checks in Route 53.",
  cleanup: true,
  event: 'App Offboarded',
});
