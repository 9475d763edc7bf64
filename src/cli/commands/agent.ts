// `switchyard agent --fleet <dir> --cluster <name>`: runs inside a cluster (deploy/agent/,
// docs/agent.md). Watches the cluster's Gateways through the in-cluster API server and
// sends `Gateway Published` / `Gateway Withdrawn` to the stage's bus until SIGTERM, then
// flushes what is pending and exits 0 (1 when events were lost at shutdown). On an edge
// cluster it also runs the edges' canary (docs/edge.md, "Health"), publishing to CloudWatch.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Command } from 'commander';
import { runAgent } from '../../agent/run.ts';
import { DEFAULT_REPUBLISH_MS } from '../../agent/agent.ts';
import { cloudWatchUpstreamSink } from '../../agent/upstream-canary.ts';
import { loadFleet } from '../../fleet/fleet-file.ts';
import type { ClusterConfig, FleetConfig } from '../../core/config.ts';
import { upstreamAlarmRegion, upstreamClusters, upstreamProbeTargets, type UpstreamProbeTarget } from '../../core/upstream.ts';
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
  upstreamCanary: string;
  upstreamTarget: string[];
  upstreamIntervalSeconds?: string;
  cloudwatchEndpointUrl?: string;
}

export const UPSTREAM_CANARY_MODES = ['auto', 'on', 'off'] as const;
/** A probe waits at most this long (and never longer than the interval). */
export const UPSTREAM_PROBE_TIMEOUT_MS = 5000;
/** The upstream alarm's period is 60 s: at least two rounds must land in each. */
const MAX_UPSTREAM_INTERVAL_SECONDS = 30;

function positive(value: string, flag: string, { integer = false, min = 0 } = {}): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    throw new InvalidInput(`${flag} "${value}": expected ${integer ? 'an integer' : 'a number'} ≥ ${min}`, { flag, value });
  return n;
}

export interface UpstreamCanaryConfig {
  targets: UpstreamProbeTarget[];
  intervalMs: number;
  timeoutMs: number;
  /** CloudWatch's region: where the upstream alarms are. */
  region: string;
}

/**
 * Whether this agent runs the edges' canary, and against what. `auto` (the default): on an
 * edge cluster of a fleet with workload clusters, off anywhere else; `on` on a workload
 * cluster is refused. Each workload cluster is probed at its `entryPoint`, or at the address
 * `--upstream-target <cluster>=<address>` gives (an internal load balancer's name); one with
 * neither is refused, naming it.
 */
export function upstreamCanaryConfig(
  fleet: FleetConfig,
  cluster: ClusterConfig,
  options: Pick<AgentCliOptions, 'upstreamCanary' | 'upstreamTarget' | 'upstreamIntervalSeconds'>,
): UpstreamCanaryConfig | undefined {
  const mode = options.upstreamCanary;
  if (!(UPSTREAM_CANARY_MODES as readonly string[]).includes(mode))
    throw new InvalidInput(`--upstream-canary "${mode}": expected ${UPSTREAM_CANARY_MODES.join(', ')}`, { flag: '--upstream-canary', value: mode });
  const workload = upstreamClusters(fleet).map((c) => c.name);
  if (mode === 'on' && cluster.role !== 'edge')
    throw new InvalidInput(`--upstream-canary on: cluster ${cluster.name} is a workload cluster; the edges' canary runs on edge clusters only (docs/edge.md)`, {
      flag: '--upstream-canary',
    });
  if (mode === 'on' && workload.length === 0)
    throw new InvalidInput(`--upstream-canary on: the fleet has no workload cluster behind the edges to probe`, { flag: '--upstream-canary' });
  const addresses: Record<string, string> = {};
  for (const entry of options.upstreamTarget) {
    const match = /^([^=\s]+)=([^=\s]+)$/.exec(entry);
    if (!match)
      throw new InvalidInput(`--upstream-target "${entry}": expected <cluster>=<address>, e.g. east=internal-mesh-east.elb.us-east-1.amazonaws.com`, {
        flag: '--upstream-target',
      });
    const [, name, address] = match as unknown as [string, string, string];
    if (!workload.includes(name))
      throw new InvalidInput(`--upstream-target "${entry}": ${name} is not a workload cluster behind the edges (${workload.join(', ') || 'none'})`, {
        flag: '--upstream-target',
      });
    addresses[name] = address;
  }
  if (mode === 'off' || cluster.role !== 'edge' || workload.length === 0) return undefined;
  const interval =
    options.upstreamIntervalSeconds === undefined
      ? fleet.healthCheck.intervalSeconds
      : positive(options.upstreamIntervalSeconds, '--upstream-interval-seconds', { min: 1 });
  if (interval > MAX_UPSTREAM_INTERVAL_SECONDS)
    throw new InvalidInput(
      `--upstream-interval-seconds "${interval}": at most ${MAX_UPSTREAM_INTERVAL_SECONDS} (the upstream alarm reads 60 s periods; a period without data is ALARM)`,
      { flag: '--upstream-interval-seconds' },
    );
  const { targets, missing } = upstreamProbeTargets(fleet, addresses);
  if (missing.length > 0)
    throw new InvalidInput(
      `the edges' canary has no address for ${missing.join(', ')}: pin clusters[].entryPoint in the fleet or pass --upstream-target <cluster>=<load balancer>`,
      { clusters: missing },
    );
  const intervalMs = Math.round(interval * 1000);
  return { targets, intervalMs, timeoutMs: Math.min(UPSTREAM_PROBE_TIMEOUT_MS, intervalMs), region: upstreamAlarmRegion(fleet)! };
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
  const canary = upstreamCanaryConfig(fleet.config, cluster, options);
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
    ...(canary
      ? {
          upstreamCanary: {
            targets: canary.targets,
            intervalMs: canary.intervalMs,
            timeoutMs: canary.timeoutMs,
            // Credentials from the default chain (the agent role, which an edge may use to put this metric only).
            sink: cloudWatchUpstreamSink(
              new CloudWatchClient({ region: canary.region, ...(options.cloudwatchEndpointUrl ? { endpoint: options.cloudwatchEndpointUrl } : {}) }),
            ),
          },
        }
      : {}),
  });
  await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
  const summary = await running.stop();
  return summary.flushed && summary.lost === 0 ? EXIT.ok : EXIT.failed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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
    .option('--upstream-canary <mode>', "the edges' canary: auto (on for an edge cluster), on, off", 'auto')
    .option('--upstream-target <cluster=address>', 'probe this workload cluster at this address (default its entryPoint); repeatable', collect, [])
    .option('--upstream-interval-seconds <n>', "how often the edges' canary probes (default the fleet's healthCheck.intervalSeconds; at most 30)")
    .option('--cloudwatch-endpoint-url <url>', "CloudWatch endpoint of the edges' canary (default AWS's, in the upstream alarms' region)")
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
