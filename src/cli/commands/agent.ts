// `switchyard agent --fleet <dir> --cluster <name>`: runs inside a cluster (deploy/agent/,
// docs/agent.md). Watches the cluster's Gateways through the in-cluster API server and
// sends `Gateway Published` / `Gateway Withdrawn` to the stage's bus until SIGTERM, then
// flushes what is pending and exits 0 (1 when events were lost at shutdown).
import type { Command } from 'commander';
import { runAgent } from '../../agent/run.ts';
import { DEFAULT_REPUBLISH_MS } from '../../agent/agent.ts';
import { loadFleet } from '../../fleet/fleet-file.ts';
import { InvalidInput, UnknownCluster } from '../../core/errors.ts';
import { BUS_ENV, busFromEnv } from '../../core/events.ts';
import { checkBusName, createEventBridgeClient } from '../../k8s/forwarder-sender.ts';
import { SERVICE_ACCOUNT_DIR } from '../../k8s/in-cluster.ts';
import { canaryHostnames } from '../../k8s/parse/cluster.ts';
import { EXIT } from '../exit-codes.ts';

export interface AgentCliOptions {
  fleet: string;
  cluster?: string;
  bus?: string;
  endpointUrl?: string;
  port: string;
  republishMinutes: string;
  flushSeconds: string;
  serviceAccountDir: string;
}

function positive(value: string, flag: string, { integer = false, min = 0 } = {}): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    throw new InvalidInput(`${flag} "${value}": expected ${integer ? 'an integer' : 'a number'} ≥ ${min}`, { flag, value });
  return n;
}

export async function runAgentCommand(
  options: AgentCliOptions,
  io: { env: NodeJS.ProcessEnv; signal: AbortSignal; write?: (line: string) => void },
): Promise<number> {
  const clusterName = options.cluster ?? io.env.SWITCHYARD_CLUSTER;
  if (!clusterName) throw new InvalidInput('--cluster (or SWITCHYARD_CLUSTER) is required: the fleet cluster this agent runs in', { flag: '--cluster' });
  const bus = checkBusName(options.bus ?? busFromEnv(io.env)?.bus ?? '', options.bus ? '--bus' : `--bus (or ${BUS_ENV})`);
  const port = positive(options.port, '--port', { integer: true, min: 0 });
  if (port > 65535) throw new InvalidInput(`--port "${options.port}": expected 0-65535`, { flag: '--port' });
  const republishMs = Math.round(positive(options.republishMinutes, '--republish-minutes', { min: 0.01 }) * 60_000);
  const flushTimeoutMs = Math.round(positive(options.flushSeconds, '--flush-seconds') * 1000);
  const fleet = await loadFleet(options.fleet);
  const cluster = fleet.config.clusters.find((c) => c.name === clusterName);
  if (!cluster)
    throw new UnknownCluster(
      clusterName,
      fleet.config.clusters.map((c) => c.name),
    );
  const running = await runAgent({
    cluster,
    canaries: canaryHostnames(fleet.config.clusters),
    client: createEventBridgeClient(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }, io.env),
    eventBusName: bus,
    env: io.env,
    serviceAccountDir: options.serviceAccountDir,
    httpPort: port,
    republishMs,
    flushTimeoutMs,
    ...(io.write ? { write: io.write } : {}),
  });
  await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
  const summary = await running.stop();
  return summary.flushed && summary.lost === 0 ? EXIT.ok : EXIT.failed;
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run inside a cluster: watch its Gateways and send Gateway Published / Withdrawn to the bus (docs/agent.md)')
    .requiredOption('--fleet <path>', 'fleet folder or fleet.yaml (mounted from a ConfigMap in the Pod)')
    .option('--cluster <name>', 'the fleet cluster this agent runs in (default SWITCHYARD_CLUSTER)')
    .option('--bus <name>', `event bus name or ARN (default ${BUS_ENV})`)
    .option('--endpoint-url <url>', 'EventBridge endpoint (the local runtime)')
    .option('--port <n>', 'port of /healthz, /readyz and /metrics', '8080')
    .option('--republish-minutes <n>', 'publish everything again this often', String(DEFAULT_REPUBLISH_MS / 60_000))
    .option('--flush-seconds <n>', 'at SIGTERM, how long pending events may take to send', '10')
    .option('--service-account-dir <dir>', 'the service account token, ca.crt and namespace', SERVICE_ACCOUNT_DIR)
    .action(async (options: AgentCliOptions) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        process.exitCode = await runAgentCommand(options, { env: process.env, signal: stop.signal });
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
