// What starts Switchyard: default-bus rules in every watched region forward Switchyard's
// alarm and EKS events to the app bus; the router subscribes there (and to Gateway
// events); EventBridge Scheduler (CronV2) invokes it for Reconcile.
import type { DeploymentPlan } from '../plan.ts';
import type { EventPattern } from '../triggers.ts';
import { role } from './iam.ts';
import { pascal } from './names.ts';
import { providerFor } from './providers.ts';

function busPattern(pattern: EventPattern): { source: string[]; detailType: string[]; detail?: Record<string, unknown> } {
  return { source: pattern.source, detailType: pattern['detail-type'], ...(pattern.detail ? { detail: pattern.detail } : {}) };
}

export function triggers(plan: DeploymentPlan, bus: sst.aws.Bus, router: sst.aws.Function): void {
  const forwardRole = role('ForwardRole', { name: plan.forwardRoleName, service: 'events.amazonaws.com', accountId: plan.context.accountId, policy: plan.forwardRolePolicy });
  for (const rule of plan.forwardRules) {
    const logical = `${pascal(rule.kind)}Forward${pascal(rule.region)}`;
    const provider = providerFor(rule.region, plan.context.region);
    const options = provider ? { provider } : {};
    const created = new aws.cloudwatch.EventRule(
      `${logical}Rule`,
      {
        name: rule.ruleName,
        eventBusName: 'default',
        description: `Switchyard ${plan.context.stage}: forward ${rule.kind} events to ${plan.busName}`,
        eventPattern: JSON.stringify(rule.pattern),
      },
      options,
    );
    new aws.cloudwatch.EventTarget(
      `${logical}Target`,
      { rule: created.name, eventBusName: 'default', arn: plan.busArn, roleArn: forwardRole.arn },
      { ...options, dependsOn: [bus] },
    );
  }
  for (const subscription of plan.routerSubscriptions) {
    bus.subscribe(subscription.name, router, { pattern: busPattern(subscription.pattern) });
  }
  new sst.aws.CronV2('Reconcile', { schedule: plan.schedule.expression, function: router, event: plan.schedule.event });
}
