// `switchyard discover --fleet <dir>`: what each cluster publishes, and the problems.
// Reads manifest folders (clusters[].manifests) or EKS API servers; changes nothing.
// With --watch it keeps watching and sends each change to EventBridge as `Gateway
// Published` / `Gateway Withdrawn` events until SIGINT/SIGTERM.
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { eksAccessProvider } from '../../aws/eks.ts';
import type { RetryOptions } from '../../aws/retry.ts';
import { loadFleet } from '../../fleet/fleet-file.ts';
import type { LoadedFleet } from '../../fleet/fleet-file.ts';
import type { ClusterConfig } from '../../core/config.ts';
import { InvalidInput, errorMessage } from '../../core/errors.ts';
import { BUS_ENV, busFromEnv } from '../../core/events.ts';
import { eksClusterReader, type EksSourceOptions } from '../../k8s/eks-source.ts';
import { startForwarder } from '../../k8s/forwarder.ts';
import { eksClusterFeed } from '../../k8s/forwarder-eks.ts';
import { manifestFolderFeed } from '../../k8s/forwarder-files.ts';
import { checkBusName, createEventBridgeClient, putEventsSender } from '../../k8s/forwarder-sender.ts';
import { formatNotice, formatSent, sentJson } from '../../k8s/forwarder-state.ts';
import { canaryHostnames } from '../../k8s/parse/cluster.ts';
import { discoveryReport, formatReport } from '../../k8s/report.ts';
import { clusterSource, manifestFolderReader } from '../../k8s/source.ts';
import type { EndpointSource } from '../../core/ports.ts';
import { EXIT } from '../exit-codes.ts';
import { parseSourceFlag, type SourceKind } from '../source-flag.ts';

/** What discover reads: Gateways, from manifests folders or the clusters' API servers. */
export const SOURCES = ['auto', 'manifests', 'eks'] as const satisfies readonly SourceKind[];
export type SourceChoice = (typeof SOURCES)[number];

export interface DiscoverOptions {
  fleet: string;
  json?: boolean;
  source?: SourceChoice;
  /** Keep watching and send changes to EventBridge (runDiscoverWatch). */
  watch?: boolean;
  /** --watch: the event bus (name or ARN). Default SWITCHYARD_BUS (or SWITCHYARD_EVENT_BUS, its earlier name), else "default". */
  bus?: string;
  /** --watch: the EventBridge endpoint, e.g. http://127.0.0.1:4566 (the local runtime). */
  endpointUrl?: string;
  /** --watch: send `Gateway Published` for everything found at start. */
  publishExisting?: boolean;
}

export interface DiscoverIo {
  out(text: string): void;
  /** EKS access settings (tests inject clients). */
  eks?: EksSourceOptions;
}

/** Whether `cluster` is read from its manifests folder (else from EKS). */
function readsFiles(choice: SourceChoice, cluster: ClusterConfig): boolean {
  return choice === 'manifests' || (choice === 'auto' && cluster.manifests !== undefined);
}

/** `auto`: a cluster with a manifests folder is read from it, any other from EKS. */
export function sourceFor(fleet: LoadedFleet, choice: SourceChoice, eks: EksSourceOptions = {}): EndpointSource {
  const files = manifestFolderReader(fleet.dir);
  const api = eksClusterReader(eks);
  return clusterSource(fleet.config, (cluster) => (readsFiles(choice, cluster) ? files : api));
}

/**
 * Runs the verb; returns the exit code (1: a cluster could not be read or problems
 * were found). Every cluster is read: an app's routing depends on all the clusters publishing it.
 */
export async function runDiscover(options: DiscoverOptions, io: DiscoverIo): Promise<number> {
  for (const [flag, set] of [
    ['--bus', options.bus],
    ['--endpoint-url', options.endpointUrl],
    ['--publish-existing', options.publishExisting],
  ] as const) {
    if (set !== undefined && set !== false) throw new InvalidInput(`${flag} only applies with --watch`, { flag });
  }
  const fleet = await loadFleet(options.fleet);
  const clusters = fleet.config.clusters.map((c) => c.name);
  const result = await sourceFor(fleet, options.source ?? 'auto', io.eks).list();
  const report = discoveryReport(fleet.config, result);
  if (options.json) {
    const endpoints = report.endpoints.map((e) => ({
      cluster: e.cluster,
      hostname: e.hostname,
      kind: e.kind,
      gateway: e.gateway,
      entryPoint: e.entryPoint,
      routing: e.routing,
      weight: e.weight,
      failover: e.failover,
      health: e.health,
      canary: e.canary,
      enabled: e.enabled,
    }));
    io.out(
      JSON.stringify({ endpoints, problems: report.problems, unreachable: report.unreachable, ...(report.edges ? { edges: report.edges } : {}) }, null, 2),
    );
  } else {
    io.out(formatReport(report, clusters));
  }
  return report.unreachable.length > 0 || report.problems.length > 0 ? EXIT.failed : EXIT.ok;
}

export interface WatchIo extends DiscoverIo {
  /** Notices (watching, unreachable, problems, retries, not sent); default: `out`. */
  err?(text: string): void;
  /** Aborted on SIGINT/SIGTERM: stop watching, flush, return. */
  signal: AbortSignal;
  /** Default: createEventBridgeClient({ endpointUrl }). */
  eventBridge?: EventBridgeClient;
  env?: NodeJS.ProcessEnv;
  /** PutEvents retry backoff (tests shorten it). */
  retry?: RetryOptions;
  /** How long shutdown waits for events still being sent. Default 10 s. */
  flushTimeoutMs?: number;
  /** File source: quiet time before a re-read, and the periodic re-read. */
  files?: { debounceMs?: number; resyncMs?: number };
  /** EKS source: backoff and watcher settings. */
  watcher?: Pick<Parameters<typeof eksClusterFeed>[0], 'backoff' | 'watch' | 'timeoutMs'>;
}

