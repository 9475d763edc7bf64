// `--wait`: follows an execution through its history and prints one line per thing an
// operator cares about (lock, each step's weights, INSYNC, bake, health gate, rollback),
// then its end. Works the same against AWS and the local runtime (same API).
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { describeExecution, executionHistory, type ExecutionView } from '../../aws/sfn.ts';
import { opsIo } from './context.ts';

function parse(text: string | undefined): Record<string, unknown> {
  try {
    return (JSON.parse(text ?? '{}') ?? {}) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Lambda's error document carries the message as `errorMessage`. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  const document = parse(cause);
  return typeof document['errorMessage'] === 'string' ? document['errorMessage'] : cause;
}

/** What one history event means to an operator, or undefined to stay quiet. */
export function describeEvent(event: HistoryEvent, state: { current?: string }): string | undefined {
  const entered = event.stateEnteredEventDetails;
  if (entered?.name) {
    state.current = entered.name;
    const input = parse(entered.input);
    const op = (input['op'] ?? {}) as Record<string, unknown>;
    switch (entered.name) {
      case 'AcquireLock':
        return `taking the lock on ${String(op['cluster'] ?? 'the cluster')}`;
      case 'Bake':
      case 'RestoreBake':
        return `waiting ${String(op['waitSeconds'] ?? '?')} s (record TTL + bake), health gate every ${String(op['watchSeconds'] ?? '?')} s`;
      case 'WaitForUpdate':
        return undefined;
      case 'Rollback':
        return `rolling back: ${String((input['error'] as { Error?: string } | undefined)?.Error ?? 'failure')}: ${causeMessage((input['error'] as { Cause?: string } | undefined)?.Cause)}`;
      case 'HoldDown':
        return `holding down ${String((input['decision'] as { holdDownSeconds?: number } | undefined)?.holdDownSeconds ?? '?')} s before failing back`;
      default:
        return undefined;
    }
  }
  const succeeded = event.taskSucceededEventDetails?.output;
  if (succeeded !== undefined) {
    const payload = (parse(succeeded)['Payload'] ?? {}) as Record<string, unknown>;
    switch (state.current) {
      case 'Prepare':
        return payload['op'] ? `plan: ${describePlan(payload['op'] as Record<string, unknown>)}` : undefined;
      case 'AcquireLock':
        return `lock taken (fencing token ${String(payload['token'])})`;
      case 'ApplyWeights':
      case 'RestoreApplyWeights':
        return `weights set: ${String(payload['weightPercentBefore'])}% -> ${String(payload['weightPercentAfter'])}% of normal (${String(payload['changeCount'])} record change(s))`;
      case 'CheckSync':
      case 'RestoreCheckSync':
        return payload['insync'] ? 'Route 53 reports INSYNC' : undefined;
      case 'HealthGate':
      case 'RestoreHealthGate':
      case 'HealthGateBeforeRestore': {
        // A step's bake gates every watchSeconds: one line when the bake is over.
        const bake = payload['bake'] as { done?: boolean; elapsedSeconds?: number } | undefined;
        if (bake && bake.done === false) return undefined;
        return bake?.elapsedSeconds ? `health gate passed (watched for ${bake.elapsedSeconds} s)` : 'health gate passed';
      }
      case 'DescribeUpdate':
        return `EKS update: ${String(payload['status'])}`;
      default:
        return undefined;
    }
  }
  return undefined;
}

function describePlan(op: Record<string, unknown>): string {
  const steps = [...((op['drainSteps'] as number[]) ?? []), ...((op['restoreSteps'] as number[]) ?? [])];
  if (op['noop']) return `nothing to do (${String(op['cluster'])} is at ${String(op['weightPercentBefore'])}%)`;
  return `${String(op['operation'])} ${String(op['cluster'])} from ${String(op['weightPercentBefore'])}% in steps ${steps.join(' -> ')}%, ${String(op['waitSeconds'])} s after each`;
}

export interface FollowOptions {
  pollMs?: number;
  /** One line per event worth telling. */
  onLine?: (line: string) => void;
}

/** Polls until the execution ends; returns its final state. */
export async function followExecution(client: SFNClient, executionArn: string, options: FollowOptions = {}): Promise<ExecutionView> {
  const onLine = options.onLine ?? ((line: string) => opsIo.err(line));
  const state: { current?: string } = {};
  let last = 0;
  for (;;) {
    const events = await executionHistory(client, executionArn, last);
    for (const event of events) {
      last = Math.max(last, event.id ?? last);
      const line = describeEvent(event, state);
      if (line) onLine(`${(event.timestamp ?? opsIo.now()).toISOString().slice(11, 19)}  ${line}`);
    }
    const view = await describeExecution(client, executionArn);
    if (view.status !== 'RUNNING' && view.status !== 'PENDING_REDRIVE') {
      // Events written between the two reads.
      for (const event of await executionHistory(client, executionArn, last)) {
        const line = describeEvent(event, state);
        if (line) onLine(`${(event.timestamp ?? opsIo.now()).toISOString().slice(11, 19)}  ${line}`);
      }
      return view;
    }
    await opsIo.sleep(options.pollMs ?? 1000);
  }
}
