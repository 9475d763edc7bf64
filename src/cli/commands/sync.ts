// `switchyard sync --fleet <dir>`: make Route 53 match the fleet, with progress and a summary.
// An operation like the others: under the fleet lock, following the intents and failover
// marks of the stage's state table, journaled, announced with `Records Changed`
// (src/cli/ops/sync.ts). Without a state table only with --no-state-table, and only when
// the stage has none.
import type { Command } from 'commander';
import { syncDns } from '../../app/dns/sync.ts';
import { loadFleet } from '../../fleet/fleet-file.ts';
import { InvalidInput } from '../../core/errors.ts';
import { formatSyncText, syncJson } from '../dns-report.ts';
import { dnsIo, endpointSourceKind, route53For } from '../dns-io.ts';
import { EXIT } from '../exit-codes.ts';
import { syncOperation, type SyncOperationResult } from '../ops/sync.ts';
import { busName, stateTableName } from '../../core/resource-names.ts';

export interface SyncFlags {
  fleet: string;
  json?: boolean;
  endpointUrl?: string;
  source?: string;
  stage?: string;
  /** A table name, or false for --no-state-table. */
  stateTable?: string | false;
  dryRun?: boolean;
  insyncTimeout?: string;
  by?: string;
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new InvalidInput(`${flag}: "${value}" is not a whole number of seconds`, { flag, value });
  return Number(value);
}

function stageOf(flags: SyncFlags, env: NodeJS.ProcessEnv): string | undefined {
  const stage = flags.stage ?? env.SWITCHYARD_STAGE;
  if (stage !== undefined && !/^[a-z0-9][a-z0-9-]*$/i.test(stage))
    throw new InvalidInput(`--stage: "${stage}" is not a stage name (letters, digits, "-")`, { flag: 'stage' });
  return stage;
}

/** --state-table, else SWITCHYARD_STATE_TABLE, else the stage's switchyard-<stage>-state. */
function stageTable(flags: SyncFlags, env: NodeJS.ProcessEnv): string | undefined {
  const stage = stageOf(flags, env);
  return (typeof flags.stateTable === 'string' ? flags.stateTable : undefined) ?? env.SWITCHYARD_STATE_TABLE ?? (stage ? stateTableName(stage) : undefined);
}

