// IAM roles with one inline policy, straight from the plan (policy.ts decides what is in it).
import { trustPolicy } from '../plan.ts';
import type { PolicyDocument } from '../policy.ts';

export function role(logicalName: string, args: { name: string; service: string; accountId: string; policy: PolicyDocument }): aws.iam.Role {
  return new aws.iam.Role(logicalName, {
    name: args.name,
    assumeRolePolicy: JSON.stringify(trustPolicy(args.service, args.accountId)),
    inlinePolicies: [{ name: 'switchyard', policy: JSON.stringify(args.policy) }],
  });
}
