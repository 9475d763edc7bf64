// The edges' canary (docs/edge.md, "Health"): the agent on an edge cluster requests, on an
// interval, each workload cluster's canary at that cluster's own ingress load balancer (the
// edge's next hop; never the upstream name, never another edge) and hands the answers to a
// sink: on AWS, CloudWatch PutMetricData of Switchyard/Upstream Reachable per workload
// cluster (cloudWatchUpstreamSink), which each cluster's upstream alarm reads (Maximum
// over the edges) and its upstream records' CLOUDWATCH_METRIC health check follows. The
// local runtime runs this same code for its simulated edges with a sink of its own.
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, isIP } from 'node:net';
import { errorMessage } from '../core/errors.ts';
import { UPSTREAM_METRIC } from '../core/metric-names.ts';
import type { UpstreamProbeTarget } from '../core/upstream.ts';
import type { AgentLogger } from './log.ts';

/** One probe's answer: reachable, or why not. */
export interface ProbeResult {
  reachable: boolean;
  /** `HTTP 503`, `timeout after 5000 ms`, `connect ECONNREFUSED ...` when not reachable. */
  reason?: string;
}

/** One workload cluster's answer in a round. */
export interface UpstreamSample extends ProbeResult {
  cluster: string;
  at: Date;
}

/** Where a round's answers go (CloudWatch on AWS). A rejection is counted and logged; the next round sends again. */
export interface UpstreamMetricSink {
  publish(samples: readonly UpstreamSample[]): Promise<void>;
}

/** What /metrics shows of the canary. */
export interface UpstreamCanarySnapshot {
  /** Per workload cluster: its last answer (undefined before the first), probes by result. */
  clusters: Array<{ cluster: string; reachable: boolean | undefined; probes: { reachable: number; unreachable: number } }>;
  /** Rounds whose answers the sink refused. */
  publishErrors: number;
  /** Seconds since the sink last accepted a round (undefined before the first). */
  lastPublishAgeSeconds: number | undefined;
}

export interface UpstreamCanaryOptions {
  /** This edge cluster (logs). */
  edge: string;
  targets: readonly UpstreamProbeTarget[];
  sink: UpstreamMetricSink;
  timeoutMs: number;
  /** The probes' timer (default plainTimer; the local runtime's does not count its own stalls). */
  timer?: ProbeTimer;
  log?: AgentLogger;
  now?: () => Date;
}

export interface UpstreamCanary {
  /** Probes every target once and publishes the answers; rounds run one after another. */
  round(): Promise<UpstreamSample[]>;
  /** Runs a round now and then every `intervalMs` until stop(). */
  start(intervalMs: number): void;
  snapshot(): UpstreamCanarySnapshot;
  stop(): void;
}

/** Calls `onExpire` after `ms` unless cleared: a probe's timeout. */
export type ProbeTimer = (ms: number, onExpire: () => void) => { clear(): void };

/** A plain timer: what the agent uses in a Pod. */
export const plainTimer: ProbeTimer = (ms, onExpire) => {
  const timer = setTimeout(onExpire, ms);
  return { clear: () => clearTimeout(timer) };
};

/** 2xx and 3xx count as reachable, as for Route 53's HTTP checks. */
const answered = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 400;

/**
 * One request of the target's canary at its address, Host (and, for HTTPS, the TLS
 * server name) = the cluster's canary hostname. Like Route 53's checkers, HTTPS does not
 * validate the certificate: the question is whether the cluster answers, and nothing
 * secret is sent. TCP only opens a connection.
 */
export function probeUpstream(target: UpstreamProbeTarget, timeoutMs: number, timer: ProbeTimer = plainTimer): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      timeout.clear();
      resolve(result);
    };
    const timeout = timer(timeoutMs, () => {
      done({ reachable: false, reason: `timeout after ${timeoutMs} ms` });
      req?.destroy();
      socket?.destroy();
    });
    let req: ClientRequest | undefined;
    let socket: ReturnType<typeof connect> | undefined;
    if (target.protocol === 'TCP') {
      socket = connect({ host: target.address, port: target.port }, () => {
        done({ reachable: true });
        socket?.end();
      });
      socket.on('error', (error) => done({ reachable: false, reason: errorMessage(error) }));
      return;
    }
    const onResponse = (res: IncomingMessage) => {
      res.resume();
      done(answered(res.statusCode) ? { reachable: true } : { reachable: false, reason: `HTTP ${res.statusCode ?? '?'}` });
    };
    const common = { host: target.address, port: target.port, path: target.path, method: 'GET', headers: { host: target.host }, agent: false } as const;
    req =
      target.protocol === 'HTTPS'
        ? httpsRequest({ ...common, servername: isIP(target.host) ? '' : target.host, rejectUnauthorized: false }, onResponse)
        : httpRequest(common, onResponse);
    req.on('error', (error) => done({ reachable: false, reason: errorMessage(error) }));
    req.end();
  });
}

