// `switchyard local` (and `npm start`): the whole local runtime in the foreground, with
// the live status view. Prints `SWITCHYARD_ENDPOINT=<url>` as soon as the endpoint
// listens and `SWITCHYARD_READY=<url>` once the fleet is onboarded (one line each, for
// scripts and tests; `--port 0` picks a free port). Ctrl-C (SIGINT) or SIGTERM stops it.
import type { Command } from 'commander';
import { InvalidInput } from '../../core/errors.ts';
import { defaultPort } from '../../local/port.ts';
import { runtimeExposureWarning } from '../../local/runtime/state-dir.ts';
import { DEFAULT_FLEET_PATH, DEFAULT_STATE_DIR, startLocalRuntime, type LocalRuntime } from '../../local/runtime/runtime.ts';
import { StatusView } from '../../local/runtime/status-view.ts';
import { EXIT } from '../exit-codes.ts';

export interface LocalRuntimeFlags {
  fleet?: string;
  port?: string;
  host?: string;
  dnsPort?: string;
  state?: string;
  reset?: boolean;
  timeScale?: string;
  quiet?: boolean;
  refresh?: string;
}

export interface LocalRuntimeIo {
  /** The status view and the machine-readable lines. */
  stdout: { write(text: string): unknown; isTTY?: boolean; rows?: number };
  /** Log lines. */
  stderr: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
  /** Stops the runtime (tests); by default SIGINT or SIGTERM. */
  stop?: AbortSignal;
  /** Called with the running runtime (tests). */
  started?: (runtime: LocalRuntime) => void;
}

function number(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidInput(`--${flag} must be a number from ${min} to ${max}, not "${text}"`, { flag, value: text });
  }
  return value;
}

/** The local DNS server's port when --dns-port is not given (the endpoint's 4566 + 1). */
export const DEFAULT_DNS_PORT = 4567;

