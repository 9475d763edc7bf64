// The dashboard of the local runtime: its status, executions and journal read through the
// runtime's own endpoint, its event timeline, the DNS answer share sampled from its resolver,
// and every button (drain and restore start the workflows, abort stops one and starts its
// recovery; fail and heal are the canaries').
import { errorMessage } from '../../core/errors.ts';
import type { LoadedFleet } from '../../fleet/fleet-file.ts';
import type { LocalNames } from '../../local/runtime/names.ts';
import type { LocalRuntime } from '../../local/runtime/runtime.ts';
import { executionsReader, type ExecutionsReader } from '../executions.ts';
import type { Snapshot } from '../model.ts';
import { dnsShare, type SeriesStore } from '../series.ts';
import { abortFromDashboard, startOperation, type DashboardSource } from '../source.ts';
import { stagePrefix } from '../../core/resource-names.ts';

export interface LocalSourceOptions {
  /** Draws per app per sample (default 200). */
  draws?: number;
  /** Milliseconds between samples (default 1000). */
  sampleEveryMs?: number;
  log?: (line: string) => void;
}

/** Which cluster a loopback address 127.0.1.<n> belongs to (src/local/runtime/names.ts: clusterAddress). */
function clusterOfAddress(clusters: readonly string[]): (address: string) => string | undefined {
  return (address) => {
    const match = /^127\.0\.1\.(\d{1,3})$/.exec(address);
    return match ? clusters[Number(match[1]) - 1] : undefined;
  };
}

/**
 * `runtime` returns the runtime once it is up: the dashboard is mounted on the endpoint before
 * the runtime has finished starting, and says "still starting" until then.
 */
export function localSource(
  fleet: LoadedFleet,
  names: LocalNames,
  runtimeOf: () => LocalRuntime | undefined,
  options: LocalSourceOptions = {},
): DashboardSource {
  const clusters = fleet.config.clusters.map((c) => c.name);
  const prefix = stagePrefix(names.stage);
  const clientRegion = fleet.config.clusters[0]?.region ?? 'us-east-1';
  let reader: ExecutionsReader | undefined;
  let apps: string[] = [];
  const need = (): LocalRuntime => {
    const runtime = runtimeOf();
    if (runtime === undefined) throw new Error('the local runtime is still starting');
    return runtime;
  };
  const readerOf = (runtime: LocalRuntime) => (reader ??= executionsReader({ sfn: runtime.clients.sfn, prefix }));

  const snapshot = async (): Promise<Snapshot> => {
    const runtime = need();
    const [status, executions, journal] = await Promise.all([runtime.status(), readerOf(runtime).list(), runtime.deps.table.listJournal({ limit: 30 })]);
    apps = status.apps.map((a) => a.hostname);
    return {
      mode: 'local',
      stage: runtime.names.stage,
      at: new Date().toISOString(),
      clusters: status.clusters,
      apps: status.apps,
      executions,
      events: status.events.map((e) => ({ time: e.time, source: e.source, detailType: e.detailType, summary: e.summary })),
      journal: journal.map((j) => ({
        at: j.at,
        by: j.by,
        what: j.what,
        ...(j.why ? { why: j.why } : {}),
        ...(j.cluster ? { cluster: j.cluster } : {}),
        ...(j.executionArn ? { executionArn: j.executionArn } : {}),
      })),
      problems: status.problems,
    };
  };

  return {
    mode: 'local',
    stage: names.stage,
    snapshot,
    graphs: async () => readerOf(need()).graphs(),
    operations: {
      drain: (cluster) => startOperation(need().clients.sfn, prefix, 'drain', cluster, clusters, 'dashboard'),
      restore: (cluster) => startOperation(need().clients.sfn, prefix, 'restore', cluster, clusters, 'dashboard'),
      abort: (cluster) => abortFromDashboard(need().clients.sfn, need().deps.table, prefix, cluster, clusters, 'dashboard'),
      fail: async (cluster) => ({ canary: await need().fail(cluster) }),
      heal: async (cluster) => ({ canary: await need().heal(cluster) }),
    },
    sample(store: SeriesStore) {
      store.define({ kind: 'dns-share', title: 'DNS answer share per cluster (all apps)', unit: '%', clusters });
      const draws = options.draws ?? 200;
      const clusterOf = clusterOfAddress(clusters);
      const answer = (app: string) =>
        need()
          .route53.resolve({ name: app, type: 'A', clientRegion })
          .answers.filter((a) => a.type === 'A')
          .map((a) => a.data);
      const tick = async () => {
        const runtime = runtimeOf();
        if (runtime === undefined || !runtime.ready) return;
        // The app list comes from the latest snapshot; before the first one, read it now.
        if (apps.length === 0) apps = (await runtime.status()).apps.map((a) => a.hostname);
        store.append('dns-share', { t: Date.now(), values: dnsShare(apps, clusters, draws, answer, clusterOf) });
      };
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        tick()
          .catch((error: unknown) => options.log?.(`dashboard: DNS share sample failed: ${errorMessage(error)}`))
          .finally(() => (running = false));
      }, options.sampleEveryMs ?? 1000);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
