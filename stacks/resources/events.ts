// What starts Switchyard: default-bus rules in every watched region forward Switchyard's
// alarm and EKS events to the app bus; there the router's rules (alarms, EKS calls,
// Gateway events) invoke it, with retries and the dead-letter queue; EventBridge
// Scheduler (CronV2) invokes it for Reconcile.
import type { DeploymentSpec } from '../deployment.ts';
import { role } from './iam.ts';
import { pascal } from './names.ts';
import { providerFor } from './providers.ts';

export function triggers(deployment: DeploymentSpec, bus: sst.aws.Bus, router: sst.aws.Function, deadLetters: aws.sqs.Queue): void {
  const forwardRole = role('ForwardRole', {
    name: deployment.forwardRoleName,
    service: 'events.amazonaws.com',
    accountId: deployment.context.accountId,
    policy: deployment.forwardRolePolicy,
  });
  for (const rule of deployment.forwardRules) {
    const logical = `${pascal(rule.kind)}Forward${pascal(rule.region)}`;
    const provider = providerFor(rule.region, deployment.context.region);
    const options = provider ? { provider } : {};
    const created = new aws.cloudwatch.EventRule(
      `${logical}Rule`,
      {
        name: rule.ruleName,
        eventBusName: 'default',
        description: `Switchyard ${deployment.context.stage}: forward ${rule.kind} events to ${deployment.busName}`,
        eventPattern: JSON.stringify(rule.pattern),
      },
      options,
    );
    new aws.cloudwatch.EventTarget(
      `${logical}Target`,
      { rule: created.name, eventBusName: 'default', arn: deployment.busArn, roleArn: forwardRole.arn },
      { ...options, dependsOn: [bus] },
    );
  }
  for (const subscription of deployment.routerSubscriptions) {
    const logical = `Router${pascal(subscription.name)}`;
    const rule = new aws.cloudwatch.EventRule(
      `${logical}Rule`,
      {
        name: subscription.ruleName,
        eventBusName: deployment.busName,
        description: `Switchyard ${deployment.context.stage}: ${subscription.name} to the router`,
        eventPattern: JSON.stringify(subscription.pattern),
      },
      { dependsOn: [bus] },
    );
    new aws.lambda.Permission(`${logical}Permission`, {
      action: 'lambda:InvokeFunction',
      function: router.name,
      principal: 'events.amazonaws.com',
      sourceArn: rule.arn,
    });
    new aws.cloudwatch.EventTarget(`${logical}Target`, {
      rule: rule.name,
      eventBusName: deployment.busName,
      arn: router.arn,
      retryPolicy: {
        maximumEventAgeInSeconds: deployment.deadLetter.eventRetry.maximumEventAgeSeconds,
        maximumRetryAttempts: deployment.deadLetter.eventRetry.maximumRetryAttempts,
      },
      deadLetterConfig: { arn: deadLetters.arn },
    });
  }
  new sst.aws.CronV2('Reconcile', { schedule: deployment.schedule.expression, function: router, event: deployment.schedule.event });
}
