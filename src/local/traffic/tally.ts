// Counts of the requests `switchyard local traffic` sent, per app and per answering
// cluster, kept as one-second buckets so the live view shows the recent share (a drain
// reads as the drained cluster's share falling step by step). Pure: time comes in.

/** What a request ended as: the cluster that answered it, or why none did. */
export type Outcome = { cluster: string } | { error: string };

export interface AppShare {
  app: string;
  /** Requests in the window. */
  total: number;
  /** Share of the window's requests per answering cluster, 0–1. */
  clusters: Record<string, number>;
  /** Requests in the window that no cluster answered (DNS or HTTP failure). */
  errors: number;
}

/** An app's requests since the last report: answered per cluster, and failed. */
export interface AppCounts {
  app: string;
  answered: Record<string, number>;
  errors: number;
}

export class TrafficTally {
  readonly #buckets = new Map<string, Map<number, Map<string, number>>>();
  readonly #totals = new Map<string, Map<string, number>>();
  #unreported = new Map<string, Map<string, number>>();

  record(app: string, outcome: Outcome, atMs: number): void {
    const key = 'cluster' in outcome ? outcome.cluster : '!error';
    const second = Math.floor(atMs / 1000);
    const perApp = this.#buckets.get(app) ?? new Map<number, Map<string, number>>();
    this.#buckets.set(app, perApp);
    const bucket = perApp.get(second) ?? new Map<string, number>();
    perApp.set(second, bucket);
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
    const totals = this.#totals.get(app) ?? new Map<string, number>();
    this.#totals.set(app, totals);
    totals.set(key, (totals.get(key) ?? 0) + 1);
    const unreported = this.#unreported.get(app) ?? new Map<string, number>();
    this.#unreported.set(app, unreported);
    unreported.set(key, (unreported.get(key) ?? 0) + 1);
    // Keep a minute of buckets: the view's windows are seconds long.
    for (const old of perApp.keys()) if (old < second - 60) perApp.delete(old);
  }

  /** Each app's share per cluster over the last `windowMs` before `nowMs`. */
  shares(nowMs: number, windowMs: number): AppShare[] {
    const from = Math.floor((nowMs - windowMs) / 1000);
    return [...this.#buckets.keys()].sort().map((app) => {
      const counts = new Map<string, number>();
      for (const [second, bucket] of this.#buckets.get(app)!) {
        if (second < from) continue;
        for (const [key, n] of bucket) counts.set(key, (counts.get(key) ?? 0) + n);
      }
      return shareOf(app, counts);
    });
  }

  /** The counts recorded since the last call (every app that got a request), and starts counting afresh. */
  takeUnreported(): AppCounts[] {
    const taken = this.#unreported;
    this.#unreported = new Map();
    return [...taken.keys()].sort().map((app) => {
      const counts = taken.get(app)!;
      const answered: Record<string, number> = {};
      for (const [key, n] of [...counts].sort(([a], [b]) => a.localeCompare(b))) if (key !== '!error') answered[key] = n;
      return { app, answered, errors: counts.get('!error') ?? 0 };
    });
  }

  /** Every request since the start, per app. */
  totals(): AppShare[] {
    return [...this.#totals.keys()].sort().map((app) => shareOf(app, this.#totals.get(app)!));
  }
}

function shareOf(app: string, counts: ReadonlyMap<string, number>): AppShare {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const clusters: Record<string, number> = {};
  for (const [key, n] of [...counts].sort(([a], [b]) => a.localeCompare(b))) if (key !== '!error') clusters[key] = total === 0 ? 0 : n / total;
  return { app, total, clusters, errors: counts.get('!error') ?? 0 };
}

/** Cuts a line to `width` columns (never wraps: a wrapped line breaks a redrawn screen). */
export function fitLine(line: string, width: number | undefined): string {
  if (width === undefined || width <= 0 || line.length <= width) return line;
  return width === 1 ? '…' : `${line.slice(0, width - 1)}…`;
}

/** The live view: one line per app, its share per cluster as percentages, cut to the terminal's width. */
export function renderShares(shares: readonly AppShare[], clusters: readonly string[], width: number | undefined): string[] {
  const name = Math.max(3, ...shares.map((s) => s.app.length));
  const header = `${'app'.padEnd(name)}  ${clusters.map((c) => c.padStart(7)).join(' ')}  errors  req/window`;
  const rows = shares.map((s) => {
    const cells = clusters.map((c) => `${Math.round((s.clusters[c] ?? 0) * 100)}%`.padStart(7)).join(' ');
    return `${s.app.padEnd(name)}  ${cells}  ${String(s.errors).padStart(6)}  ${String(s.total).padStart(10)}`;
  });
  return [header, ...rows].map((line) => fitLine(line, width));
}
