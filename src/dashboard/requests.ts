// The `requests` line of the dashboard's chart: what `switchyard local traffic` sent and got
// answered per cluster, as the generators report it (POST /_switchyard/traffic). Each report
// holds a generator's counts over its last interval; the point drawn sums the latest report of
// every generator still reporting and gives each cluster's share of the answered requests.
import type { TrafficReport } from '../local/traffic/report.ts';
import type { SeriesStore } from './series.ts';
import type { Sample } from './model.ts';

/** A generator that has not reported for this long is gone (they report every second). */
export const GENERATOR_GONE_MS = 5000;

export const REQUESTS_TITLE = 'Requests answered per cluster (switchyard local traffic, all apps)';

interface Latest {
  atMs: number;
  intervalMs: number;
  answered: Record<string, number>;
  errors: number;
}

export interface RequestFeed {
  /** Takes a checked report (parseTrafficReport) received at `atMs`; returns the point it added. */
  report(report: TrafficReport, atMs?: number): Sample;
}

export function requestFeed(store: SeriesStore, clusters: readonly string[]): RequestFeed {
  const latest = new Map<string, Latest>();
  let defined = false;
  return {
    report(report, atMs = Date.now()) {
      if (!defined) {
        // Defined at the first report: the page draws requests only once a generator has run.
        store.define({ kind: 'requests', title: REQUESTS_TITLE, unit: '%', clusters: [...clusters] });
        defined = true;
      }
      const answered: Record<string, number> = {};
      let errors = 0;
      for (const app of report.apps) {
        for (const [cluster, n] of Object.entries(app.answered)) answered[cluster] = (answered[cluster] ?? 0) + n;
        errors += app.errors;
      }
      latest.set(report.generator, { atMs, intervalMs: report.intervalMs, answered, errors });
      for (const [generator, entry] of latest) if (atMs - entry.atMs > GENERATOR_GONE_MS) latest.delete(generator);
      const sample = combine([...latest.values()], clusters, atMs);
      store.append('requests', sample);
      return sample;
    },
  };
}

/** Requests per second per cluster over the generators' latest reports, and each cluster's percent of the answered ones. */
function combine(reports: readonly Latest[], clusters: readonly string[], atMs: number): Sample {
  const perSecond: Record<string, number> = Object.fromEntries(clusters.map((c) => [c, 0]));
  let errors = 0;
  let windowMs = 0;
  for (const r of reports) {
    for (const c of clusters) perSecond[c]! += ((r.answered[c] ?? 0) * 1000) / r.intervalMs;
    errors += (r.errors * 1000) / r.intervalMs;
    windowMs = Math.max(windowMs, r.intervalMs);
  }
  const answered = clusters.reduce((sum, c) => sum + perSecond[c]!, 0);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    t: atMs,
    values: Object.fromEntries(clusters.map((c) => [c, answered === 0 ? 0 : round((perSecond[c]! / answered) * 100)])),
    rates: { ...Object.fromEntries(clusters.map((c) => [c, round(perSecond[c]!)])), errors: round(errors) },
    windowMs,
  };
}
