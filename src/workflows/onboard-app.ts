// OnboardApp: see docs/workflows.md.
import { appChange } from './app-change.ts';

export const onboardApp = appChange({
  comment:
    "OnboardApp: a Gateway published a hostname from one or more clusters: the app catalogue takes the endpoints, Route 53 gets the records (weights from intents and failover) and each cluster's health check; waits INSYNC; App Onboarded.",
  apply: 'onboardApp',
  applyComment: "Catalogue in the state table, then the app's records and health checks in Route 53.",
  event: 'App Onboarded',
});
