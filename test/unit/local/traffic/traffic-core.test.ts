// The pure parts of `switchyard local traffic`: the per-second tally and its shares, the
// caching resolver's TTL, and lines cut to the terminal width.
import { describe, expect, it } from 'vitest';
import { DnsCache } from '../../../../src/local/traffic/dns-cache.ts';
import { fitLine, renderShares, TrafficTally } from '../../../../src/local/traffic/tally.ts';

describe('TrafficTally', () => {
  it('gives each app its share per cluster over the recent window only', () => {
    const tally = new TrafficTally();
    for (let i = 0; i < 10; i++) tally.record('shop.example.com', { cluster: 'east' }, 1_000 + i);
    for (let i = 0; i < 30; i++) tally.record('shop.example.com', { cluster: 'west' }, 10_000 + i);
    tally.record('shop.example.com', { error: 'HTTP 503 from west' }, 10_500);
    // the last 2 s: east's old requests are out of the window
    expect(tally.shares(11_000, 2_000)).toEqual([{ app: 'shop.example.com', total: 31, clusters: { west: 30 / 31 }, errors: 1 }]);
    // since the start: everything
    expect(tally.totals()[0]).toMatchObject({ total: 41, errors: 1, clusters: { east: 10 / 41, west: 30 / 41 } });
  });
});

describe('DnsCache', () => {
  it('reuses an answer for its TTL times the time scale, then asks again', () => {
    const cache = new DnsCache(0.01);
    cache.put('shop.example.com', ['127.0.1.1'], 60, 1_000);
    expect(cache.get('shop.example.com', 1_599)).toEqual(['127.0.1.1']);
    expect(cache.get('shop.example.com', 1_600)).toBeUndefined();
  });

  it('refuses a negative time scale', () => {
    expect(() => new DnsCache(-1)).toThrow(/time scale -1/);
  });
});

describe('the live view', () => {
  it('cuts long lines to the terminal width instead of wrapping them', () => {
    expect(fitLine('x'.repeat(100), 40)).toHaveLength(40);
    expect(fitLine('short', 40)).toBe('short');
    const lines = renderShares(
      [{ app: `${'very-long-application-name-'.repeat(4)}example.com`, total: 20, clusters: { east: 0.5, west: 0.5 }, errors: 0 }],
      ['east', 'west', 'eu'],
      60,
    );
    expect(lines.every((l) => l.length <= 60)).toBe(true);
    expect(lines[1]).toMatch(/…$/);
  });

  it('shows each cluster as a percentage', () => {
    const [, row] = renderShares([{ app: 'shop.example.com', total: 20, clusters: { east: 0.25, west: 0.75 }, errors: 0 }], ['east', 'west', 'eu'], undefined);
    expect(row).toMatch(/^shop\.example\.com\s+25%\s+75%\s+0%\s+0\s+20$/);
  });
});
