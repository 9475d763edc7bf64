// IAM roles with one inline policy, straight from the deployment spec (iam-grants.ts decides what is in it).
import { trustPolicy } from '../deployment.ts';
import type { PolicyDocument } from '../iam-grants.ts';

/** A role assumed by one AWS service of this account, or with the deployment spec's own trust policy (agents). */
export function role(
  logicalName: string,
  args: { name: string; accountId: string; policy: PolicyDocument } & ({ service: string } | { trust: object }),
): aws.iam.Role {
  return new aws.iam.Role(logicalName, {
    name: args.name,
    assumeRolePolicy: JSON.stringify('trust' in args ? args.trust : trustPolicy(args.service, args.accountId)),
    inlinePolicies: [{ name: 'switchyard', policy: JSON.stringify(args.policy) }],
  });
}
