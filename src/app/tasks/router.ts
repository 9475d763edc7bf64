// The event router: CloudWatch alarm state changes, EKS CloudTrail calls, Gateway
// Published/Withdrawn, the Reconcile schedule and the end of a lock-holding run
// (Step Functions status changes) become StartExecution calls. The
// execution name is derived from the event's content, so a duplicate delivery of the
// same event asks for the same name and Step Functions does not start it twice.
// Events that are invalid or not ours are logged by the caller and dropped (never
// thrown: EventBridge would only retry them); Step Functions errors are thrown, so
// the asynchronous invocation retries.
import { alarmNamePattern, clusterOfAlarm } from '../../core/alarm-names.ts';
import { formatZodIssues } from '../../core/config.ts';
import {
  alarmStateChangeEventSchema,
  anyEventSchema,
  eksApiCallEventSchema,
  EXECUTION_STATUS_CHANGE,
  executionStatusChangeEventSchema,
  LOCK_HOLDING_WORKFLOWS,
  RECOVERED_STATUSES,
  scheduledEventSchema,
} from '../../core/events.ts';
import { guardedUpdate } from '../../core/upgrades.ts';
import { clusterOfAgentSource, endpointsOfPublished, GATEWAY_EVENT_TYPES, isGatewayEventSource, safeParseGatewayEvent } from '../../core/gateway-events.ts';
import type { Deps, WorkflowName } from '../../core/ports.ts';
import { executionName, MAX_EXECUTION_NAME, recoverExecutionName } from './execution-names.ts';
import { clusterNames } from './view.ts';

export { executionName, MAX_EXECUTION_NAME, recoverExecutionName };

export interface StartRequest {
  workflow: WorkflowName;
  name: string;
  input: unknown;
}

export interface Routed {
  starts: StartRequest[];
  /** Why nothing is started, when nothing is. */
  ignored?: string;
  /** True when the event was refused because its sender may not speak for the cluster it names. */
  refused?: boolean;
}

/**
 * Why a Gateway event naming `cluster` is not to be trusted, or undefined when it is
 * (docs/agent.md, "Which agent may speak for which cluster"). An agent sends with source
 * `switchyard.agent.<its cluster>` — its IAM role may put events with no other source — so
 * an agent source must name the cluster the event names, and when the fleet gives that
 * cluster's account, EventBridge's `account` (the sender's account, which the sender
 * cannot choose) must be it. Source `switchyard` is the control plane's own (Reconcile,
 * an operator's `discover --watch`), which no agent role may use.
 */
export function untrustedSender(deps: Pick<Deps, 'fleet'>, source: string, account: string | undefined, cluster: string): string | undefined {
  const agentOf = clusterOfAgentSource(source);
  if (agentOf === undefined) return undefined;
  if (agentOf !== cluster)
    return `refused: an event naming cluster ${cluster} came from the agent of ${agentOf || '(no cluster)'} (source ${source}); only ${cluster}'s own agent may speak for it`;
  const expected = deps.fleet.clusters.find((c) => c.name === cluster)?.accountId;
  if (expected !== undefined && account !== expected)
    return `refused: an event from the agent of ${cluster} came from account ${account ?? '(none)'}, but ${cluster} is in account ${expected}`;
  return undefined;
}

/** What the router knows about the state machine an "Execution Status Change" names (resolved before routeEvent). */
export interface RouteContext {
  /** The stage's workflow that state machine is, or undefined when it is not one of this stage's. */
  workflowOfMachine?: WorkflowName | undefined;
}

/** The state machine ARN of a Step Functions status-change event, to resolve before routing. */
export function stateMachineOfEvent(event: unknown): string | undefined {
  const parsed = executionStatusChangeEventSchema.safeParse(event);
  return parsed.success ? parsed.data.detail.stateMachineArn : undefined;
}

