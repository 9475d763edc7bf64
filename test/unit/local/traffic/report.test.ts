// What `switchyard local traffic` reports to the runtime: the counts since the last report
// (TrafficTally.takeUnreported), sent at most one at a time (trafficReporter), and checked on
// arrival (parseTrafficReport) so a bad report changes nothing.
import { describe, expect, it } from 'vitest';
import { parseTrafficReport, type TrafficReport } from '../../../../src/local/traffic/report.ts';
import { trafficReporter } from '../../../../src/local/traffic/reporter.ts';
import { TrafficTally } from '../../../../src/local/traffic/tally.ts';

const CLUSTERS = ['east', 'west', 'eu'];

describe('TrafficTally.takeUnreported', () => {
  it('gives the counts recorded since the last call, per app, and starts afresh', () => {
    const tally = new TrafficTally();
    tally.record('shop.example.com', { cluster: 'east' }, 1);
    tally.record('shop.example.com', { cluster: 'east' }, 2);
    tally.record('shop.example.com', { error: 'HTTP 503 from west' }, 3);
    tally.record('api.example.com', { cluster: 'west' }, 4);
    expect(tally.takeUnreported()).toEqual([
      { app: 'api.example.com', answered: { west: 1 }, errors: 0 },
      { app: 'shop.example.com', answered: { east: 2 }, errors: 1 },
    ]);
    expect(tally.takeUnreported()).toEqual([]);
    tally.record('shop.example.com', { cluster: 'eu' }, 5);
    expect(tally.takeUnreported()).toEqual([{ app: 'shop.example.com', answered: { eu: 1 }, errors: 0 }]);
    // The totals are untouched by reporting.
    expect(tally.totals().find((t) => t.app === 'shop.example.com')!.total).toBe(4);
  });
});

describe('trafficReporter', () => {
  it('sends the counts since the last report over the time since, one report at a time', async () => {
    // Prepare: the first send hangs until released
    const sent: TrafficReport[] = [];
    let release: () => void = () => {};
    const sends = [new Promise<void>((resolve) => (release = resolve)), Promise.resolve()];
    const reporter = trafficReporter({ send: (r) => (sent.push(r), sends.shift()!), warn: () => {}, startedAtMs: 1000, generator: 'g' });
    const tally = new TrafficTally();
    // Act
    tally.record('a', { cluster: 'east' }, 1500);
    reporter.tick(tally, 2000);
    tally.record('a', { cluster: 'west' }, 2500);
    reporter.tick(tally, 3000); // the first is still in flight: skipped, its counts wait
    release();
    await reporter.flush();
    reporter.tick(tally, 4000);
    await reporter.flush();
    reporter.tick(tally, 5000); // nothing new: no report
    // Assess
    expect(sent).toEqual([
      { generator: 'g', intervalMs: 1000, apps: [{ app: 'a', answered: { east: 1 }, errors: 0 }] },
      { generator: 'g', intervalMs: 2000, apps: [{ app: 'a', answered: { west: 1 }, errors: 0 }] },
    ]);
  });

  it('says once that reports do not get through, and once that they do again', async () => {
    const warnings: string[] = [];
    let fail = true;
    const reporter = trafficReporter({
      send: async () => {
        if (fail) throw new Error('AccessDenied: no token');
      },
      warn: (l) => warnings.push(l),
      startedAtMs: 0,
    });
    const tally = new TrafficTally();
    for (const now of [1000, 2000, 3000]) {
      tally.record('a', { cluster: 'east' }, now);
      reporter.tick(tally, now);
      await reporter.flush();
    }
    fail = false;
    tally.record('a', { cluster: 'east' }, 4000);
    reporter.tick(tally, 4000);
    await reporter.flush();
    expect(warnings).toEqual(['the dashboard does not get these traffic counts: AccessDenied: no token', 'traffic counts reach the dashboard again']);
  });
});

describe('parseTrafficReport', () => {
  const good = { generator: 'g-1', intervalMs: 1000, apps: [{ app: 'shop.example.com', answered: { east: 3, west: 0 }, errors: 1 }] };

  it('takes a well-formed report', () => {
    expect(parseTrafficReport(good, CLUSTERS)).toEqual(good);
    expect(parseTrafficReport({ ...good, apps: [{ app: 'a', answered: {} }] }, CLUSTERS).apps[0]).toEqual({ app: 'a', answered: {}, errors: 0 });
  });

  it.each([
    ['not an object', [1, 2], /expected a JSON object/],
    ['a bad generator id', { ...good, generator: 'a b' }, /generator "a b"/],
    ['no interval', { ...good, intervalMs: undefined }, /intervalMs/],
    ['a zero interval', { ...good, intervalMs: 0 }, /intervalMs 0/],
    ['apps not a list', { ...good, apps: {} }, /apps must be a list/],
    ['an app without a name', { ...good, apps: [{ answered: {} }] }, /apps\[0\]\.app/],
    [
      'a cluster the fleet lacks',
      { ...good, apps: [{ app: 'a', answered: { mars: 1 } }] },
      /names cluster "mars", which the fleet does not have \(it has east, west, eu\)/,
    ],
    ['a negative count', { ...good, apps: [{ app: 'a', answered: { east: -1 } }] }, /answered\.east \(a\): -1/],
    ['a fractional count', { ...good, apps: [{ app: 'a', answered: { east: 1.5 } }] }, /answered\.east \(a\): 1\.5/],
    ['bad errors', { ...good, apps: [{ app: 'a', answered: {}, errors: 'x' }] }, /errors \(a\): "x"/],
  ])('refuses %s, naming the field', (_what, body, message) => {
    expect(() => parseTrafficReport(body, CLUSTERS)).toThrow(message);
    try {
      parseTrafficReport(body, CLUSTERS);
    } catch (error) {
      expect((error as Error).name).toBe('InvalidInput');
    }
  });
});
