// The dashboard's request line: what traffic generators report, combined into one point per
// report (each cluster's percent of the answered requests, and the rates behind it).
import { describe, expect, it } from 'vitest';
import { GENERATOR_GONE_MS, requestFeed } from '../../../src/dashboard/requests.ts';
import { SeriesStore } from '../../../src/dashboard/series.ts';

const CLUSTERS = ['east', 'west', 'eu'];

describe('requestFeed', () => {
  it("defines the requests line at the first report and draws each cluster's share of the answered requests", () => {
    // Prepare
    const store = new SeriesStore();
    const defined: string[] = [];
    store.onDefine((info) => defined.push(info.kind));
    const feed = requestFeed(store, CLUSTERS);
    expect(store.list()).toEqual([]);
    // Act
    const sample = feed.report(
      {
        generator: 'g1',
        intervalMs: 1000,
        apps: [
          { app: 'shop.example.com', answered: { east: 10, west: 5 }, errors: 0 },
          { app: 'api.example.com', answered: { west: 5 }, errors: 2 },
        ],
      },
      50_000,
    );
    // Assess
    expect(defined).toEqual(['requests']);
    expect(sample).toEqual({ t: 50_000, values: { east: 50, west: 50, eu: 0 }, rates: { east: 10, west: 10, eu: 0, errors: 2 }, windowMs: 1000 });
    expect(store.list()[0]).toMatchObject({ kind: 'requests', clusters: CLUSTERS, samples: [sample] });
  });

  it('adds up generators running at once, as rates, and forgets one that stopped reporting', () => {
    const store = new SeriesStore();
    const feed = requestFeed(store, CLUSTERS);
    feed.report({ generator: 'g1', intervalMs: 1000, apps: [{ app: 'a', answered: { east: 30 }, errors: 0 }] }, 10_000);
    // g2 reports twice the time: 10 requests in 2 s is 5/s.
    const both = feed.report({ generator: 'g2', intervalMs: 2000, apps: [{ app: 'a', answered: { west: 10 }, errors: 0 }] }, 10_500);
    expect(both.values).toEqual({ east: 85.7, west: 14.3, eu: 0 });
    expect(both.rates).toMatchObject({ east: 30, west: 5 });
    // g1 has said nothing for longer than GENERATOR_GONE_MS: only g2 counts.
    const alone = feed.report({ generator: 'g2', intervalMs: 1000, apps: [{ app: 'a', answered: { west: 4 }, errors: 0 }] }, 10_000 + GENERATOR_GONE_MS + 1);
    expect(alone.values).toEqual({ east: 0, west: 100, eu: 0 });
  });

  it('draws 0 for every cluster when no request was answered (errors only)', () => {
    const feed = requestFeed(new SeriesStore(), CLUSTERS);
    expect(feed.report({ generator: 'g', intervalMs: 1000, apps: [{ app: 'a', answered: {}, errors: 20 }] }, 1).values).toEqual({ east: 0, west: 0, eu: 0 });
  });
});
