// The event rules the deploy creates on AWS (src/core/triggers.ts, stacks/deployment.ts), put on
// the local bus: alarm state changes, EKS calls and the local Step Functions' status
// changes arrive on the default bus (where AWS services deliver them) and are forwarded to
// the app's bus; there the router function subscribes to alarms, EKS calls, Gateway events
// and stopped/failed runs of the lock-holding workflows, and a schedule on the default bus
// invokes it for Reconcile. When the router is not (yet) among the handlers, the rules
// start the workflows directly where a workflow takes the event as its input.
import type { FleetConfig } from '../../core/config.ts';
import { alarmPrefix } from '../../core/alarm-names.ts';
import { LOCK_HOLDING_WORKFLOWS } from '../../core/events.ts';
import { alarmPattern, DEFAULT_RECONCILE_SCHEDULE, eksPattern, executionsPattern, gatewayPattern, type EventPattern } from '../../core/triggers.ts';
import { DEFAULT_BUS, type LocalEventBus } from '@switchyard/local-aws/eventbridge';
import type { LocalNames } from './names.ts';

export const ROUTER = 'router';
/** One target per rule, always this id, so a restart replaces it instead of adding one. */
const TARGET_ID = 'switchyard';

export interface TriggerRoute {
  rule: string;
  bus: string;
  pattern?: EventPattern;
  schedule?: string;
  /** What the rule invokes: `function:<name>` or `workflow:<Name>`; undefined = nothing can take it. */
  target?: string;
}

export interface TriggerInput {
  fleet: FleetConfig;
  names: LocalNames;
  /** In-process handler names. */
  functions: readonly string[];
  /** Deployed workflow names. */
  workflows: readonly string[];
  reconcileSchedule?: string;
}

/** Stopped, timed-out and failed runs of the deployed lock-holding workflows, when RecoverOperation is deployed too. */
function executionsPatternOf(names: LocalNames, workflows: readonly string[]): EventPattern | undefined {
  const lockHolding = LOCK_HOLDING_WORKFLOWS.filter((w) => workflows.includes(w)).map((w) => names.stateMachineArn(w));
  return lockHolding.length > 0 && workflows.includes('RecoverOperation') ? executionsPattern(lockHolding) : undefined;
}

/** Where each kind of event goes: the router when there is one, else the workflow that takes the raw event. */
export function triggerRoutes(input: TriggerInput): TriggerRoute[] {
  const { fleet, names } = input;
  const router = input.functions.includes(ROUTER);
  const direct = (workflow: string) => (input.workflows.includes(workflow) ? `workflow:${workflow}` : undefined);
  const via = (fallback: string | undefined) => (router ? `function:${ROUTER}` : fallback);
  const executions = executionsPatternOf(names, input.workflows);
  return [
    {
      rule: names.rule('alarms'),
      bus: names.bus,
      pattern: alarmPattern(alarmPrefix({ stage: names.stage, ownerId: fleet.ownerId })),
      target: via(direct('Failover')),
    },
    { rule: names.rule('eks'), bus: names.bus, pattern: eksPattern(fleet.clusters.map((c) => c.eksClusterName)), target: via(direct('UpgradeGuard')) },
    // Gateway events carry one resource's hostnames; only the router turns them into OnboardApp/OffboardApp inputs.
    { rule: names.rule('gateways'), bus: names.bus, pattern: gatewayPattern(), target: via(undefined) },
    // A status change names the run; only the router turns it into RecoverOperation's input.
    ...(executions ? [{ rule: names.rule('executions'), bus: names.bus, pattern: executions, target: via(undefined) }] : []),
    { rule: names.rule('reconcile'), bus: DEFAULT_BUS, schedule: input.reconcileSchedule ?? DEFAULT_RECONCILE_SCHEDULE, target: via(undefined) },
  ];
}

/** The default bus's forwarding rules: AWS service events of the fleet go on to the app bus. */
function forwardRoutes(fleet: FleetConfig, names: LocalNames, workflows: readonly string[]): Array<{ rule: string; pattern: EventPattern }> {
  const executions = executionsPatternOf(names, workflows);
  return [
    { rule: names.rule('forward-alarms'), pattern: alarmPattern(alarmPrefix({ stage: names.stage, ownerId: fleet.ownerId })) },
    { rule: names.rule('forward-eks'), pattern: eksPattern(fleet.clusters.map((c) => c.eksClusterName)) },
    ...(executions ? [{ rule: names.rule('forward-executions'), pattern: executions }] : []),
  ];
}

/**
 * Puts every rule and target on the bus (idempotent: a restart replaces them). Returns the
 * routes, with `target` undefined where nothing could take the events (those rules are
 * created without a target, so the events still show in the recent-event log).
 */
export function installTriggers(bus: LocalEventBus, input: TriggerInput): TriggerRoute[] {
  const { names } = input;
  if (!bus.listEventBuses().some((b) => b.Name === names.bus)) bus.createEventBus(names.bus);
  const appBusArn = bus.busArn(names.bus);
  // Cross-bus delivery keeps the event as the AWS service sent it.
  bus.registerTarget(appBusArn, (_input, event) => {
    bus.injectEvent(
      { source: event.source, detailType: event['detail-type'], detail: event.detail, resources: event.resources, time: new Date(event.time) },
      names.bus,
    );
  });
  for (const forward of forwardRoutes(input.fleet, names, input.workflows)) {
    bus.putRule({
      Name: forward.rule,
      EventBusName: DEFAULT_BUS,
      EventPattern: JSON.stringify(forward.pattern),
      Description: "forwards the fleet's AWS events to the app bus",
    });
    bus.putTargets({ Rule: forward.rule, EventBusName: DEFAULT_BUS, Targets: [{ Id: TARGET_ID, Arn: appBusArn }] });
  }
  const routes = triggerRoutes(input);
  for (const route of routes) {
    bus.putRule({
      Name: route.rule,
      EventBusName: route.bus,
      ...(route.pattern ? { EventPattern: JSON.stringify(route.pattern) } : {}),
      ...(route.schedule ? { ScheduleExpression: route.schedule } : {}),
    });
    const existing = bus.listTargetsByRule({ Rule: route.rule, EventBusName: route.bus });
    if (route.target === undefined) {
      if (existing.length > 0) bus.removeTargets({ Rule: route.rule, EventBusName: route.bus, Ids: existing.map((t) => t.Id) });
      continue;
    }
    const [kind, name] = route.target.split(':') as [string, string];
    const arn = kind === 'function' ? names.functionArn(name) : names.stateMachineArn(name);
    bus.putTargets({ Rule: route.rule, EventBusName: route.bus, Targets: [{ Id: TARGET_ID, Arn: arn }] });
  }
  return routes;
}
