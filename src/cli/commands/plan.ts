// `switchyard plan --fleet <dir>`: what `sync` would change, as a table or JSON. Reads only.
import type { Command } from 'commander';
import { planDns } from '../../app/dns/sync.ts';
import { loadFleet } from '../../fleet/fleet-file.ts';
import { formatPlanText, planJson } from '../dns-report.ts';
import { dnsIo, endpointSourceKind, intentPorts, route53For } from '../dns-io.ts';
import { EXIT } from '../exit-codes.ts';

export interface PlanFlags {
  fleet: string;
  json?: boolean;
  endpointUrl?: string;
  source?: string;
  stateTable?: string;
}

export async function runPlan(flags: PlanFlags): Promise<number> {
  const source = endpointSourceKind(flags.source);
  const loaded = await loadFleet(flags.fleet);
  const report = await planDns(
    { fleet: loaded.config, fleetFile: loaded.file },
    {
      route53: route53For({ endpointUrl: flags.endpointUrl }),
      endpoints: dnsIo.endpointSource(loaded, source),
      ...intentPorts(
        flags.stateTable ?? process.env.SWITCHYARD_STATE_TABLE,
        flags.endpointUrl,
        loaded.config.clusters.map((c) => c.name),
      ),
      clock: dnsIo.clock,
      onProgress: flags.json ? undefined : (line) => dnsIo.err(line),
    },
  );
  dnsIo.out(flags.json ? JSON.stringify(planJson(report), null, 2) : formatPlanText(report));
  // A cluster that could not be read makes the plan incomplete; problems are findings (exit 1 on every verb).
  return report.unreachable.length > 0 || report.problems.length > 0 ? EXIT.failed : EXIT.ok;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show the Route 53 changes sync would make (changes nothing)')
    .requiredOption('--fleet <dir>', 'fleet folder (with fleet.yaml) or the fleet.yaml file')
    .option('--json', 'print the plan as JSON')
    .option('--source <kind>', 'published endpoints from: auto (manifests if configured, else endpointsFile), manifests, eks, endpoints-file', 'auto')
    .option('--state-table <name>', 'DynamoDB state table to read drains and failovers from (default: SWITCHYARD_STATE_TABLE; none: every cluster active)')
    .option('--endpoint-url <url>', 'AWS endpoint for Route 53 and the state table, e.g. http://127.0.0.1:4566 (default: AWS, or AWS_ENDPOINT_URL)')
    .action(async (flags: PlanFlags) => {
      process.exitCode = await runPlan(flags);
    });
}
