// `switchyard sync --fleet <dir>`: make Route 53 match the fleet, with progress and a summary.
import type { Command } from 'commander';
import { syncDns } from '../../aws/dns-sync.ts';
import { loadFleet } from '../../core/config-file.ts';
import { InvalidInput } from '../../core/errors.ts';
import { formatSyncText, syncJson } from '../dns-report.ts';
import { dnsRuntime, endpointSourceKind, intentPorts, route53For } from '../dns-runtime.ts';
import { EXIT } from '../exit-codes.ts';

export interface SyncFlags {
  fleet: string;
  json?: boolean;
  endpointUrl?: string;
  source?: string;
  stateTable?: string;
  dryRun?: boolean;
  insyncTimeout?: string;
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new InvalidInput(`${flag}: "${value}" is not a whole number of seconds`, { flag, value });
  return Number(value);
}

export async function runSync(flags: SyncFlags): Promise<number> {
  const insyncTimeout = seconds(flags.insyncTimeout, '--insync-timeout');
  const source = endpointSourceKind(flags.source);
  const loaded = await loadFleet(flags.fleet);
  const progress = (line: string) => dnsRuntime.err(line);
  const report = await syncDns(
    { fleet: loaded.config, fleetFile: loaded.file },
    {
      route53: route53For({ endpointUrl: flags.endpointUrl, dryRun: flags.dryRun }, (op, detail) => progress(`dry-run: not sending ${op} ${detail}`)),
      endpoints: dnsRuntime.endpointSource(loaded, source),
      ...intentPorts(flags.stateTable ?? process.env.SWITCHYARD_STATE_TABLE, flags.endpointUrl, loaded.config.clusters.map((c) => c.name)),
      clock: dnsRuntime.clock,
      onProgress: progress,
    },
    { insyncTimeoutMs: insyncTimeout === undefined ? undefined : insyncTimeout * 1000 },
  );
  dnsRuntime.out(flags.json ? JSON.stringify(syncJson(report), null, 2) : formatSyncText(report));
  // Problems are findings: reported, the rest applied, and the run exits 1 as on every verb.
  return report.failed || report.problems.length > 0 ? EXIT.failed : EXIT.ok;
}

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('apply the plan to Route 53: health checks, records in order, wait for INSYNC')
    .requiredOption('--fleet <dir>', 'fleet folder (with fleet.yaml) or the fleet.yaml file')
    .option('--json', 'print the outcome as JSON (progress still goes to stderr)')
    .option('--source <kind>', 'published endpoints from: auto (manifests if configured, else endpointsFile), manifests, eks, endpoints-file', 'auto')
    .option('--state-table <name>', 'DynamoDB state table to read drains and failovers from (default: SWITCHYARD_STATE_TABLE; none: every cluster active)')
    .option('--endpoint-url <url>', 'AWS endpoint for Route 53 and the state table, e.g. http://127.0.0.1:4566 (default: AWS, or AWS_ENDPOINT_URL)')
    .option('--dry-run', 'do everything but send the writes (each skipped write is logged)')
    .option('--insync-timeout <seconds>', 'how long to wait for Route 53 to report INSYNC (0: do not wait)', '300')
    .action(async (flags: SyncFlags) => {
      process.exitCode = await runSync(flags);
    });
}
