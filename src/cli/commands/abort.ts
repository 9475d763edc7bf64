// `switchyard abort <cluster>`: stop the drain, restore or upgrade that holds the cluster's
// lock (StopExecution), and start its recovery (RecoverOperation, the same execution the
// router starts from the run's status change, so the two never recover it twice). With
// --wait, follow the recovery: exit 0 once the cluster is rolled back and unlocked, 1 if
// the recovery failed, 2 for bad input (unknown cluster, nothing to abort).
import type { Command } from 'commander';
import { loadFleet } from '../../fleet/fleet-file.ts';
import { UnknownCluster } from '../../core/errors.ts';
import { intentOf } from '../../core/fleet-document.ts';
import { EXIT } from '../exit-codes.ts';
import { opsClients, opsIo, stateMachineFor, stateTableFor, withTargetOptions, type TargetFlags } from '../ops/context.ts';
import { causeMessage, followExecution } from '../ops/follow.ts';
import { operator } from '../ops/operation.ts';
import { abortOperation } from '../ops/abort.ts';

export interface AbortFlags extends TargetFlags {
  reason?: string;
  by?: string;
  wait?: boolean;
  json?: boolean;
  fleet?: string;
  stateTable?: string;
  pollMs?: number;
}

export async function runAbort(cluster: string, flags: AbortFlags): Promise<number> {
  const env = opsIo.env;
  if (flags.fleet !== undefined) {
    const known = (await loadFleet(flags.fleet)).config.clusters.map((c) => c.name);
    if (!known.includes(cluster)) throw new UnknownCluster(cluster, known);
  }
  const clients = opsClients(flags, env);
  try {
    const table = stateTableFor(flags, clients, env);
    const reason = `switchyard abort by ${flags.by ?? operator(env)}${flags.reason ? `: ${flags.reason}` : ''}`;
    const aborted = await abortOperation(cluster, {
      sfn: clients.sfn,
      table,
      recoverMachine: () => stateMachineFor('RecoverOperation', flags, clients, env),
      reason,
      sleep: opsIo.sleep,
      log: opsIo.err,
      ...(flags.pollMs === undefined ? {} : { pollMs: flags.pollMs }),
    });
    const { stopped: executionArn, recovery: recoveryArn, holder } = aborted;
    if (!flags.wait) {
      opsIo.out(flags.json ? JSON.stringify({ stopped: executionArn, status: aborted.status, recovery: recoveryArn }) : recoveryArn);
      return EXIT.ok;
    }
    const end = await followExecution(clients.sfn, recoveryArn, { ...(flags.pollMs === undefined ? {} : { pollMs: flags.pollMs }) });
    const after = await table.readFleet();
    const intent = intentOf(after, cluster);
    const unlocked = after.locks[cluster]?.holder !== holder;
    const ok = end.status === 'SUCCEEDED' && unlocked;
    const output = (end.output ?? {}) as { reason?: string; rolledBack?: boolean };
    if (flags.json) {
      opsIo.out(
        JSON.stringify(
          {
            stopped: executionArn,
            recovery: recoveryArn,
            status: end.status,
            output: end.output,
            error: end.error,
            cause: causeMessage(end.cause),
            cluster,
            state: intent.state,
            weightPercent: intent.weightPercent,
            locked: !unlocked,
          },
          null,
          2,
        ),
      );
    } else if (ok) {
      opsIo.out(
        `${cluster}: ${output.rolledBack ? 'rolled back' : 'left'} at ${intent.state} ${intent.weightPercent}%, unlocked${output.reason ? ` (${output.reason})` : ''}`,
      );
    } else {
      opsIo.out(
        `RecoverOperation ${end.status}${end.error ? `: ${end.error}` : ''}${end.cause ? `: ${causeMessage(end.cause)}` : ''}; ${cluster} is ${intent.state} at ${intent.weightPercent}%${unlocked ? '' : `, still locked by ${holder}`}`,
      );
    }
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    clients.destroy();
  }
}

export function registerAbort(program: Command): void {
  const command = program
    .command('abort')
    .description('stop the drain, restore or upgrade running on a cluster and roll it back (RecoverOperation)')
    .argument('<cluster>', 'cluster whose operation to stop')
    .option('--reason <text>', 'why (kept in the journal and the Cluster Drain Aborted event)')
    .option('--by <who>', 'who asks (default: SWITCHYARD_OPERATOR or the login name)')
    .option('--wait', 'follow the recovery; exit 0 once the cluster is rolled back and unlocked, 1 if the recovery failed')
    .option('--json', 'print the result as JSON')
    .option('--fleet <dir>', 'fleet folder: the cluster name is checked before anything is stopped')
    .option('--state-table <name>', 'state table name (default: switchyard-<stage>-state, or SWITCHYARD_STATE_TABLE)');
  withTargetOptions(command, 'table switchyard-<stage>-state, state machines switchyard-<stage>-*').action(async (cluster: string, flags: AbortFlags) => {
    process.exitCode = await runAbort(cluster, flags);
  });
}
