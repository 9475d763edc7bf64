// Clusters in other accounts (docs/deploy.md, "Clusters in other accounts"). Their EKS
// calls reach EventBridge in their own account, and their agents' roles live there too;
// a deploy has no credentials in those accounts, so it prints what to run there (a rule
// per region forwarding the fleet's EKS calls to the stage bus, with a role allowed only
// that) and itself creates the stage bus's resource policy letting exactly those roles in.
// Pure.
import type { FleetConfig } from '../src/core/config.ts';
import { trustPolicy } from './deployment.ts';
import type { AgentContext, AgentRole, PrincipalStatement } from './agents.ts';
import { resourceName } from './naming.ts';
import { policyDocument } from './iam-grants.ts';
import { eksPattern } from '../src/core/triggers.ts';

export interface ClusterAccountSetup {
  accountId: string;
  /** The role the forwarding rules use in that account. */
  forwardRoleName: string;
  forwardRoleArn: string;
  ruleName: string;
  regions: string[];
  /** What to run with that account's credentials, in order. */
  commands: string[];
}

export interface BusPolicy {
  Version: '2012-10-17';
  Statement: PrincipalStatement[];
}

const json = (value: unknown): string => `'${JSON.stringify(value)}'`;

export function clusterAccountSetups(ctx: AgentContext, fleet: FleetConfig): ClusterAccountSetup[] {
  const accounts = [...new Set(fleet.clusters.flatMap((c) => (c.accountId !== undefined && c.accountId !== ctx.accountId ? [c.accountId] : [])))].sort();
  const forwardRoleName = resourceName(ctx.app, ctx.stage, 'eks-forward', 'role');
  const ruleName = resourceName(ctx.app, ctx.stage, 'eks', 'rule');
  return accounts.map((accountId) => {
    const clusters = fleet.clusters.filter((c) => c.accountId === accountId);
    const regions = [...new Set(clusters.map((c) => c.region))].sort();
    const forwardRoleArn = `arn:${ctx.partition}:iam::${accountId}:role/${forwardRoleName}`;
    const rolePolicy = policyDocument([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [ctx.busArn] }]);
    const commands = [
      `aws iam create-role --role-name ${forwardRoleName} --assume-role-policy-document ${json(trustPolicy('events.amazonaws.com', accountId))}`,
      `aws iam put-role-policy --role-name ${forwardRoleName} --policy-name switchyard --policy-document ${json(rolePolicy)}`,
      ...regions.flatMap((region) => {
        const pattern = eksPattern(clusters.filter((c) => c.region === region).map((c) => c.eksClusterName));
        return [
          `aws events put-rule --region ${region} --name ${ruleName} --event-pattern ${json(pattern)}`,
          `aws events put-targets --region ${region} --rule ${ruleName} --targets Id=switchyard,Arn=${ctx.busArn},RoleArn=${forwardRoleArn}`,
        ];
      }),
    ];
    return { accountId, forwardRoleName, forwardRoleArn, ruleName, regions, commands };
  });
}

/**
 * The stage bus's resource policy, or undefined when every cluster is in the stage's
 * account. Each other account may put events only through its forwarding role, and its
 * agent roles only with their own cluster's source.
 */
export function busPolicy(ctx: AgentContext, agents: readonly AgentRole[], setups: readonly ClusterAccountSetup[]): BusPolicy | undefined {
  const statements: PrincipalStatement[] = [];
  for (const setup of setups) {
    statements.push({
      Sid: `EksForward${setup.accountId}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:${ctx.partition}:iam::${setup.accountId}:root` },
      Action: 'events:PutEvents',
      Resource: ctx.busArn,
      Condition: { ArnEquals: { 'aws:PrincipalArn': setup.forwardRoleArn } },
    });
  }
  for (const agent of agents.filter((a) => a.crossAccount)) {
    statements.push({
      Sid: `Agent${agent.cluster.replace(/[^A-Za-z0-9]/g, '')}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:${ctx.partition}:iam::${agent.accountId}:root` },
      Action: 'events:PutEvents',
      Resource: ctx.busArn,
      Condition: { ArnEquals: { 'aws:PrincipalArn': agent.roleArn }, StringEquals: { 'events:source': agent.source } },
    });
  }
  return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
}
