// `switchyard local traffic`: steady, bounded requests to every app of the running local
// runtime, each resolved through its DNS server and sent to the simulated cluster that DNS
// answered, counted per cluster (src/local/traffic/). The live view shows each app's recent
// share per cluster, so a drain reads as a cluster's share falling step by step. Every second
// it also reports its counts to the runtime (POST /_switchyard/traffic, with the control
// token), which the dashboard draws as its request chart.
import type { Command } from 'commander';
import { InvalidInput } from '../../core/errors.ts';
import { CONTROL_PREFIX } from '../../local/runtime/control.ts';
import { DEFAULT_STATE_DIR } from '../../local/runtime/runtime.ts';
import type { LocalStatus } from '../../local/runtime/status-view.ts';
import { MAX_DURATION_MS, MAX_RATE, runTraffic } from '../../local/traffic/generator.ts';
import { trafficReporter } from '../../local/traffic/reporter.ts';
import { renderShares, type AppShare } from '../../local/traffic/tally.ts';
import { EXIT } from '../exit-codes.ts';
import { callControl, localControlToken, localEndpoint } from './local-canary.ts';

export interface LocalTrafficFlags {
  endpointUrl?: string;
  state?: string;
  rate?: string;
  duration?: string;
  timeScale?: string;
  app?: string[];
  json?: boolean;
}

export interface LocalTrafficIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** The share window of the live view: long enough to smooth a 20/s rate, short enough to show a step. */
const WINDOW_MS = 2000;

function positive(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new InvalidInput(`--${flag} ${JSON.stringify(value)}: expected a number more than 0 and at most ${max}`, { flag, value });
  return n;
}

async function runtimeStatus(endpoint: string): Promise<LocalStatus> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}${CONTROL_PREFIX}status`);
  } catch (error) {
    throw new Error(
      `no local runtime answers at ${endpoint} (${error instanceof Error ? error.message : String(error)}): start it with \`npm start\` or pass --endpoint-url`,
    );
  }
  if (!response.ok) throw new Error(`${endpoint}: status: HTTP ${response.status}`);
  return (await response.json()) as LocalStatus;
}

function totalsJson(totals: readonly AppShare[]): string {
  return JSON.stringify({ apps: totals.map((t) => ({ app: t.app, requests: t.total, errors: t.errors, share: t.clusters })) }, null, 2);
}

export async function runLocalTraffic(flags: LocalTrafficFlags, io: LocalTrafficIo): Promise<number> {
  const rate = positive('rate', flags.rate, 20, MAX_RATE);
  const durationMs = positive('duration', flags.duration, 60, MAX_DURATION_MS / 1000) * 1000;
  const timeScale = positive('time-scale', flags.timeScale, 1, 1000);
  const endpoint = await localEndpoint(
    { ...(flags.endpointUrl === undefined ? {} : { endpointUrl: flags.endpointUrl }), state: flags.state ?? DEFAULT_STATE_DIR },
    io.env,
  );
  const status = await runtimeStatus(endpoint);
  if (status.dns === undefined) throw new InvalidInput(`the runtime at ${endpoint} runs no DNS server (started with --dns-port off?)`);
  const known = status.apps.map((a) => a.hostname);
  const apps = flags.app && flags.app.length > 0 ? flags.app : known;
  for (const app of apps)
    if (!known.includes(app))
      throw new InvalidInput(`--app ${app}: the runtime serves no such app (it serves ${known.join(', ') || 'none yet'})`, { flag: 'app', value: app });
  if (apps.length === 0) throw new InvalidInput(`the runtime at ${endpoint} serves no app yet`);
  const addresses = new Map<string, string[]>();
  for (const c of status.canaries) addresses.set(c.address, [...(addresses.get(c.address) ?? []), c.cluster]);
  const httpPort = status.canaries[0]?.port;
  if (httpPort === undefined || [...addresses.values()].some((clusters) => clusters.length > 1)) {
    throw new InvalidInput(
      'the simulated clusters share one address on this machine (no 127.0.1.x loopback addresses): DNS-routed traffic cannot tell them apart (docs/local-runtime.md)',
    );
  }
  const clusters = status.canaries.map((c) => c.cluster);
  const tty = io.stdout.isTTY === true && flags.json !== true;
  io.stderr.write(
    `traffic: ${rate}/s per app to ${apps.join(', ')} for ${durationMs / 1000} s, through DNS at ${status.dns.host}:${status.dns.port} (TTLs × ${timeScale})\n`,
  );
  const token = await localControlToken({ state: flags.state ?? DEFAULT_STATE_DIR }, io.env);
  const reporter = trafficReporter({
    send: (report) => callControl(endpoint, 'traffic', report, token),
    warn: (line) => void io.stderr.write(`traffic: ${line}\n`),
    startedAtMs: Date.now(),
  });
  const tally = await runTraffic({
    apps,
    dns: status.dns,
    httpPort,
    clusterOf: (address) => addresses.get(address)?.[0],
    rate,
    durationMs,
    timeScale,
    ...(io.signal === undefined ? {} : { signal: io.signal }),
    onTick: (current, now) => {
      reporter.tick(current, now);
      if (flags.json) return;
      const lines = renderShares(current.shares(now, WINDOW_MS), clusters, tty ? io.stdout.columns : undefined);
      io.stdout.write(
        tty
          ? `\x1b[H\x1b[2J${lines.join('\n')}\n`
          : `${new Date(now).toISOString().slice(11, 19)} ${lines
              .slice(1)
              .map((l) => l.replace(/\s+/g, ' '))
              .join(' | ')}\n`,
      );
    },
  });
  await reporter.flush();
  // The last counts (since the last tick) go too, so the dashboard's totals match ours.
  reporter.tick(tally, Date.now());
  await reporter.flush();
  const totals = tally.totals();
  if (flags.json) io.stdout.write(`${totalsJson(totals)}\n`);
  else io.stdout.write(`total since start:\n${renderShares(totals, clusters, tty ? io.stdout.columns : undefined).join('\n')}\n`);
  return totals.some((t) => t.errors > 0) ? EXIT.failed : EXIT.ok;
}

export function registerLocalTraffic(local: Command): void {
  local
    .command('traffic')
    .description("send steady requests to every app through the runtime's DNS and count which cluster answers")
    .option('--endpoint-url <url>', 'the local runtime (default: the one using --state, else http://127.0.0.1:4566)')
    .option('--state <dir>', 'state folder of the runtime to find', DEFAULT_STATE_DIR)
    .option('--rate <n>', 'requests per second per app (default 20)')
    .option('--duration <seconds>', 'how long to send (default 60)')
    .option('--time-scale <factor>', "multiply DNS TTLs by this, as the runtime's --time-scale does its waits (default 1)")
    .option('--app <hostname...>', 'only these apps (default: every app the runtime serves)')
    .option('--json', 'print the totals as JSON at the end instead of the live view')
    .action(async (flags: LocalTrafficFlags) => {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      try {
        process.exitCode = await runLocalTraffic(flags, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
      } finally {
        process.off('SIGINT', stop);
      }
    });
}
