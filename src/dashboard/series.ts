// Lines per cluster over time, kept in memory (the last `capacity` samples of each series),
// and the local DNS answer share: N draws per app through the resolver, counted per cluster.
import type { Sample, SeriesInfo, SeriesKind } from './model.ts';

export class SeriesStore {
  readonly #series = new Map<SeriesKind, SeriesInfo & { samples: Sample[] }>();
  readonly #capacity: number;
  readonly #listeners = new Set<(kind: SeriesKind, sample: Sample) => void>();
  readonly #defineListeners = new Set<(info: SeriesInfo) => void>();

  constructor(capacity = 900) {
    this.#capacity = capacity;
  }

  /** Declares a series (again: keeps its samples, updates its clusters and title). */
  define(info: SeriesInfo): void {
    const existing = this.#series.get(info.kind);
    this.#series.set(info.kind, { ...info, samples: existing?.samples ?? [] });
    for (const listener of this.#defineListeners) listener(info);
  }

  /** Adds a point; a series must be defined first (a typo must not create a line nobody draws). */
  append(kind: SeriesKind, sample: Sample): void {
    const series = this.#series.get(kind);
    if (series === undefined) throw new Error(`series "${kind}" is not defined`);
    series.samples.push(sample);
    if (series.samples.length > this.#capacity) series.samples.splice(0, series.samples.length - this.#capacity);
    for (const listener of this.#listeners) listener(kind, sample);
  }

  list(): Array<SeriesInfo & { samples: Sample[] }> {
    return [...this.#series.values()].map((s) => ({ ...s, samples: [...s.samples] }));
  }

  /** Told of each series defined (or defined again) after the page's first message. */
  onDefine(listener: (info: SeriesInfo) => void): () => void {
    this.#defineListeners.add(listener);
    return () => this.#defineListeners.delete(listener);
  }

  onSample(listener: (kind: SeriesKind, sample: Sample) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * Percent of DNS answers naming each cluster, over `draws` queries per app: each draw is
 * what one client would be told (`answer` returns the answer's addresses), attributed to the
 * cluster owning the address. Answers naming no cluster count toward no line, so the lines
 * add up to less than 100 when some do. An app with no answer at all is left out.
 */
export function dnsShare(
  apps: readonly string[],
  clusters: readonly string[],
  draws: number,
  answer: (app: string) => string[],
  clusterOf: (address: string) => string | undefined,
): Record<string, number> {
  const counts = Object.fromEntries(clusters.map((c) => [c, 0])) as Record<string, number>;
  let total = 0;
  for (const app of apps) {
    for (let i = 0; i < draws; i++) {
      const addresses = answer(app);
      if (addresses.length === 0) continue;
      total += 1;
      // A multi-address answer splits its one client between the clusters it names.
      for (const address of addresses) {
        const cluster = clusterOf(address);
        if (cluster !== undefined && cluster in counts) counts[cluster]! += 1 / addresses.length;
      }
    }
  }
  return Object.fromEntries(clusters.map((c) => [c, total === 0 ? 0 : Math.round((counts[c]! / total) * 1000) / 10]));
}
