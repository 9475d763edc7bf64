// The forwarder's file source: one cluster's manifests folder, watched with fs.watch
// (recursive), re-read after a quiet period (debounce) and diffed with the last
// complete picture (advanceCluster). A periodic re-read heals what fs.watch misses
// (network file systems, a folder created or replaced later). A manifest that does not
// parse — or a half-written one — makes the cluster unreachable for that read: nothing
// is sent until the folder parses again.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { resolve } from 'node:path';
import type { ClusterConfig } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';
import { EMPTY_VIEW, advanceCluster, type ClusterRead, type ClusterView } from './forwarder-state.ts';
import type { ClusterFeed, FeedHooks } from './forwarder.ts';
import { manifestFolderPath, readManifestFolder } from './manifests.ts';
import { discoverCluster } from './parse/cluster.ts';

export interface ManifestFolderFeedOptions {
  /** The fleet folder; `cluster.manifests` is relative to it. */
  fleetDir: string;
  cluster: ClusterConfig;
  /** Every fleet cluster's canary hostname → cluster (canaryHostnames). */
  canaries: ReadonlyMap<string, string>;
  hooks: FeedHooks;
  publishExisting?: boolean;
  /** Quiet time after the last file change before re-reading. Default 200 ms. */
  debounceMs?: number;
  /** Re-read this often even without file events. Default 30 s; 0 = never. */
  resyncMs?: number;
  now?: () => Date;
}

export function manifestFolderFeed(options: ManifestFolderFeedOptions): ClusterFeed {
  const { cluster, hooks } = options;
  const dir = cluster.manifests === undefined ? undefined : resolve(options.fleetDir, cluster.manifests);
  let view: ClusterView = EMPTY_VIEW;
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let resync: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();
  let stopped = false;

  const read = async (): Promise<ClusterRead> => {
    if (dir === undefined) return { ok: false, reason: `cluster ${cluster.name} has no manifests folder in the fleet config` };
    try {
      const objects = await readManifestFolder(await manifestFolderPath(options.fleetDir, cluster.manifests ?? dir));
      const discovery = discoverCluster(objects, { cluster, canaries: options.canaries });
      if (discovery.held) return { ok: false, reason: discovery.held.map((p) => `${p.subject}: ${p.reason}`).join('; ') };
      return { ok: true, endpoints: discovery.endpoints, problems: discovery.problems };
    } catch (error) {
      return { ok: false, reason: errorMessage(error) };
    }
  };

  // Reads one at a time, in order: each diff starts from the picture the previous one left.
  const readAndSend = () => {
    reading = reading.then(async () => {
      const result = await read();
      // A folder that went away leaves a watch on nothing: drop it, and watch again once it is back.
      if (!result.ok && dir !== undefined && !existsSync(dir)) closeWatcher();
      if (result.ok) startWatching();
      const next = advanceCluster(view, result, {
        cluster: cluster.name,
        observedAt: (options.now?.() ?? new Date()).toISOString(),
        publishExisting: options.publishExisting ?? false,
      });
      view = next.view;
      for (const notice of next.notices) hooks.notice(notice);
      if (next.events.length > 0) await hooks.emit(next.events);
    });
    // Keep the chain going whatever happens to one read.
    reading = reading.catch((error: unknown) =>
      hooks.notice({ kind: 'failed', cluster: cluster.name, what: 'forwarding a change', reason: errorMessage(error) }),
    );
  };

  const schedule = () => {
    if (stopped) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      readAndSend();
    }, options.debounceMs ?? 200);
  };

  const startWatching = () => {
    if (watcher !== undefined || dir === undefined || stopped) return;
    try {
      watcher = watch(dir, { recursive: true }, schedule);
    } catch {
      // No folder (yet): the read reports it; the next resync tries again.
      return;
    }
    watcher.on('error', () => {
      // The folder went away or was replaced: watch again at the next resync.
      closeWatcher();
      schedule();
    });
  };

  const closeWatcher = () => {
    watcher?.close();
    watcher = undefined;
  };

  return {
    cluster: cluster.name,
    description: `manifests ${dir ?? '(none)'}`,
    start() {
      startWatching();
      readAndSend();
      const every = options.resyncMs ?? 30_000;
      if (every > 0) {
        resync = setInterval(() => {
          startWatching();
          schedule();
        }, every);
      }
    },
    async stop() {
      stopped = true;
      closeWatcher();
      clearInterval(resync);
      // A change still in its quiet period is read and sent now rather than dropped.
      if (debounce !== undefined) {
        clearTimeout(debounce);
        debounce = undefined;
        readAndSend();
      }
      await reading;
    },
  };
}