/** Decides what an event starts (pure apart from reading the fleet config). */
export function routeEvent(deps: Pick<Deps, 'fleet' | 'stage'>, event: unknown, context: RouteContext = {}): Routed {
  const envelope = anyEventSchema.safeParse(event);
  if (!envelope.success) return { starts: [], ignored: `not an EventBridge event: ${formatZodIssues(envelope.error).join('; ')}` };
  const { source, 'detail-type': detailType } = envelope.data;
  const invalid = (error: import('zod').ZodError) => ({ starts: [], ignored: `invalid "${detailType}" event: ${formatZodIssues(error).join('; ')}` });

  if (source === 'aws.cloudwatch' && detailType === 'CloudWatch Alarm State Change') {
    const parsed = alarmStateChangeEventSchema.safeParse(event);
    if (!parsed.success) return invalid(parsed.error);
    const { alarmName, state } = parsed.data.detail;
    const scope = { stage: deps.stage, ownerId: deps.fleet.ownerId };
    const subject = clusterOfAlarm(scope, alarmName, clusterNames(deps));
    if (!subject)
      return { starts: [], ignored: `alarm ${alarmName} is not one of stage ${deps.stage}'s of fleet ${deps.fleet.ownerId} (${alarmNamePattern(scope)})` };
    if (state.value === 'INSUFFICIENT_DATA') return { starts: [], ignored: `alarm ${alarmName} has insufficient data` };
    return {
      starts: [
        {
          workflow: 'Failover',
          name: executionName('failover', `${subject.cluster}-${state.value}`, [alarmName, state.value, state.timestamp]),
          input: parsed.data,
        },
      ],
    };
  }

  if (source === 'aws.eks' && detailType === 'AWS API Call via CloudTrail') {
    const parsed = eksApiCallEventSchema.safeParse(event);
    if (!parsed.success) return invalid(parsed.error);
    const detail = parsed.data.detail;
    if (detail.errorCode) return { starts: [], ignored: `${detail.eventName} failed (${detail.errorCode})` };
    const name = detail.requestParameters?.name ?? detail.responseElements?.cluster?.name;
    const cluster = deps.fleet.clusters.find((c) => c.eksClusterName === name && c.region === detail.awsRegion);
    if (!cluster) return { starts: [], ignored: `EKS cluster ${name ?? '(no name)'} in ${detail.awsRegion} is not in the fleet` };
    switch (detail.eventName) {
      case 'UpdateClusterVersion':
      case 'UpdateNodegroupVersion':
      case 'UpdateNodegroupConfig': {
        const guarded = guardedUpdate(detail);
        if (!guarded.guarded) return { starts: [], ignored: guarded.reason };
        const updateId = detail.responseElements?.update?.id ?? detail.eventID;
        return { starts: [{ workflow: 'UpgradeGuard', name: executionName('upgrade', cluster.name, [cluster.name, updateId]), input: parsed.data }] };
      }
      case 'CreateCluster':
      case 'DeleteCluster':
        return {
          starts: [
            {
              workflow: 'Reconcile',
              name: executionName('reconcile', `${cluster.name}-${detail.eventName}`, [detail.eventID]),
              input: { clusters: [cluster.name] },
            },
          ],
        };
      default:
        return { starts: [], ignored: `EKS ${detail.eventName} starts nothing` };
    }
  }

  if (isGatewayEventSource(source) && (detailType === GATEWAY_EVENT_TYPES.published || detailType === GATEWAY_EVENT_TYPES.withdrawn)) {
    const parsed = safeParseGatewayEvent(event);
    if (!parsed.success) return { starts: [], ignored: `invalid "${detailType}" event: ${parsed.error}` };
    const gateway = parsed.event;
    if (!clusterNames(deps).includes(gateway.detail.cluster)) return { starts: [], ignored: `cluster ${gateway.detail.cluster} is not in the fleet` };
    const refused = untrustedSender(deps, source, envelope.data.account, gateway.detail.cluster);
    if (refused) return { starts: [], ignored: refused, refused: true };
    if (gateway.detailType === GATEWAY_EVENT_TYPES.published) {
      const endpoints = endpointsOfPublished(gateway.detail);
      return {
        starts: gateway.detail.hostnames.map((hostname) => ({
          workflow: 'OnboardApp' as const,
          name: executionName('onboard', hostname, [hostname, gateway.detail]),
          input: {
            hostname,
            endpoints: endpoints.filter((e) => e.hostname === hostname),
            by: `${gateway.detail.cluster}/${gateway.detail.kind}/${gateway.detail.gateway}`,
          },
        })),
      };
    }
    return {
      starts: gateway.detail.hostnames.map((hostname) => ({
        workflow: 'OffboardApp' as const,
        name: executionName('offboard', hostname, [hostname, gateway.detail]),
        input: { hostname, cluster: gateway.detail.cluster, by: `${gateway.detail.cluster}/${gateway.detail.kind}/${gateway.detail.gateway}` },
      })),
    };
  }

  if (source === 'aws.states' && detailType === EXECUTION_STATUS_CHANGE) {
    const parsed = executionStatusChangeEventSchema.safeParse(event);
    if (!parsed.success) return invalid(parsed.error);
    const { executionArn, stateMachineArn, status } = parsed.data.detail;
    const workflow = context.workflowOfMachine;
    if (workflow === undefined) return { starts: [], ignored: `state machine ${stateMachineArn} is not one of stage ${deps.stage}'s` };
    if (!(LOCK_HOLDING_WORKFLOWS as readonly string[]).includes(workflow))
      return { starts: [], ignored: `${workflow} runs hold no lock across states: nothing to recover` };
    if (!(RECOVERED_STATUSES as readonly string[]).includes(status)) return { starts: [], ignored: `${workflow} execution is ${status}: nothing to recover` };
    return { starts: [{ workflow: 'RecoverOperation', name: recoverExecutionName(executionArn), input: { executionArn } }] };
  }

  if (source === 'aws.events' && detailType === 'Scheduled Event') {
    const parsed = scheduledEventSchema.safeParse(event);
    if (!parsed.success) return invalid(parsed.error);
    return { starts: [{ workflow: 'Reconcile', name: executionName('reconcile', 'scheduled', [parsed.data.time, parsed.data.resources ?? []]), input: {} }] };
  }

  return { starts: [], ignored: `no workflow for source "${source}", detail-type "${detailType}"` };
}

export interface RouterResult {
  started: Array<{ workflow: WorkflowName; name: string; executionArn: string; duplicate: boolean }>;
  ignored: string | null;
  /** The event named a cluster its sender may not speak for (logged with the result). */
  refused?: true;
}

export const router =
  (deps: Deps) =>
  async (event: unknown): Promise<RouterResult> => {
    const machine = stateMachineOfEvent(event);
    const routed = routeEvent(deps, event, machine === undefined ? {} : { workflowOfMachine: await deps.workflows.workflowOf(machine) });
    const started: RouterResult['started'] = [];
    for (const start of routed.starts) {
      const execution = await deps.workflows.start(start.workflow, start.name, start.input);
      started.push({ workflow: start.workflow, name: start.name, executionArn: execution.executionArn, duplicate: !execution.started });
    }
    return { started, ignored: routed.ignored ?? null, ...(routed.refused ? { refused: true as const } : {}) };
  };
