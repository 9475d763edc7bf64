// `switchyard dashboard --stage <stage> --fleet <dir>`: the web dashboard of a deployed stage,
// served on loopback (http://127.0.0.1:4580 by default), reading the stage's state table,
// Route 53 and Step Functions through the AWS SDK with the user's credentials. Read-only
// unless --allow-operations (drain, restore and abort). Prints SWITCHYARD_DASHBOARD=<url>; Ctrl-C stops it.
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { loadFleet } from '../../fleet/fleet-file.ts';
import { InvalidInput } from '../../core/errors.ts';
import { dashboardGuard } from '../../dashboard/guard.ts';
import { createDashboard } from '../../dashboard/service.ts';
import { awsSource } from '../../dashboard/sources/aws.ts';
import { startEndpoint, type Endpoint } from '@switchyard/local-aws';
import { EXIT } from '../exit-codes.ts';
import { opsClients, opsIo, stageOf, stateTableFor, withTargetOptions, type TargetFlags } from '../ops/context.ts';

export const DEFAULT_DASHBOARD_PORT = 4580;

export interface DashboardFlags extends TargetFlags {
  fleet: string;
  port?: string;
  allowOperations?: boolean;
  refresh?: string;
  sample?: string;
}

export interface RunningDashboard {
  url: string;
  endpoint: Endpoint;
  close(): Promise<void>;
}

function whole(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max)
    throw new InvalidInput(`--${flag} must be a whole number from ${min} to ${max}, not "${text}"`, { flag, value: text });
  return value;
}

function operator(env: NodeJS.ProcessEnv): string {
  if (env.SWITCHYARD_OPERATOR) return env.SWITCHYARD_OPERATOR;
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

/** Starts the stage's dashboard (the flags are checked before anything listens). */
export async function startStageDashboard(flags: DashboardFlags): Promise<RunningDashboard> {
  const env = opsIo.env;
  const stage = stageOf(flags, env);
  if (stage === undefined) throw new InvalidInput('which stage? give --stage <stage> (or SWITCHYARD_STAGE)', { flag: 'stage' });
  const port = flags.port === undefined ? DEFAULT_DASHBOARD_PORT : whole('port', flags.port, 0, 65535);
  const refreshMs = flags.refresh === undefined ? 5000 : whole('refresh', flags.refresh, 200, 600_000);
  const sampleEveryMs = flags.sample === undefined ? 10_000 : whole('sample', flags.sample, 200, 600_000);
  const fleet = await loadFleet(flags.fleet);
  const clients = opsClients(flags, env);
  try {
    const table = stateTableFor(flags, clients, env);
    const dashboard = createDashboard({
      source: awsSource({
        fleet,
        stage,
        clients,
        table,
        allowOperations: flags.allowOperations === true,
        operator: `${operator(env)} (dashboard)`,
        sampleEveryMs,
        log: opsIo.err,
      }),
      guard: dashboardGuard(),
      refreshMs,
      log: opsIo.err,
    });
    // Loopback only: the page carries the token that lets it operate.
    const endpoint = await startEndpoint({ port, host: '127.0.0.1', services: [dashboard.service], log: opsIo.err });
    dashboard.start();
    return { url: `${endpoint.url}/`, endpoint, close: () => endpoint.close() };
  } catch (error) {
    clients.destroy();
    throw error;
  }
}

export function registerDashboard(program: Command): void {
  const command = program
    .command('dashboard')
    .description(
      'the web dashboard of a deployed stage on loopback: clusters, apps × clusters, health checks over time, executions with their graphs, journal (read-only unless --allow-operations)',
    )
    .requiredOption('--fleet <dir>', 'fleet folder (with fleet.yaml) or the fleet.yaml file')
    .option('--port <port>', `port on 127.0.0.1 (default ${DEFAULT_DASHBOARD_PORT}; 0 picks a free one)`)
    .option('--allow-operations', "show Drain, Restore and Abort buttons, which start (or stop) the stage's workflows with your credentials")
    .option('--refresh <ms>', 'how often the stage is read while a page is open (default 5000)')
    .option('--sample <ms>', 'how often health-check status is sampled (default 10000)')
    .option('--state-table <name>', 'state table name (default: switchyard-<stage>-state, or SWITCHYARD_STATE_TABLE)');
  withTargetOptions(command, 'table switchyard-<stage>-state, state machines switchyard-<stage>-*').action(async (flags: DashboardFlags) => {
    const running = await startStageDashboard(flags);
    opsIo.out(`SWITCHYARD_DASHBOARD=${running.url}`);
    opsIo.err(
      `switchyard dashboard: stage ${stageOf(flags)} at ${running.url} (${flags.allowOperations ? 'drain, restore and abort allowed' : 'read-only'}); Ctrl-C stops it`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await running.close();
    process.exitCode = EXIT.ok;
  });
}
