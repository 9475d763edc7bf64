// `switchyard restore <cluster>`: start RestoreCluster (by name lookup), optionally follow it.
import type { Command } from 'commander';
import { runOperation, type OperationFlags } from '../ops/operation.ts';

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('bring a drained cluster back step by step (RestoreCluster), health-gated, rolled back on failure')
    .argument('<cluster>', 'cluster to restore')
    .option('--steps <list>', 'percent of normal weight at each step, e.g. 50,100 (default: fleet safety.restoreSteps)')
    .option('--bake <duration>', 'wait after each step on top of the record TTL, e.g. 60s, 5m (default: fleet safety.bakeSeconds)')
    .option('--reason <text>', 'why (kept in the journal and the events)')
    .option('--by <who>', 'who asks (default: SWITCHYARD_OPERATOR or the login name)')
    .option('--dry-run', 'plan every step and change nothing (waits for the plan)')
    .option('--wait', 'follow the execution with a live progress view and end with its result')
    .option('--json', 'print the result as JSON')
    .option('--fleet <dir>', 'fleet folder: the cluster name is checked before anything starts')
    .option('--stage <stage>', 'deployment stage: state machines switchyard-<stage>-* (default: SWITCHYARD_STAGE)')
    .option('--endpoint-url <url>', 'AWS endpoint, e.g. http://127.0.0.1:4566 for the local runtime (default: AWS, or AWS_ENDPOINT_URL)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or us-east-1)')
    .action(async (cluster: string, flags: OperationFlags) => {
      process.exitCode = await runOperation('restore', cluster, flags);
    });
}
