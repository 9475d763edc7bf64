// `switchyard drain <cluster>`: start DrainCluster (by name lookup), optionally follow it.
import type { Command } from 'commander';
import { withOperationOptions } from '../ops/operation.ts';

export function registerDrain(program: Command): void {
  const command = program
    .command('drain')
    .description('move traffic off a cluster step by step (DrainCluster), with safety checks, health gates and rollback')
    .argument('<cluster>', 'cluster to drain')
    .option('--steps <list>', 'percent of normal weight at each step, e.g. 50,0 (default: fleet safety.drainSteps)');
  withOperationOptions(command, 'drain');
}
