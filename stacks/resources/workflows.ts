// The state machines from workflows/*.asl.json (raw ASL: SST's StepFunctions component is
// JSONata-only), with the function ARNs substituted and execution logging on.
import type { DeploymentSpec } from '../deployment.ts';
import { role } from './iam.ts';
import { pascal } from './names.ts';

export function stateMachines(deployment: DeploymentSpec, functions: Map<string, sst.aws.Function>): Map<string, aws.sfn.StateMachine> {
  const created = new Map<string, aws.sfn.StateMachine>();
  for (const machine of deployment.machines) {
    const logical = pascal(machine.workflow);
    // Production keeps the execution logs when the stage is removed (deployment.retained).
    const logs = new aws.cloudwatch.LogGroup(`${logical}Logs`, { name: machine.logGroupName, retentionInDays: 30 }, { retainOnDelete: deployment.production });
    const machineRole = role(`${logical}MachineRole`, {
      name: machine.roleName,
      service: 'states.amazonaws.com',
      accountId: deployment.context.accountId,
      policy: machine.policy,
    });
    const invoked = machine.functions.map((name) => functions.get(name)!);
    created.set(
      machine.workflow,
      new aws.sfn.StateMachine(
        `${logical}Machine`,
        {
          name: machine.stateMachineName,
          type: 'STANDARD',
          roleArn: machineRole.arn,
          definition: machine.definition,
          loggingConfiguration: { logDestination: machine.logDestination, includeExecutionData: true, level: 'ALL' },
          tracingConfiguration: { enabled: machine.tracing },
        },
        { dependsOn: [logs, ...invoked] },
      ),
    );
  }
  return created;
}
