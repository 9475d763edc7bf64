// The in-cluster agents' side of the deploy (docs/deploy.md, "Agents"): one IAM role per
// cluster that may only put that cluster's Gateway events on the stage bus, trusted by
// EKS Pod Identity (and IRSA when the fleet gives the cluster's OIDC issuer), and the
// command that associates it with the agent's service account; an edge cluster's role may
// also publish the edges' canary metric (stacks/upstream.ts). A cluster in another
// account gets its role there: the deploy cannot create it, so it prints the commands and
// lets that account in through the bus's resource policy. Pure.
import type { ClusterConfig, FleetConfig } from '../src/core/config.ts';
import { agentSource } from '../src/core/gateway-events.ts';
import { resourceName } from './naming.ts';
import { policyDocument, type PolicyDocument } from './iam-grants.ts';
import { edgeAgentStatements, type UpstreamSpec } from './upstream.ts';

/** Where deploy/agent/base runs the agent (test/deploy/operations-spec.test.ts holds the manifests to these). */
export const AGENT_NAMESPACE = 'switchyard-system';
export const AGENT_SERVICE_ACCOUNT = 'switchyard-agent';
export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';

export interface AgentContext {
  app: string;
  stage: string;
  partition: string;
  /** The stage's account (where the bus is). */
  accountId: string;
  busArn: string;
}

/** A trust or resource policy statement (principals of any kind, conditions of any operator). */
export interface PrincipalStatement {
  Sid?: string;
  Effect: 'Allow';
  Principal: Record<string, string>;
  Action: string | string[];
  Resource?: string;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface AgentRole {
  cluster: string;
  eksClusterName: string;
  region: string;
  /** The cluster's account: the role lives there. */
  accountId: string;
  /** True when that is not the stage's account: the role is created there by hand (commands below). */
  crossAccount: boolean;
  roleName: string;
  roleArn: string;
  /** The only source the role may put events with. */
  source: string;
  trustPolicy: { Version: '2012-10-17'; Statement: PrincipalStatement[] };
  policy: PolicyDocument;
  podIdentityCommand: string;
  /** With an OIDC issuer: the service-account annotation for IRSA. */
  irsaAnnotation?: string;
  /** For a role in another account: the commands that create it there. */
  setupCommands: string[];
}

/** `https://oidc.eks.<region>.amazonaws.com/id/<id>` → the IAM OIDC provider's name (no scheme). */
export function oidcProviderName(issuer: string): string {
  return issuer.replace(/^https:\/\//, '').replace(/\/$/, '');
}

function trustFor(ctx: AgentContext, cluster: ClusterConfig, accountId: string): AgentRole['trustPolicy'] {
  const clusterArn = `arn:${ctx.partition}:eks:${cluster.region}:${accountId}:cluster/${cluster.eksClusterName}`;
  const statements: PrincipalStatement[] = [
    {
      Sid: 'EksPodIdentity',
      Effect: 'Allow',
      Principal: { Service: POD_IDENTITY_SERVICE },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      // Pod Identity's session tags: only this cluster's agent service account.
      Condition: {
        StringEquals: {
          'aws:SourceAccount': accountId,
          'aws:RequestTag/eks-cluster-arn': clusterArn,
          'aws:RequestTag/kubernetes-namespace': AGENT_NAMESPACE,
          'aws:RequestTag/kubernetes-service-account': AGENT_SERVICE_ACCOUNT,
        },
      },
    },
  ];
  if (cluster.oidcIssuer !== undefined) {
    const provider = oidcProviderName(cluster.oidcIssuer);
    statements.push({
      Sid: 'Irsa',
      Effect: 'Allow',
      Principal: { Federated: `arn:${ctx.partition}:iam::${accountId}:oidc-provider/${provider}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${provider}:sub`]: `system:serviceaccount:${AGENT_NAMESPACE}:${AGENT_SERVICE_ACCOUNT}`,
          [`${provider}:aud`]: 'sts.amazonaws.com',
        },
      },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

const json = (value: unknown): string => `'${JSON.stringify(value)}'`;

export function agentRoles(ctx: AgentContext, fleet: FleetConfig, upstream?: UpstreamSpec): AgentRole[] {
  return fleet.clusters.map((cluster) => {
    const accountId = cluster.accountId ?? ctx.accountId;
    const crossAccount = accountId !== ctx.accountId;
    const roleName = resourceName(ctx.app, ctx.stage, `agent-${cluster.name}`, 'role');
    const roleArn = `arn:${ctx.partition}:iam::${accountId}:role/${roleName}`;
    const source = agentSource(cluster.name);
    const trustPolicy = trustFor(ctx, cluster, accountId);
    // Only this cluster's source: an agent cannot speak for another cluster, nor as `switchyard`.
    const policy = policyDocument([
      { Effect: 'Allow', Action: ['events:PutEvents'], Resource: [ctx.busArn], Condition: { StringEquals: { 'events:source': [source] } } },
      ...edgeAgentStatements(cluster, upstream),
    ]);
    const podIdentityCommand =
      `aws eks create-pod-identity-association --region ${cluster.region} --cluster-name ${cluster.eksClusterName} ` +
      `--namespace ${AGENT_NAMESPACE} --service-account ${AGENT_SERVICE_ACCOUNT} --role-arn ${roleArn}`;
    const setupCommands = crossAccount
      ? [
          `aws iam create-role --role-name ${roleName} --assume-role-policy-document ${json(trustPolicy)}`,
          `aws iam put-role-policy --role-name ${roleName} --policy-name switchyard --policy-document ${json(policy)}`,
        ]
      : [];
    return {
      cluster: cluster.name,
      eksClusterName: cluster.eksClusterName,
      region: cluster.region,
      accountId,
      crossAccount,
      roleName,
      roleArn,
      source,
      trustPolicy,
      policy,
      podIdentityCommand,
      ...(cluster.oidcIssuer !== undefined ? { irsaAnnotation: `eks.amazonaws.com/role-arn: ${roleArn}` } : {}),
      setupCommands,
    };
  });
}
