// `switchyard agent`: one cluster's Gateways, watched from inside the cluster, kept in
// step on the stage's bus. ClusterWatcher lists and watches the cluster (resourceVersion,
// bookmarks, a re-list on 410); each change only moves the agent's *current picture*.
// One sender loop at a time turns the difference between the picture the bus was last
// told and the current one into `Gateway Published` / `Gateway Withdrawn` events, so a
// burst of changes to a hostname while a send is in flight is coalesced into its net
// effect. Everything is published again at start and every `republishMs` (a missed or
// lost event heals). A failed read holds the cluster (its last picture stands), and so
// does a read that suddenly publishes nothing at all (docs/discovery.md).
import type { ClusterConfig } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';
import { GATEWAY_EVENT_TYPES, type GatewayEvent } from '../core/gateway-events.ts';
import type { Problem, PublishedEndpoint } from '../core/model.ts';
import { KubeApiError, type KubeApiOptions, type WatchOptions } from '../k8s/api/client.ts';
import { gatewayEvents } from '../k8s/events.ts';
import { ObservedKubeApi, type Outcome } from '../k8s/forwarder-eks.ts';
import type { GatewayEventSender } from '../k8s/forwarder-sender.ts';
import { newProblems, trackReachability } from '../k8s/forwarder-state.ts';
import { ClusterWatcher, type ClusterWatchOptions } from '../k8s/watch.ts';
import type { AgentLogger } from './log.ts';
import type { AgentMetricsSnapshot } from './metrics.ts';

export const DEFAULT_REPUBLISH_MS = 10 * 60_000;

export interface AgentOptions {
  cluster: ClusterConfig;
  /** Every fleet cluster's canary hostname → cluster (canaryHostnames). */
  canaries: ReadonlyMap<string, string>;
  /** The API server (in-cluster: inClusterConfig). */
  api: Pick<KubeApiOptions, 'server' | 'caData' | 'token' | 'timeoutMs'>;
  /** Called after the API server refused the token (401): re-read it before the next request. */
  onUnauthorized?(): void;
  /** Builds the sender; `signal` aborts when the flush time at shutdown is up. */
  sender(signal: AbortSignal): GatewayEventSender;
  log: AgentLogger;
  /** Publish everything again this often (and re-list everything). Default 10 min. */
  republishMs?: number;
  /** After a full publish lost events, try again this soon. Default 30 s (at most republishMs). */
  retryFullMs?: number;
  backoff?: { minMs: number; maxMs: number };
  watch?: Pick<ClusterWatchOptions, 'debounceMs' | 'watchTimeoutSeconds'>;
  now?: () => Date;
}

export interface AgentStopSummary {
  sent: number;
  lost: number;
  /** False when the flush time ran out with events still being sent. */
  flushed: boolean;
}

export interface Agent {
  readonly cluster: string;
  /** True once the first full publish was sent. */
  readonly ready: boolean;
  /** The current picture (undefined before the first complete list). */
  readonly endpoints: readonly PublishedEndpoint[] | undefined;
  readonly problems: readonly Problem[];
  /** Why the cluster is held (cannot be read, or read as empty); undefined while it is read. */
  readonly unreachable: string | undefined;
  metrics(): AgentMetricsSnapshot;
  /** Resolves once the agent is ready or has found the cluster held (whichever comes first). */
  firstSync(): Promise<void>;
  /** Publishes everything now; resolves with the number of events sent. */
  republish(): Promise<number>;
  /** Stops watching, sends what the last changes produced (up to flushTimeoutMs), then gives up. */
  stop(options?: { flushTimeoutMs?: number }): Promise<AgentStopSummary>;
}

/** Counts every watch request after the first one per path: a restart. */
class AgentKubeApi extends ObservedKubeApi {
  readonly #started = new Set<string>();
  restarts = 0;

