// List and watch one cluster: a full list, then a watch per resource type from the
// list's resourceVersion (re-listing that type on 410 Gone), recomputing the cluster's
// endpoints after each change and emitting `Gateway Published` / `Withdrawn` events
// for the difference. Connection failures only delay: the last complete picture is
// kept, so a control-plane blip never withdraws anything. Each object is kept pruned to
// what discovery reads (src/k8s/prune.ts).
import type { ClusterConfig } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';
import type { GatewayEvent } from '../core/gateway-events.ts';
import type { PublishedEndpoint } from '../core/model.ts';
import { KubeApiError, type KubeApi, type WatchEvent } from './api/client.ts';
import { RESOURCE_TYPES, listServed, resourcePath, stamp, type ResourceType } from './api/resources.ts';
import { resourceKey, gatewayEvents } from './events.ts';
import { namespaceOf, nameOf, objectRole, refOf, type KubeObject } from './kube.ts';
import { discoverCluster, type Discovery } from './parse/cluster.ts';
import { pruneForDiscovery } from './prune.ts';

export interface ClusterWatchOptions {
  cluster: ClusterConfig;
  /** Every fleet cluster's canary hostname → cluster (see canaryHostnames). */
  canaries: ReadonlyMap<string, string>;
  api: KubeApi;
  /** Called in order with each change's events and the cluster's full discovery after it. */
  emit(events: GatewayEvent[], discovery: Discovery): void | Promise<void>;
  /** Failures that delay the watch (unreachable server, 401/403, a failed re-list). */
  onError?(error: unknown, what: string): void;
  /** The endpoints last known (e.g. from the last reconcile): the first list is compared with them. Default: the first list is the baseline and emits nothing. */
  initial?: readonly PublishedEndpoint[];
  types?: readonly ResourceType[];
  /** Changes within this window are computed once. Default 200 ms. */
  debounceMs?: number;
  /** Full re-list of every type (heals anything missed, finds CRDs installed later). Default 10 min; 0 = never. */
  resyncMs?: number;
  /** Backoff after a failure, doubling up to maxMs. */
  backoff?: { minMs: number; maxMs: number };
  watchTimeoutSeconds?: number;
  now?: () => Date;
}

interface TypeState {
  type: ResourceType;
  version?: string;
  resourceVersion: string;
  objects: Map<string, KubeObject>;
}

export class ClusterWatcher {
  readonly #options: ClusterWatchOptions;
  readonly #abort = new AbortController();
  readonly #states: TypeState[];
  #endpoints: PublishedEndpoint[] | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #emitting: Promise<void> = Promise.resolve();
  #loops: Promise<void>[] = [];
  #listed = false;

  constructor(options: ClusterWatchOptions) {
    this.#options = options;
    this.#states = (options.types ?? RESOURCE_TYPES).map((type) => ({ type, resourceVersion: '', objects: new Map() }));
    if (options.initial) this.#endpoints = [...options.initial];
  }

  /** The cluster's endpoints as last computed (undefined before the first complete list). */
  get endpoints(): readonly PublishedEndpoint[] | undefined {
    return this.#listed ? this.#endpoints : undefined;
  }

