// What the deploy prints besides the resources (SST outputs, docs/deploy.md): for each
// cluster, the pod-identity association of its agent (and the IRSA annotation when the
// fleet gives its OIDC issuer); for each other account, the commands that create its
// agent roles and EKS forwarding there; with edge clusters, the upstream alarms (region and
// name per workload cluster); where notifications go and what production keeps. Pure.
import type { DeploymentSpec } from './deployment.ts';

export function deployInfo(deployment: DeploymentSpec) {
  return {
    agentRoles: Object.fromEntries(deployment.agentRoles.map((a) => [a.cluster, a.roleArn])),
    podIdentityAssociations: deployment.agentRoles.map((a) => a.podIdentityCommand),
    ...(deployment.agentRoles.some((a) => a.irsaAnnotation)
      ? { irsaAnnotations: Object.fromEntries(deployment.agentRoles.flatMap((a) => (a.irsaAnnotation ? [[a.cluster, a.irsaAnnotation]] : []))) }
      : {}),
    ...(deployment.clusterAccounts.length > 0
      ? {
          clusterAccountCommands: Object.fromEntries(
            deployment.clusterAccounts.map((setup) => [
              setup.accountId,
              [...deployment.agentRoles.filter((a) => a.accountId === setup.accountId).flatMap((a) => a.setupCommands), ...setup.commands],
            ]),
          ),
        }
      : {}),
    ...(deployment.upstreamAlarms.length > 0
      ? { upstreamAlarms: Object.fromEntries(deployment.upstreamAlarms.map((a) => [a.cluster, `${a.region}/${a.alarmName}`])) }
      : {}),
    notifications: { topic: deployment.monitoring.topicArn, emails: deployment.monitoring.emails, dashboard: deployment.monitoring.dashboardName },
    retainedOnRemove: deployment.retained,
  };
}