export async function runSync(flags: SyncFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const insyncTimeout = seconds(flags.insyncTimeout, '--insync-timeout');
  const source = endpointSourceKind(flags.source);
  const loaded = await loadFleet(flags.fleet);
  const progress = (line: string) => dnsIo.err(line);
  const where = flags.endpointUrl ?? env.AWS_ENDPOINT_URL ?? 'AWS';
  const table = stageTable(flags, env);
  if (flags.stateTable === false) {
    if (table === undefined) {
      throw new InvalidInput(
        '--no-state-table: give --stage <stage> (or SWITCHYARD_STAGE) so sync can check that the stage has no state table whose drains and failovers it would undo',
        { flag: 'no-state-table' },
      );
    }
    if (await dnsIo.tableExists(table, flags.endpointUrl)) {
      throw new InvalidInput(
        `--no-state-table refused: the state table ${table} exists at ${where}; syncing without it would undo the drains and failovers it records. Run sync without --no-state-table (it follows the table and takes the fleet lock)`,
        { flag: 'no-state-table', table },
      );
    }
  } else {
    if (table === undefined) {
      throw new InvalidInput(
        "sync follows the drains and failovers in the stage's state table: give --stage <stage> or --state-table <name> (or SWITCHYARD_STAGE / SWITCHYARD_STATE_TABLE); for zones no Switchyard stage manages, --no-state-table --stage <stage>",
        { flag: 'state-table' },
      );
    }
    if (!(await dnsIo.tableExists(table, flags.endpointUrl))) {
      throw new InvalidInput(
        `state table ${table} does not exist at ${where}: deploy the stage first, check --stage / --state-table / --endpoint-url, or use --no-state-table for zones no Switchyard stage manages`,
        { table },
      );
    }
  }

  const dnsPorts = {
    route53: route53For({ endpointUrl: flags.endpointUrl, dryRun: flags.dryRun }, (op, detail) => progress(`dry-run: not sending ${op} ${detail}`)),
    endpoints: dnsIo.endpointSource(loaded, source),
    clock: dnsIo.clock,
    onProgress: progress,
  };
  const options = { insyncTimeoutMs: insyncTimeout === undefined ? undefined : insyncTimeout * 1000 };
  const input = { fleet: loaded.config, fleetFile: loaded.file };

  if (flags.stateTable === false) {
    progress(`no state table: every cluster ACTIVE at 100 %, no lock, no journal entry, no event (the stage has no table ${table})`);
    const report = await syncDns(input, dnsPorts, options);
    dnsIo.out(flags.json ? JSON.stringify(syncJson(report), null, 2) : formatSyncText(report));
    // Problems are findings: reported, the rest applied, and the run exits 1 as on every verb.
    return report.failed || report.problems.length > 0 ? EXIT.failed : EXIT.ok;
  }

  const stage = stageOf(flags, env);
  const bus = env.SWITCHYARD_BUS ?? env.SWITCHYARD_EVENT_BUS ?? (stage ? busName(stage) : undefined);
  const result: SyncOperationResult = await syncOperation(
    input,
    {
      ...dnsPorts,
      table: dnsIo.stateTable(table!, flags.endpointUrl),
      putEvent: async (event) => {
        if (bus === undefined) throw new Error('no bus: give --stage or SWITCHYARD_BUS');
        await dnsIo.putEvent({ ...event, Detail: JSON.stringify(event.Detail), EventBusName: bus }, flags.endpointUrl);
      },
      now: () => new Date(),
      every: dnsIo.every,
    },
    { ...options, by: flags.by ?? env.USER ?? 'switchyard sync', dryRun: flags.dryRun ?? false, lockTtlSeconds: loaded.config.safety.lockTtlSeconds },
  );
  const { report } = result;
  const summary = [
    result.lockLost ? `Fleet lock lost: ${result.lockLost}.` : undefined,
    result.passes > 1 ? `Synced ${result.passes} times: drains or failovers moved intents meanwhile.` : undefined,
    result.journalId ? `Journal: ${result.journalId}.` : undefined,
    result.event.emitted ? 'Records Changed emitted.' : result.changes.length > 0 ? `Records Changed NOT emitted: ${result.event.reason}.` : undefined,
  ].filter((line): line is string => line !== undefined);
  if (flags.json) {
    dnsIo.out(
      JSON.stringify(
        {
          ...syncJson(report),
          stateTable: table,
          passes: result.passes,
          journalId: result.journalId ?? null,
          eventEmitted: result.event.emitted,
          ...(result.event.reason ? { eventNote: result.event.reason } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    dnsIo.out([formatSyncText(report), ...summary].join('\n'));
  }
  if (result.lockLost) {
    dnsIo.err(
      `switchyard: LockHeld: sync lost the fleet lock while it wrote Route 53 (${result.lockLost}); the changes above were made, no journal entry or event was written`,
    );
    return EXIT.failed;
  }
  // Problems are findings: reported, the rest applied, and the run exits 1 as on every verb.
  return report.failed || report.problems.length > 0 ? EXIT.failed : EXIT.ok;
}

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description(
      "apply the plan to Route 53 as an operation: takes the fleet lock (as Reconcile does), follows the drains and failovers in the stage's state table, health checks, records in order, waits for INSYNC, journals the changes and emits Records Changed",
    )
    .requiredOption('--fleet <dir>', 'fleet folder (with fleet.yaml) or the fleet.yaml file')
    .option('--json', 'print the outcome as JSON (progress still goes to stderr)')
    .option('--source <kind>', 'published endpoints from: auto (manifests if configured, else endpointsFile), manifests, eks, endpoints-file', 'auto')
    .option('--stage <stage>', 'deployment stage: its state table switchyard-<stage>-state and bus switchyard-<stage>-bus (default: SWITCHYARD_STAGE)')
    .option('--state-table <name>', "DynamoDB state table to follow and lock (default: SWITCHYARD_STATE_TABLE, else the stage's)")
    .option(
      '--no-state-table',
      "sync zones no Switchyard stage manages: every cluster active, no lock, journal or event; refused (exit 2) when the stage's state table exists",
    )
    .option('--by <who>', 'who runs it, for the journal (default: USER)')
    .option('--endpoint-url <url>', 'AWS endpoint for Route 53, the state table and the bus, e.g. http://127.0.0.1:4566 (default: AWS, or AWS_ENDPOINT_URL)')
    .option('--dry-run', 'do everything but the writes (each skipped write is logged); no lock, journal or event')
    .option('--insync-timeout <seconds>', 'how long to wait for Route 53 to report INSYNC (0: do not wait)', '300')
    .addHelpText(
      'after',
      '\nExit codes: 0 synced; 1 some change failed, or the fleet lock is held (a Reconcile or another sync runs) or was lost; 2 bad input (no table named, the table missing, --no-state-table while the stage has a table).',
    )
    .action(async (flags: SyncFlags) => {
      process.exitCode = await runSync(flags);
    });
}
