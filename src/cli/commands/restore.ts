// `switchyard restore <cluster>`: start RestoreCluster (by name lookup), optionally follow it.
import type { Command } from 'commander';
import { withOperationOptions } from '../ops/operation.ts';

export function registerRestore(program: Command): void {
  const command = program
    .command('restore')
    .description('bring a drained cluster back step by step (RestoreCluster), health-gated, rolled back on failure')
    .argument('<cluster>', 'cluster to restore')
    .option('--steps <list>', 'percent of normal weight at each step, e.g. 50,100 (default: fleet safety.restoreSteps)');
  withOperationOptions(command, 'restore');
}
