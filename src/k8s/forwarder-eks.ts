// The forwarder's EKS source: one cluster's API server (DescribeCluster endpoint and
// CA, presigned-STS token) watched by ClusterWatcher, whose changes are sent as they
// come. Every request's outcome feeds the cluster's reachability: it is reported
// unreachable from the first failing request until each failed one works again. The
// watcher keeps its last complete picture meanwhile, so an outage sends nothing.
import type { EksClusterAccess } from '../aws/eks.ts';
import type { ClusterConfig } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';
import { KubeApi, KubeApiError, type KubeApiOptions, type ListResult, type WatchOptions } from './api/client.ts';
import { newProblems, trackReachability } from './forwarder-state.ts';
import type { ClusterFeed, FeedHooks } from './forwarder.ts';
import type { Problem } from '../core/model.ts';
import type { KubeObject } from './kube.ts';
import { ClusterWatcher, type ClusterWatchOptions } from './watch.ts';

export type Outcome = { ok: true } | { ok: false; reason: string; error: unknown };

/** A KubeApi that reports each request's outcome, keyed by path: answered (2xx, 404, 410) or failed. */
export class ObservedKubeApi extends KubeApi {
  readonly #observe: (key: string, outcome: Outcome) => void;

  constructor(options: KubeApiOptions, observe: (key: string, outcome: Outcome) => void) {
    super(options);
    this.#observe = observe;
  }

  override async list(path: string, signal?: AbortSignal, keep?: (object: KubeObject) => KubeObject): Promise<ListResult> {
    try {
      const result = await super.list(path, signal, keep);
      this.#observe(path, { ok: true });
      return result;
    } catch (error) {
      this.#failed(path, error, signal);
      throw error;
    }
  }

  override async watch(path: string, options: WatchOptions): Promise<void> {
    try {
      await super.watch(path, {
        ...options,
        onEvent: (event) => {
          this.#observe(path, { ok: true });
          options.onEvent(event);
        },
      });
      this.#observe(path, { ok: true });
    } catch (error) {
      this.#failed(path, error, options.signal);
      throw error;
    }
  }

  #failed(path: string, error: unknown, signal: AbortSignal | undefined): void {
    if (signal?.aborted) return;
    // 404 (a version not served) and 410 (re-list) are answers, not outages.
    if (error instanceof KubeApiError && (error.status === 404 || error.status === 410)) return this.#observe(path, { ok: true });
    this.#observe(path, { ok: false, reason: errorMessage(error), error });
  }
}

export interface EksClusterFeedOptions {
  cluster: ClusterConfig;
  canaries: ReadonlyMap<string, string>;
  hooks: FeedHooks;
  /** API server, CA and token of the cluster (eksAccessProvider). */
  accessFor(cluster: ClusterConfig): Promise<EksClusterAccess>;
  publishExisting?: boolean;
  /** Per-request timeout against the API server. Default 15 s. */
  timeoutMs?: number;
  /** Backoff after a failure (DescribeCluster, lists, watches), doubling up to maxMs. */
  backoff?: { minMs: number; maxMs: number };
  /** ClusterWatcher settings (tests shorten them). */
  watch?: Pick<ClusterWatchOptions, 'debounceMs' | 'resyncMs' | 'watchTimeoutSeconds' | 'now'>;
}

export function eksClusterFeed(options: EksClusterFeedOptions): ClusterFeed {
  const { cluster, hooks } = options;
  const backoff = options.backoff ?? { minMs: 500, maxMs: 30_000 };
  const stopping = new AbortController();
  let failing = new Map<string, string>();
  let problems: readonly Problem[] = [];
  let access: EksClusterAccess | undefined;
  let api: ObservedKubeApi | undefined;
  let watcher: ClusterWatcher | undefined;
  let running: Promise<void> = Promise.resolve();

  const observe = (key: string, outcome: Outcome) => {
    if (outcome.ok && failing.size === 0) return;
    // A refused token may just have expired early: the next attempt signs a fresh one.
    if (!outcome.ok && outcome.error instanceof KubeApiError && outcome.error.status === 401) access?.invalidateToken();
    const next = trackReachability(failing, cluster.name, key, outcome.ok ? { ok: true } : { ok: false, reason: outcome.reason });
    failing = next.failing;
    if (next.notice) hooks.notice(next.notice);
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopping.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  const run = async () => {
    for (let delay = backoff.minMs; !stopping.signal.aborted; delay = Math.min(delay * 2, backoff.maxMs)) {
      try {
        access = await options.accessFor(cluster);
        observe('DescribeCluster', { ok: true });
        break;
      } catch (error) {
        observe('DescribeCluster', { ok: false, reason: errorMessage(error), error });
        await sleep(delay);
      }
    }
    if (stopping.signal.aborted || access === undefined) return;
    api = new ObservedKubeApi({ server: access.server, caData: access.caData, token: access.token, timeoutMs: options.timeoutMs ?? 15_000 }, observe);
    watcher = new ClusterWatcher({
      cluster,
      canaries: options.canaries,
      api,
      backoff,
      ...options.watch,
      ...(options.publishExisting ? { initial: [] } : {}),
      emit: async (events, discovery) => {
        for (const problem of newProblems(problems, discovery.problems)) hooks.notice({ kind: 'problem', cluster: cluster.name, problem });
        problems = discovery.problems;
        await hooks.emit(events);
      },
      // Request failures are seen (per path) by ObservedKubeApi; only a failed send is left.
      onError: (error, what) => {
        if (what === 'emit') hooks.notice({ kind: 'failed', cluster: cluster.name, what: 'sending', reason: errorMessage(error) });
      },
    });
    await watcher.start();
    if (!stopping.signal.aborted && watcher.endpoints) hooks.notice({ kind: 'watching', cluster: cluster.name, endpoints: watcher.endpoints.length });
  };

  return {
    cluster: cluster.name,
    description: `EKS ${cluster.eksClusterName} (${cluster.region})`,
    start() {
      running = run().catch((error: unknown) => hooks.notice({ kind: 'failed', cluster: cluster.name, what: 'watching', reason: errorMessage(error) }));
    },
    async stop() {
      stopping.abort();
      // Changes still in the watcher's debounce window are computed and sent, not dropped.
      await watcher?.settled();
      await watcher?.stop();
      await running;
      api?.close();
    },
  };
}
