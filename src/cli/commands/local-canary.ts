// `switchyard local fail <cluster> [--app <hostname>]` / `switchyard local heal ...`: make a
// simulated cluster (or one app on it) fail or recover in the running local runtime,
// through its local-only control API (/_switchyard/...). The rest follows as on AWS: the
// Route 53 health checks see it (the canary check for the cluster, the app's per-app
// check for --app), the cluster's alarm changes state, its event goes through
// EventBridge to the Failover workflow.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { errorMessage, SwitchyardError } from '../../core/errors.ts';
import { DEFAULT_PORT } from '@switchyard/local-aws';
import { CONTROL_PREFIX } from '../../local/runtime/control.ts';
import { DEFAULT_STATE_DIR } from '../../local/runtime/runtime.ts';
import { CONTROL_TOKEN_HEADER } from '../../local/runtime/state-dir.ts';
import { readControlToken, readRuntimeInfo } from '../../local/runtime/state-dir.ts';
import { EXIT } from '../exit-codes.ts';

export interface LocalControlFlags {
  endpointUrl?: string;
  state?: string;
  down?: boolean;
  /** One app (hostname) on the cluster instead of the whole cluster. */
  app?: string;
  json?: boolean;
}

export interface LocalControlIo {
  out(text: string): void;
  err(text: string): void;
  env?: NodeJS.ProcessEnv;
}

/**
 * The running runtime's URL: --endpoint-url, else the one the runtime using the state
 * folder wrote down, else AWS_ENDPOINT_URL, else 127.0.0.1 on SWITCHYARD_PORT (or 4566).
 */
export async function localEndpoint(flags: Pick<LocalControlFlags, 'endpointUrl' | 'state'>, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (flags.endpointUrl !== undefined) return flags.endpointUrl.replace(/\/$/, '');
  const info = await readRuntimeInfo(resolve(flags.state ?? DEFAULT_STATE_DIR));
  if (info !== undefined) return info.url;
  if (env.AWS_ENDPOINT_URL) return env.AWS_ENDPOINT_URL.replace(/\/$/, '');
  return `http://127.0.0.1:${env.SWITCHYARD_PORT || DEFAULT_PORT}`;
}

/**
 * The token the control API's writes need: $SWITCHYARD_CONTROL_TOKEN, else the one the
 * runtime using the state folder wrote there (readable by its user only).
 */
export async function localControlToken(flags: Pick<LocalControlFlags, 'state'>, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.SWITCHYARD_CONTROL_TOKEN) return env.SWITCHYARD_CONTROL_TOKEN;
  return readControlToken(resolve(flags.state ?? DEFAULT_STATE_DIR));
}

/** POSTs to the control API with the runtime's token; returns the JSON answer or throws a named error. */
export async function callControl(endpoint: string, path: string, body?: unknown, token?: string): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}${CONTROL_PREFIX}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { [CONTROL_TOKEN_HEADER]: token }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new Error(
      `no local runtime answers at ${endpoint} (${errorMessage((error as { cause?: unknown }).cause ?? error)}): start it with \`npm start\` or pass --endpoint-url`,
    );
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.ok) return answer;
  const message = typeof answer['message'] === 'string' ? answer['message'] : `HTTP ${response.status}`;
  // The runtime's named errors keep their names, so the exit code says "bad input" for them.
  if (answer['error'] === 'UnknownCluster' || answer['error'] === 'InvalidInput') throw new SwitchyardError(answer['error'], message);
  if (answer['error'] === 'AccessDenied') {
    throw new Error(
      `${endpoint}: ${message}${token === undefined ? " (no token found: pass the runtime's --state folder, or set SWITCHYARD_CONTROL_TOKEN)" : ''}`,
    );
  }
  throw new Error(`${endpoint}: ${message}`);
}

export async function runLocalCanary(action: 'fail' | 'heal', cluster: string, flags: LocalControlFlags, io: LocalControlIo): Promise<number> {
  const endpoint = await localEndpoint(flags, io.env);
  if (flags.app !== undefined && flags.down)
    throw new SwitchyardError('InvalidInput', `--down refuses connections to the whole cluster ${cluster}; it cannot be combined with --app ${flags.app}`);
  const app = flags.app === undefined ? {} : { app: flags.app };
  const token = await localControlToken(flags, io.env);
  const answer = await callControl(
    endpoint,
    `clusters/${encodeURIComponent(cluster)}/${action}`,
    action === 'fail' ? { mode: flags.down ? 'down' : 'failing', ...app } : flags.app === undefined ? undefined : app,
    token,
  );
  if (flags.json) {
    io.out(JSON.stringify(answer));
    return EXIT.ok;
  }
  const canary = answer['canary'] as { hostname?: string; mode?: string } | undefined;
  if (flags.app !== undefined) {
    io.out(
      `${flags.app} on ${cluster} ${action === 'heal' ? 'answers again' : 'answers HTTP 503'} (the canary and the other apps are untouched); its per-app health check follows within the health-check window`,
    );
    return EXIT.ok;
  }
  const what = action === 'heal' ? 'answers again' : canary?.mode === 'down' ? 'refuses connections' : 'answers HTTP 503';
  io.out(`canary of ${cluster} (${canary?.hostname ?? '?'}) ${what}; its Route 53 health check and alarm follow within the health-check window`);
  return EXIT.ok;
}

function register(local: Command, action: 'fail' | 'heal'): void {
  const command = local
    .command(`${action} <cluster>`)
    .description(
      action === 'fail'
        ? 'make a cluster fail (HTTP 503; --down: refuse connections), or one app on it (--app)'
        : 'make a cluster, or one app on it (--app), healthy again',
    )
    .option('--endpoint-url <url>', 'the local runtime (default: the one using --state, else $AWS_ENDPOINT_URL, else 127.0.0.1:$SWITCHYARD_PORT or 4566)')
    .option('--state <dir>', 'state folder of the runtime to find (and of its control token)', DEFAULT_STATE_DIR)
    .option(
      '--app <hostname>',
      action === 'fail' ? 'fail one app only: it answers 503 on this cluster, the canary and the other apps keep answering' : 'heal one app only',
    )
    .option('--json', 'print the answer as JSON');
  if (action === 'fail') command.option('--down', 'refuse connections instead of answering 503 (whole cluster only)');
  command.action(async (cluster: string, flags: LocalControlFlags) => {
    process.exitCode = await runLocalCanary(action, cluster, flags, { out: (t) => console.log(t), err: (t) => console.error(t) });
  });
}

export function registerLocalFail(local: Command): void {
  register(local, 'fail');
}

export function registerLocalHeal(local: Command): void {
  register(local, 'heal');
}
