// Reconcile: see docs/workflows.md.
import { appChange } from './app-change.ts';

export const reconcile = appChange({
  comment:
    'Reconcile: discovery (when configured) refreshes the catalogue — unreachable clusters keep their entries — then every owned record converges to desired(intent, catalogue, failover); waits INSYNC; deletes unused health checks; Records Changed when anything changed.',
  apply: 'reconcile',
  applyComment:
    'Takes the fleet lock (retried while a sync or another Reconcile holds it), re-reads the alarm states, then the catalogue in the state table and every owned record and health check in Route 53.',
  waitsForFleetLock: true,
  cleanup: true,
  event: 'Records Changed',
});