export function createUpstreamCanary(options: UpstreamCanaryOptions): UpstreamCanary {
  const now = options.now ?? (() => new Date());
  const last = new Map<string, boolean>();
  const probes = new Map(options.targets.map((t) => [t.cluster, { reachable: 0, unreachable: 0 }]));
  let publishErrors = 0;
  let lastPublish: Date | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const probeAll = async (): Promise<UpstreamSample[]> => {
    const samples = await Promise.all(
      options.targets.map(async (target): Promise<UpstreamSample> => {
        const result = await probeUpstream(target, options.timeoutMs, options.timer);
        return { cluster: target.cluster, at: now(), ...result };
      }),
    );
    for (const sample of samples) {
      const before = last.get(sample.cluster);
      last.set(sample.cluster, sample.reachable);
      probes.get(sample.cluster)![sample.reachable ? 'reachable' : 'unreachable'] += 1;
      if (before !== sample.reachable) {
        options.log?.log(sample.reachable ? 'info' : 'warn', sample.reachable ? 'upstream reachable' : 'upstream unreachable', {
          edge: options.edge,
          upstream: sample.cluster,
          ...(sample.reason === undefined ? {} : { reason: sample.reason }),
        });
      }
    }
    if (stopped || samples.length === 0) return samples;
    try {
      await options.sink.publish(samples);
      lastPublish = now();
    } catch (error) {
      publishErrors += 1;
      options.log?.log('warn', 'upstream metric not published (the next round sends again)', { edge: options.edge, reason: errorMessage(error) });
      throw error;
    }
    return samples;
  };

  // Rounds run one after another, so a late answer never overwrites a newer one.
  let chain: Promise<unknown> = Promise.resolve();
  let pending = 0;
  const round = (): Promise<UpstreamSample[]> => {
    pending += 1;
    const next = chain.catch(() => undefined).then(probeAll);
    chain = next.finally(() => (pending -= 1));
    return next;
  };
  const tick = () => {
    // A round still running (slow targets) is not queued behind: the next tick tries again.
    if (pending === 0 && !stopped) round().catch(() => undefined);
  };

  return {
    round,
    start(intervalMs) {
      if (timer !== undefined || stopped) return;
      tick();
      timer = setInterval(tick, Math.max(20, intervalMs));
      timer.unref();
    },
    snapshot: () => ({
      clusters: options.targets.map((t) => ({ cluster: t.cluster, reachable: last.get(t.cluster), probes: { ...probes.get(t.cluster)! } })),
      publishErrors,
      lastPublishAgeSeconds: lastPublish === undefined ? undefined : Math.max(0, (now().getTime() - lastPublish.getTime()) / 1000),
    }),
    stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
    },
  };
}

/** PutMetricData takes at most 1,000 datums a request. */
const MAX_DATUMS = 1000;

/**
 * The CloudWatch sink: one datum per workload cluster, UPSTREAM_METRIC with the dimension
 * Cluster only (the alarm reads exactly that metric), standard resolution (Route 53's
 * metric checks support no other). The client must be in the upstream alarms' region.
 */
export function cloudWatchUpstreamSink(client: Pick<CloudWatchClient, 'send'>): UpstreamMetricSink {
  return {
    async publish(samples) {
      const data: MetricDatum[] = samples.map((s) => ({
        MetricName: UPSTREAM_METRIC.name,
        Dimensions: [{ Name: UPSTREAM_METRIC.dimension, Value: s.cluster }],
        Timestamp: s.at,
        Value: s.reachable ? 1 : 0,
        Unit: 'None',
        StorageResolution: 60,
      }));
      for (let i = 0; i < data.length; i += MAX_DATUMS) {
        await client.send(new PutMetricDataCommand({ Namespace: UPSTREAM_METRIC.namespace, MetricData: data.slice(i, i + MAX_DATUMS) }));
      }
    },
  };
}
