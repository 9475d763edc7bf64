// Names of what the local runtime creates: the deploy's `switchyard-<stage>-<part>` names
// (stacks/naming.ts) with the stage `local`, so a CLI that finds DrainCluster by stage on
// AWS finds it the same way on the local endpoint.
import type { WorkflowName } from '../../core/ports.ts';

export const LOCAL_STAGE = 'local';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export interface LocalNames {
  stage: string;
  table: string;
  bus: string;
  stateMachine(workflow: WorkflowName | string): string;
  stateMachineArn(workflow: WorkflowName | string): string;
  executionArn(workflow: WorkflowName | string, name: string): string;
  functionArn(fn: string): string;
  rule(part: string): string;
}

export function localNames(stage = LOCAL_STAGE, region = LOCAL_REGION, accountId = LOCAL_ACCOUNT): LocalNames {
  const stateMachine = (workflow: string) => `switchyard-${stage}-${workflow}`;
  return {
    stage,
    table: `switchyard-${stage}-state`,
    bus: `switchyard-${stage}-bus`,
    stateMachine,
    stateMachineArn: (workflow) => `arn:aws:states:${region}:${accountId}:stateMachine:${stateMachine(workflow)}`,
    executionArn: (workflow, name) => `arn:aws:states:${region}:${accountId}:execution:${stateMachine(workflow)}:${name}`,
    // In-process handlers are found by the bare function name (what `${name}` in ASL names).
    functionArn: (fn) => `arn:aws:lambda:${region}:${accountId}:function:${fn}`,
    rule: (part) => `switchyard-${stage}-${part}`,
  };
}

/**
 * The loopback address of the n-th simulated cluster's load balancer (0-based index in the
 * fleet): 127.0.1.1, 127.0.1.2, … The local DNS answers a cluster's entry point with it.
 */
export function clusterAddress(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 253) throw new RangeError(`cluster index ${index}: the local runtime simulates at most 254 clusters`);
  return `127.0.1.${index + 1}`;
}