/** Resolves on `stop` (tests) or on SIGINT/SIGTERM; `dispose` removes the signal listeners. */
function stopSignal(stop: AbortSignal | undefined): { stopped: Promise<void>; dispose(): void } {
  if (stop !== undefined) {
    return {
      stopped: new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true }))),
      dispose: () => {},
    };
  }
  let onSignal: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    onSignal = () => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return {
    stopped,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export async function runLocalRuntime(flags: LocalRuntimeFlags, io: LocalRuntimeIo): Promise<number> {
  const env = io.env ?? process.env;
  const port = flags.port === undefined ? defaultPort(env) : number('port', flags.port, 0, 65535);
  const dnsPort = flags.dnsPort === undefined ? DEFAULT_DNS_PORT : number('dns-port', flags.dnsPort, 0, 65535);
  const timeScale = flags.timeScale === undefined ? 1 : number('time-scale', flags.timeScale, 0, 1000);
  const refreshMs = flags.refresh === undefined ? 1000 : number('refresh', flags.refresh, 50, 600_000);
  const tty = io.stdout.isTTY === true && flags.quiet !== true;
  // Listening from the start: a signal during start-up stops the runtime once it is up.
  const signal = stopSignal(io.stop);
  try {
    return await serve(flags, io, { port, dnsPort, timeScale, refreshMs, tty }, signal.stopped);
  } finally {
    signal.dispose();
  }
}

async function serve(
  flags: LocalRuntimeFlags,
  io: LocalRuntimeIo,
  settings: { port: number; dnsPort: number; timeScale: number; refreshMs: number; tty: boolean },
  stop: Promise<void>,
): Promise<number> {
  const { port, dnsPort, timeScale, refreshMs, tty } = settings;
  // On a TTY log lines would scroll the view away: the latest few are shown under it instead.
  const recentLog: string[] = [];
  const log = (line: string) => {
    const stamped = `${new Date().toISOString()} ${line}`;
    if (tty) {
      recentLog.push(stamped);
      if (recentLog.length > 5) recentLog.shift();
    } else io.stderr.write(`${stamped}\n`);
  };
  const runtime = await startLocalRuntime({
    fleet: flags.fleet ?? DEFAULT_FLEET_PATH,
    stateDir: flags.state ?? DEFAULT_STATE_DIR,
    reset: flags.reset === true,
    port,
    dnsPort,
    ...(flags.host === undefined ? {} : { host: flags.host }),
    timeScale,
    // A rehearsal at --time-scale 0.1 drains in seconds: the DNS share is sampled faster so its steps show.
    dashboard: { sampleEveryMs: Math.min(1000, Math.max(200, Math.round(1000 * timeScale))) },
    log,
    onListening: (url) => void io.stdout.write(`SWITCHYARD_ENDPOINT=${url}\n`),
  });
  if (runtime.dns !== undefined) io.stdout.write(`SWITCHYARD_DNS=${runtime.dns.host}:${runtime.dns.port}\n`);
  // The dashboard's DNS share chart starts now, so it already holds the history when a page opens.
  runtime.dashboard.start();
  io.stdout.write(`SWITCHYARD_DASHBOARD=${runtime.url}/\n`);
  io.stdout.write(`SWITCHYARD_READY=${runtime.url}\n`);
  const exposure = runtimeExposureWarning(flags.host ?? '127.0.0.1', runtime.url);
  if (exposure !== undefined) io.stderr.write(`switchyard local: ${exposure}\n`);
  if (!tty) {
    io.stderr.write(
      `switchyard local: ${runtime.url} serves Route 53, Step Functions, EventBridge, DynamoDB and CloudWatch alarms (state: ${runtime.stateDir ?? 'memory'})\n` +
        `  open ${runtime.url}/ in a browser: the dashboard (docs/dashboard.md)\n` +
        `  aws --endpoint-url ${runtime.url} route53 list-hosted-zones\n` +
        (runtime.dns === undefined ? '' : `  dig @${runtime.dns.host} -p ${runtime.dns.port} shop.example.com (DNS answers from the local zones)\n`) +
        `  switchyard local fail <cluster> | switchyard local heal <cluster>\n`,
    );
  }
  for (const outcome of runtime.recovered) log(`after the restart: ${outcome.workflow} ${outcome.action}: ${outcome.detail}`);
  io.started?.(runtime);
  let view: StatusView | undefined;
  if (flags.quiet !== true) {
    view = new StatusView({
      collect: async () => {
        const status = await runtime.status();
        return tty ? { ...status, log: [...recentLog] } : status;
      },
      write: (text) => void io.stdout.write(text),
      tty,
      intervalMs: refreshMs,
      rows: () => io.stdout.rows,
    });
    if (tty) io.stdout.write('\x1b[2J');
    view.start();
  }
  await stop;
  view?.stop();
  await runtime.close();
  return EXIT.ok;
}

/** The default action of `switchyard local`: the whole runtime. */
export function registerLocalRuntime(local: Command): void {
  local
    .option('--fleet <dir>', 'fleet folder (with fleet.yaml)', DEFAULT_FLEET_PATH)
    .option('--port <port>', 'port of the endpoint (default: $SWITCHYARD_PORT or 4566; 0 picks a free one)')
    .option('--host <address>', 'address to listen on; anything but loopback exposes the AWS APIs to the network (see docs/local-runtime.md)', '127.0.0.1')
    .option('--dns-port <port>', `port of the DNS server, UDP and TCP on --host (default ${DEFAULT_DNS_PORT}; 0 picks a free one)`)
    .option('--state <dir>', 'state folder (Route 53, DynamoDB, executions, event rules, alarms)', DEFAULT_STATE_DIR)
    .option('--reset', 'start from a clean state folder')
    .option('--time-scale <factor>', 'multiply every wait: health-check intervals, INSYNC delay, workflow waits (0.01 for a quick rehearsal)')
    .option('--refresh <ms>', 'status view refresh interval', '1000')
    .option('--quiet', 'no status view')
    .action(async (flags: LocalRuntimeFlags) => {
      process.exitCode = await runLocalRuntime(flags, { stdout: process.stdout, stderr: process.stderr });
    });
}