  /** Lists every type (retrying until it succeeds or stop() is called), then watches. */
  async start(): Promise<void> {
    let delay = this.#options.backoff?.minMs ?? 500;
    while (!this.#abort.signal.aborted) {
      try {
        await this.#listAll();
        break;
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        this.#options.onError?.(error, 'list');
        await this.#sleep(delay);
        delay = Math.min(delay * 2, this.#options.backoff?.maxMs ?? 30_000);
      }
    }
    if (this.#abort.signal.aborted) return;
    await this.#recompute();
    this.#loops = this.#states.filter((s) => s.version !== undefined).map((s) => this.#watchLoop(s));
    this.#scheduleResync();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    clearTimeout(this.#debounce);
    clearTimeout(this.#resync);
    await Promise.allSettled(this.#loops);
    await this.#emitting;
  }

  /** Waits until pending changes have been computed and emitted (for tests and shutdown). */
  async settled(): Promise<void> {
    if (this.#debounce) {
      clearTimeout(this.#debounce);
      this.#debounce = undefined;
      await this.#recompute();
    }
    await this.#emitting;
  }

  async #listAll(): Promise<void> {
    const lists = await Promise.all(this.#states.map((s) => listServed(this.#options.api, s.type, { signal: this.#abort.signal, keep: pruneForDiscovery })));
    lists.forEach((list, i) => this.#replace(this.#states[i] as TypeState, list.items, list.resourceVersion, list.version));
    this.#listed = true;
  }

  #replace(state: TypeState, items: readonly KubeObject[], resourceVersion: string, version: string | undefined): void {
    state.objects = new Map(items.map((o) => [refOf(o), o]));
    state.resourceVersion = resourceVersion;
    state.version = version;
  }

  async #watchLoop(state: TypeState): Promise<void> {
    const signal = this.#abort.signal;
    let delay = this.#options.backoff?.minMs ?? 500;
    while (!signal.aborted) {
      try {
        await this.#options.api.watch(resourcePath(state.type, state.version as string), {
          resourceVersion: state.resourceVersion,
          signal,
          ...(this.#options.watchTimeoutSeconds === undefined ? {} : { timeoutSeconds: this.#options.watchTimeoutSeconds }),
          onEvent: (event) => this.#apply(state, event),
        });
        delay = this.#options.backoff?.minMs ?? 500;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof KubeApiError && error.status === 410) {
          // Our resourceVersion is too old: the only safe way on is a fresh list.
          try {
            const list = await listServed(this.#options.api, state.type, { signal, known: state.version, keep: pruneForDiscovery });
            this.#replace(state, list.items, list.resourceVersion, state.version);
            this.#schedule();
            continue;
          } catch (relistError) {
            if (signal.aborted) return;
            this.#options.onError?.(relistError, `re-list ${state.type.plural}`);
          }
        } else {
          this.#options.onError?.(error, `watch ${state.type.plural}`);
        }
        await this.#sleep(delay);
        delay = Math.min(delay * 2, this.#options.backoff?.maxMs ?? 30_000);
      }
    }
  }

  #apply(state: TypeState, event: WatchEvent): void {
    const rv = event.object.metadata?.resourceVersion;
    if (typeof rv === 'string' && rv !== '') state.resourceVersion = rv;
    if (event.type === 'BOOKMARK') return;
    const object = pruneForDiscovery(stamp(event.object, state.type, state.version as string));
    const key = `${namespaceOf(object)}/${nameOf(object)}`;
    if (event.type === 'DELETED') state.objects.delete(key);
    else state.objects.set(key, object);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#debounce) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      void this.#recompute();
    }, this.#options.debounceMs ?? 200);
  }

  #scheduleResync(): void {
    const every = this.#options.resyncMs ?? 10 * 60_000;
    if (every <= 0 || this.#abort.signal.aborted) return;
    this.#resync = setTimeout(async () => {
      try {
        const before = this.#states.map((s) => s.version);
        await this.#listAll();
        this.#schedule();
        // A type that became served (a CRD installed since) gets its own watch.
        this.#states.forEach((s, i) => {
          if (before[i] === undefined && s.version !== undefined) this.#loops.push(this.#watchLoop(s));
        });
      } catch (error) {
        if (!this.#abort.signal.aborted) this.#options.onError?.(error, 'resync');
      }
      this.#scheduleResync();
    }, every);
  }

  #recompute(): Promise<void> {
    const objects = this.#states.flatMap((s) => [...s.objects.values()]);
    const { cluster, canaries } = this.#options;
    const discovery = discoverCluster(objects, { cluster, canaries });
    if (discovery.held) {
      // The picture is not to be trusted: keep the last one and send nothing for it.
      this.#options.onError?.(new Error(discovery.held.map((p) => `${p.subject}: ${p.reason}`).join('; ')), 'discovery');
      return this.#emitting;
    }
    const versions = new Map<string, string>();
    for (const o of objects) {
      const role = objectRole(o);
      const rv = o.metadata?.resourceVersion;
      if (role && role !== 'Service' && role !== 'Namespace' && role !== 'VirtualService' && rv)
        versions.set(resourceKey({ kind: role, gateway: refOf(o) }), rv);
    }
    const previous = this.#endpoints;
    this.#endpoints = discovery.endpoints;
    const events =
      previous === undefined
        ? []
        : gatewayEvents({
            cluster: cluster.name,
            before: previous,
            after: discovery.endpoints,
            observedAt: (this.#options.now?.() ?? new Date()).toISOString(),
            resourceVersions: versions,
          });
    this.#emitting = this.#emitting.then(async () => {
      if (events.length === 0) return;
      try {
        await this.#options.emit(events, discovery);
      } catch (error) {
        this.#options.onError?.(error, 'emit');
      }
    });
    return this.#emitting;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#abort.signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      this.#abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

/** A readable line for onError. */
export function describeWatchError(cluster: string, what: string, error: unknown): string {
  return `cluster ${cluster}: ${what} failed (the last complete picture is kept): ${errorMessage(error)}`;
}