/**
 * `discover --watch`: watches every fleet cluster and sends each change as Gateway
 * events to the bus, one output line per event sent, until `io.signal` aborts. Exit
 * code 0 when every event was sent, 1 when some could not be.
 */
export async function runDiscoverWatch(options: DiscoverOptions, io: WatchIo): Promise<number> {
  const fleet = await loadFleet(options.fleet);
  const env = io.env ?? process.env;
  const err = io.err ?? io.out;
  const fromEnv = busFromEnv(env);
  const bus = checkBusName(options.bus ?? fromEnv?.bus ?? 'default', options.bus !== undefined ? '--bus' : (fromEnv?.variable ?? BUS_ENV));
  const client = io.eventBridge ?? createEventBridgeClient(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }, env);
  try {
    await client.config.region();
  } catch (error) {
    if (!io.eventBridge) client.destroy();
    throw new InvalidInput(`no AWS region for EventBridge (set AWS_REGION to the bus's region): ${errorMessage(error)}`, {}, error);
  }
  const choice = options.source ?? 'auto';
  const canaries = canaryHostnames(fleet.config.clusters);
  const accessFor = io.eks?.accessFor ?? eksAccessProvider(io.eks);
  const publishExisting = options.publishExisting ?? false;

  const forwarder = startForwarder({
    clusters: fleet.config.clusters,
    feedFor: (cluster, hooks) =>
      readsFiles(choice, cluster)
        ? manifestFolderFeed({ fleetDir: fleet.dir, cluster, canaries, hooks, publishExisting, ...io.files })
        : eksClusterFeed({ cluster, canaries, hooks, accessFor, publishExisting, ...io.watcher }),
    sender: (signal) =>
      putEventsSender({
        client,
        eventBusName: bus,
        signal,
        ...(io.retry ? { retry: io.retry } : {}),
        onSent: ({ event, eventId }) => io.out(options.json ? sentJson(event, eventId, bus) : formatSent(event, eventId)),
        onLost: ({ event, reason }) => err(`not sent: ${formatSent(event, '-').slice('sent '.length)}: ${reason}`),
        onRetry: ({ attempt, delayMs, error }) => err(`EventBridge: ${errorMessage(error)}; retry ${attempt} in ${Math.round(delayMs)} ms`),
      }),
    notice: (notice) => err(formatNotice(notice)),
  });
  const where = options.endpointUrl ?? env['AWS_ENDPOINT_URL_EVENTBRIDGE'] ?? env['AWS_ENDPOINT_URL'];
  err(
    `forwarding Gateway changes of ${forwarder.feeds.map((f) => `${f.cluster} (${f.description})`).join(', ')} to EventBridge bus ${bus}${where ? ` at ${where}` : ''}; stop with Ctrl-C`,
  );

  await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
  err('stopping: closing watches and sending what is pending');
  const summary = await forwarder.stop(io.flushTimeoutMs === undefined ? {} : { flushTimeoutMs: io.flushTimeoutMs });
  if (!io.eventBridge) client.destroy();
  err(`stopped: ${summary.sent} event(s) sent, ${summary.lost} not sent${summary.flushed ? '' : ' (the flush time ran out)'}`);
  return summary.lost > 0 ? EXIT.failed : EXIT.ok;
}

/** An AbortSignal aborted by the first SIGINT or SIGTERM; a second one ends the process as usual. */
function shutdownSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const dispose = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  const stop = () => {
    dispose();
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { signal: controller.signal, dispose };
}

export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description(
      'Show the endpoints each cluster publishes (Gateway resources) and the problems found; changes nothing. With --watch, send each change to EventBridge until stopped',
    )
    .requiredOption('--fleet <dir>', 'fleet folder (with fleet.yaml)')
    .option(
      '--json',
      'print JSON: {"endpoints":[...],"problems":[...],"unreachable":[...]} (and "edges":[...] when the fleet has edge clusters); with --watch, one JSON line per event sent',
    )
    .option(
      '--source <source>',
      `${SOURCES.join(' | ')}; auto: a cluster's manifests folder when it has one, else EKS`,
      (value: string) => parseSourceFlag(value, SOURCES, (text) => console.error(text)),
      'auto',
    )
    .option('--watch', 'keep watching every cluster and send each change as a Gateway Published / Withdrawn event, until SIGINT/SIGTERM')
    .option('--bus <name>', '--watch: event bus name or ARN (default: $SWITCHYARD_BUS, else $SWITCHYARD_EVENT_BUS, else "default")')
    .option('--endpoint-url <url>', '--watch: EventBridge endpoint, e.g. http://127.0.0.1:4566 (default: AWS, or AWS_ENDPOINT_URL)')
    .option('--publish-existing', '--watch: also send Gateway Published for everything found at start')
    .action(async (options: DiscoverOptions) => {
      if (!options.watch) {
        process.exitCode = await runDiscover(options, { out: (text) => console.log(text) });
        return;
      }
      const shutdown = shutdownSignal();
      try {
        process.exitCode = await runDiscoverWatch(options, { out: (text) => console.log(text), err: (text) => console.error(text), signal: shutdown.signal });
      } finally {
        shutdown.dispose();
      }
    });
}
