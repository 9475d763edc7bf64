// What the deploy prints besides the resources (SST outputs, docs/deploy.md): for each
// cluster, the pod-identity association of its agent (and the IRSA annotation when the
// fleet gives its OIDC issuer); for each other account, the commands that create its
// agent roles and EKS forwarding there; with edge clusters, the upstream alarms (region and
// name per workload cluster); where notifications go and what production keeps. Pure.
import type { DeploymentSpec } from './deployment.ts';

export function deployInfo(plan: DeploymentSpec) {
  return {
    agentRoles: Object.fromEntries(plan.agentRoles.map((a) => [a.cluster, a.roleArn])),
    podIdentityAssociations: plan.agentRoles.map((a) => a.podIdentityCommand),
    ...(plan.agentRoles.some((a) => a.irsaAnnotation)
      ? { irsaAnnotations: Object.fromEntries(plan.agentRoles.flatMap((a) => (a.irsaAnnotation ? [[a.cluster, a.irsaAnnotation]] : []))) }
      : {}),
    ...(plan.clusterAccounts.length > 0
      ? {
          clusterAccountCommands: Object.fromEntries(
            plan.clusterAccounts.map((setup) => [
              setup.accountId,
              [...plan.agentRoles.filter((a) => a.accountId === setup.accountId).flatMap((a) => a.setupCommands), ...setup.commands],
            ]),
          ),
        }
      : {}),
    ...(plan.upstreamAlarms.length > 0
      ? { upstreamAlarms: Object.fromEntries(plan.upstreamAlarms.map((a) => [a.cluster, `${a.region}/${a.alarmName}`])) }
      : {}),
    notifications: { topic: plan.monitoring.topicArn, emails: plan.monitoring.emails, dashboard: plan.monitoring.dashboardName },
    retainedOnRemove: plan.retained,
  };
}