  override async watch(path: string, options: WatchOptions): Promise<void> {
    if (this.#started.has(path)) this.restarts++;
    this.#started.add(path);
    return super.watch(path, options);
  }
}

function count(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

export function startAgent(options: AgentOptions): Agent {
  const { cluster, log } = options;
  const now = options.now ?? (() => new Date());
  const republishMs = options.republishMs ?? DEFAULT_REPUBLISH_MS;
  const sending = new AbortController();
  const send = options.sender(sending.signal);
  const stats = { sent: {} as Record<string, number>, errors: {} as Record<string, number>, totalSent: 0, totalLost: 0 };

  let failing = new Map<string, string>();
  let held: string | undefined;
  let problems: readonly Problem[] = [];
  /** The picture the bus should hold. */
  let current: readonly PublishedEndpoint[] | undefined;
  /** The picture the bus was last told. */
  let told: readonly PublishedEndpoint[] = [];
  let fullWanted = false;
  let lastFullSync: Date | undefined;
  let loop: Promise<void> | undefined;
  let stopped = false;
  let firstSyncDone: () => void = () => {};
  const firstSync = new Promise<void>((resolve) => (firstSyncDone = resolve));
  let retryTimer: NodeJS.Timeout | undefined;

  const unreachable = () => held ?? (failing.size > 0 ? [...failing.values()][0] : undefined);

  const observe = (key: string, outcome: Outcome) => {
    if (outcome.ok && failing.size === 0) return;
    if (!outcome.ok && outcome.error instanceof KubeApiError && outcome.error.status === 401) options.onUnauthorized?.();
    const next = trackReachability(failing, cluster.name, key, outcome.ok ? { ok: true } : { ok: false, reason: outcome.reason });
    failing = next.failing;
    if (next.notice?.kind === 'unreachable') {
      log.log('warn', 'cluster unreachable: nothing is sent for it until it is back (its last picture stands)', {
        cluster: cluster.name,
        reason: next.notice.reason,
      });
      firstSyncDone();
    } else if (next.notice?.kind === 'reachable') {
      log.log('info', 'cluster reachable again', { cluster: cluster.name });
    }
  };

  const api = new AgentKubeApi(
    {
      server: options.api.server,
      timeoutMs: options.api.timeoutMs ?? 15_000,
      ...(options.api.caData ? { caData: options.api.caData } : {}),
      ...(options.api.token ? { token: options.api.token } : {}),
    },
    observe,
  );

  const sendEvents = async (events: GatewayEvent[]): Promise<{ sent: number; lost: number }> => {
    if (events.length === 0) return { sent: 0, lost: 0 };
    try {
      const result = await send(events);
      for (const s of result.sent) count(stats.sent, s.event.detailType);
      for (const l of result.lost) {
        count(stats.errors, 'sending');
        log.log('error', 'event not sent', {
          cluster: cluster.name,
          detailType: l.event.detailType,
          gateway: l.event.detail.gateway,
          hostnames: l.event.detail.hostnames,
          reason: l.reason,
        });
      }
      for (const s of result.sent)
        log.log('info', 'event sent', {
          cluster: cluster.name,
          detailType: s.event.detailType,
          gateway: s.event.detail.gateway,
          hostnames: s.event.detail.hostnames,
          eventId: s.eventId,
        });
      stats.totalSent += result.sent.length;
      stats.totalLost += result.lost.length;
      return { sent: result.sent.length, lost: result.lost.length };
    } catch (error) {
      count(stats.errors, 'sending', events.length);
      stats.totalLost += events.length;
      log.log('error', 'sending failed', { cluster: cluster.name, events: events.length, reason: errorMessage(error) });
      return { sent: 0, lost: events.length };
    }
  };

  /** Sends until the bus has been told the current picture (and a full publish, when one is wanted). */
  const drain = async (): Promise<number> => {
    let sent = 0;
    while (current !== undefined && (fullWanted || current !== told)) {
      const target = current;
      const full = fullWanted;
      fullWanted = false;
      const observedAt = now().toISOString();
      const changes = gatewayEvents({ cluster: cluster.name, before: told, after: target, observedAt });
      // A full publish: every resource's Published, plus the withdrawals since the last picture told.
      const events = full
        ? [
            ...gatewayEvents({ cluster: cluster.name, before: [], after: target, observedAt }),
            ...changes.filter((e) => e.detailType === GATEWAY_EVENT_TYPES.withdrawn),
          ]
        : changes;
      const result = await sendEvents(events);
      sent += result.sent;
      told = target;
      if (!full) continue;
      if (result.lost === 0) {
        lastFullSync = now();
        log.log('info', 'full sync sent', { cluster: cluster.name, endpoints: target.length, events: events.length });
        firstSyncDone();
      } else if (!stopped) {
        // Try the whole picture again soon rather than at the next republish.
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => requestFull(), Math.min(options.retryFullMs ?? 30_000, republishMs));
      }
    }
    return sent;
  };

  let draining: Promise<number> = Promise.resolve(0);
  const kick = (): Promise<number> => {
    if (loop === undefined) {
      draining = drain().finally(() => (loop = undefined));
      loop = draining.then(() => undefined);
    }
    return draining;
  };

  const requestFull = (): Promise<number> => {
    fullWanted = true;
    // A full publish asked while a send is in flight runs right after it.
    return (loop ?? Promise.resolve()).then(() => kick());
  };

  const watcher = new ClusterWatcher({
    cluster,
    canaries: options.canaries,
    api,
    resyncMs: republishMs,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...options.watch,
    now,
    emit: (_events, discovery) => {
      for (const problem of newProblems(problems, discovery.problems))
        log.log('warn', 'problem', { cluster: cluster.name, subject: problem.subject, reason: problem.reason });
      problems = discovery.problems;
      if (discovery.endpoints.length === 0 && (current?.length ?? 0) > 0) {
        // Nothing at all, not even the canary, after a picture with endpoints: held, not withdrawn.
        held = `published nothing (not even its canary) after ${current?.length} endpoint(s): held, its records are left as they are`;
        count(stats.errors, 'held');
        log.log('warn', 'cluster held', { cluster: cluster.name, reason: held });
        return;
      }
      if (held !== undefined) log.log('info', 'cluster no longer held', { cluster: cluster.name });
      held = undefined;
      current = discovery.endpoints;
      void kick();
    },
    onError: (error, what) => {
      count(stats.errors, what.split(' ')[0] ?? what);
      if (what === 'discovery') {
        held = errorMessage(error);
        log.log('warn', 'cluster held: its last picture stands', { cluster: cluster.name, reason: held });
        firstSyncDone();
      } else {
        log.log('warn', `${what} failed (the last picture stands)`, { cluster: cluster.name, reason: errorMessage(error) });
      }
    },
  });

  const running = (async () => {
    await watcher.start();
    if (stopped || watcher.endpoints === undefined) return;
    log.log('info', 'watching', { cluster: cluster.name, server: options.api.server, endpoints: watcher.endpoints.length });
    if (current === undefined) current = watcher.endpoints;
    await requestFull();
  })().catch((error: unknown) => {
    count(stats.errors, 'watching');
    log.log('error', 'watching failed', { cluster: cluster.name, reason: errorMessage(error) });
  });

  const republishTimer = republishMs > 0 ? setInterval(() => void requestFull(), republishMs) : undefined;
  republishTimer?.unref();

  return {
    cluster: cluster.name,
    get ready() {
      return lastFullSync !== undefined;
    },
    get endpoints() {
      return current;
    },
    get problems() {
      return problems;
    },
    get unreachable() {
      return unreachable();
    },
    metrics: () => ({
      cluster: cluster.name,
      sent: { [GATEWAY_EVENT_TYPES.published]: 0, [GATEWAY_EVENT_TYPES.withdrawn]: 0, ...stats.sent },
      errors: { ...stats.errors },
      watchRestarts: api.restarts,
      lastFullSyncAgeSeconds: lastFullSync === undefined ? undefined : Math.max(0, (now().getTime() - lastFullSync.getTime()) / 1000),
      endpoints: current?.length ?? 0,
      ready: lastFullSync !== undefined,
    }),
    firstSync: () => firstSync,
    republish: () => (current === undefined ? Promise.resolve(0) : requestFull()),
    async stop({ flushTimeoutMs = 10_000 } = {}) {
      stopped = true;
      clearInterval(republishTimer);
      clearTimeout(retryTimer);
      const flushing = (async () => {
        // Changes still in the watcher's debounce window are computed and sent, not dropped.
        await watcher.settled();
        await watcher.stop();
        await running;
        while (loop !== undefined) await loop;
      })();
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), flushTimeoutMs)));
      const outcome = await Promise.race([flushing.then(() => 'flushed' as const), timeUp]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        sending.abort();
        await flushing;
      }
      api.close();
      firstSyncDone();
      return { sent: stats.totalSent, lost: stats.totalLost, flushed: outcome === 'flushed' };
    },
  };
}
