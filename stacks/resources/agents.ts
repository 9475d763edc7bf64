// The agents' roles in the stage's account (one per cluster there), and the stage bus's
// resource policy for clusters in other accounts (their roles are made there, by the
// commands the deploy prints: stacks/agents.ts, stacks/cluster-accounts.ts).
import type { DeploymentSpec } from '../deployment.ts';
import { role } from './iam.ts';
import { pascal } from './names.ts';

export function agentRoles(deployment: DeploymentSpec, bus: sst.aws.Bus): void {
  for (const agent of deployment.agentRoles.filter((a) => !a.crossAccount)) {
    role(`${pascal(agent.cluster)}AgentRole`, { name: agent.roleName, accountId: agent.accountId, trust: agent.trustPolicy, policy: agent.policy });
  }
  if (deployment.busPolicy) {
    new aws.cloudwatch.EventBusPolicy('BusPolicy', { eventBusName: deployment.busName, policy: JSON.stringify(deployment.busPolicy) }, { dependsOn: [bus] });
  }
}
