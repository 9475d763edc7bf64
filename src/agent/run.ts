// Runs one agent as a process does (`switchyard agent`, or the local runtime's agents):
// in-cluster configuration, the PutEvents sender on the stage's bus with the SDK's
// default credential chain (EKS Pod Identity or IRSA in a Pod), the HTTP port, JSON logs,
// and a graceful stop when `signal` aborts (SIGTERM): pending events are flushed first.
// On an edge cluster, the edges' canary too (upstream-canary.ts), when it is given one.
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { RetryOptions } from '../aws/retry.ts';
import type { ClusterConfig } from '../core/config.ts';
import { agentSource } from '../core/gateway-events.ts';
import { putEventsSender } from '../k8s/forwarder-sender.ts';
import { inClusterConfig, SERVICE_ACCOUNT_DIR } from '../k8s/in-cluster.ts';
import { startAgent, type Agent, type AgentOptions, type AgentStopSummary } from './agent.ts';
import { startAgentHttp, type AgentHttp } from './http.ts';
import { environmentSecrets, jsonLogger, type AgentLogger } from './log.ts';
import { createUpstreamCanary, type UpstreamCanary, type UpstreamCanaryOptions } from './upstream-canary.ts';

export interface RunAgentOptions {
  cluster: ClusterConfig;
  canaries: ReadonlyMap<string, string>;
  client: EventBridgeClient;
  eventBusName: string;
  env?: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
  /** Port of /healthz, /readyz and /metrics; null = none. */
  httpPort?: number | null;
  httpHost?: string;
  republishMs?: number;
  flushTimeoutMs?: number;
  retry?: RetryOptions;
  log?: AgentLogger;
  write?: (line: string) => void;
  tune?: Pick<AgentOptions, 'backoff' | 'watch' | 'retryFullMs'>;
  /** The edges' canary (an edge cluster only): its targets and sink, and how often it probes. */
  upstreamCanary?: Pick<UpstreamCanaryOptions, 'targets' | 'sink' | 'timeoutMs'> & { intervalMs: number };
}

export interface RunningAgent {
  agent: Agent;
  http: AgentHttp | undefined;
  /** The edges' canary, when this agent runs it. */
  upstreamCanary: UpstreamCanary | undefined;
  log: AgentLogger;
  stop(): Promise<AgentStopSummary>;
}

export async function runAgent(options: RunAgentOptions): Promise<RunningAgent> {
  const env = options.env ?? process.env;
  const log = options.log ?? jsonLogger(options.write ?? ((line) => process.stdout.write(`${line}\n`)), { secrets: environmentSecrets(env) });
  const config = inClusterConfig(env, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  const token = async () => {
    const value = await config.token();
    log.secret(value);
    return value;
  };
  log.secret(await token());
  const agent = startAgent({
    cluster: options.cluster,
    canaries: options.canaries,
    api: { server: config.server, caData: config.caData, token },
    onUnauthorized: () => config.invalidate(),
    sender: (signal) =>
      putEventsSender({
        client: options.client,
        eventBusName: options.eventBusName,
        source: agentSource(options.cluster.name),
        signal,
        ...(options.retry ? { retry: options.retry } : {}),
        onRetry: ({ attempt, delayMs, error }) =>
          log.log('warn', 'PutEvents retried', { attempt, delayMs, reason: error instanceof Error ? error.message : String(error) }),
      }),
    log,
    ...(options.republishMs === undefined ? {} : { republishMs: options.republishMs }),
    ...options.tune,
  });
  const canary =
    options.upstreamCanary === undefined
      ? undefined
      : createUpstreamCanary({
          edge: options.cluster.name,
          targets: options.upstreamCanary.targets,
          sink: options.upstreamCanary.sink,
          timeoutMs: options.upstreamCanary.timeoutMs,
          log,
        });
  const metrics = () => ({ ...agent.metrics(), ...(canary === undefined ? {} : { upstream: canary.snapshot() }) });
  let serving = true;
  const http =
    options.httpPort === null
      ? undefined
      : await startAgentHttp({
          port: options.httpPort ?? 8080,
          ...(options.httpHost ? { host: options.httpHost } : {}),
          metrics,
          serving: () => serving,
        }).catch(async (error: unknown) => {
          await agent.stop({ flushTimeoutMs: 0 });
          throw error;
        });
  canary?.start(options.upstreamCanary!.intervalMs);
  log.log('info', 'agent started', {
    cluster: options.cluster.name,
    server: config.server,
    bus: options.eventBusName,
    source: agentSource(options.cluster.name),
    ...(http ? { httpPort: http.port } : {}),
    ...(canary ? { upstreamCanary: options.upstreamCanary!.targets.map((t) => `${t.cluster} at ${t.address}:${t.port}`) } : {}),
  });
  let stopping: Promise<AgentStopSummary> | undefined;
  return {
    agent,
    http,
    upstreamCanary: canary,
    log,
    stop: () =>
      (stopping ??= (async () => {
        serving = false;
        canary?.stop();
        log.log('info', 'stopping: sending what is pending', { cluster: options.cluster.name });
        const summary = await agent.stop({ flushTimeoutMs: options.flushTimeoutMs ?? 10_000 });
        await http?.close();
        log.log(summary.flushed ? 'info' : 'warn', 'stopped', { cluster: options.cluster.name, ...summary });
        return summary;
      })()),
  };
}
