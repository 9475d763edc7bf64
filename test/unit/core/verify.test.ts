import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordSet } from '../../../src/core/model.ts';
import { differences, expectedCount, groupExpectations, listOrderKey, readNames, type PageStart, type ReadPage } from '../../../src/core/verify.ts';
import { pageWithLocalListing } from '../../support/local-route53-rules.ts';

const alias = (lb: string) => ({ hostedZoneId: 'Z26RNL4JYFTOTI', dnsName: `${lb}.elb.us-east-1.amazonaws.com.`, evaluateTargetHealth: true });
const weighted = (name: string, cluster: string, weight: number): RecordSet => ({
  name,
  type: 'A',
  setIdentifier: cluster,
  weight,
  aliasTarget: alias(cluster),
  healthCheckId: `hc-${cluster}`,
});

describe('groupExpectations', () => {
  it('groups sets that differ only by name, keeps absent sets apart, and counts every set', () => {
    // Prepare
    const sets = [
      { zoneId: 'Z1', name: 'b.example.com.', type: 'A', setIdentifier: 'east', want: weighted('b.example.com.', 'east', 0) },
      { zoneId: 'Z1', name: 'a.example.com.', type: 'A', setIdentifier: 'east', want: weighted('a.example.com.', 'east', 0) },
      { zoneId: 'Z1', name: 'c.example.com.', type: 'A', setIdentifier: 'east', want: null },
    ];
    // Act
    const groups = groupExpectations(sets);
    // Assess
    expect(groups).toHaveLength(2);
    expect(groups.find((g) => g.want !== null)).toMatchObject({
      zoneId: 'Z1',
      type: 'A',
      setIdentifier: 'east',
      names: ['a.example.com.', 'b.example.com.'],
      want: { weight: 0 },
    });
    expect(groups.find((g) => g.want === null)?.names).toEqual(['c.example.com.']);
    expect(expectedCount(groups)).toBe(3);
  });
});

describe('differences', () => {
  it('is empty when Route 53 holds every intended set, and names each set that differs or is missing or should be gone', () => {
    // Prepare
    const groups = groupExpectations([
      { zoneId: 'Z1', name: 'a.example.com.', type: 'A', setIdentifier: 'east', want: weighted('a.example.com.', 'east', 0) },
      { zoneId: 'Z1', name: 'b.example.com.', type: 'A', setIdentifier: 'east', want: weighted('b.example.com.', 'east', 0) },
      { zoneId: 'Z1', name: 'c.example.com.', type: 'A', setIdentifier: 'east', want: null },
    ]);
    const good = new Map([['Z1', [weighted('a.example.com.', 'east', 0), weighted('b.example.com.', 'east', 0), weighted('a.example.com.', 'west', 100)]]]);
    const bad = new Map([['Z1', [weighted('a.example.com.', 'east', 100), weighted('c.example.com.', 'east', 50)]]]);
    // Act
    const none = differences(groups, good);
    const some = differences(groups, bad);
    // Assess
    expect(none).toEqual([]);
    expect(some).toEqual([
      'a.example.com. A east (zone Z1): intended weight 0, alias east.elb.us-east-1.amazonaws.com., health check hc-east, Route 53 holds weight 100, alias east.elb.us-east-1.amazonaws.com., health check hc-east',
      'b.example.com. A east (zone Z1): intended weight 0, alias east.elb.us-east-1.amazonaws.com., health check hc-east, Route 53 holds absent',
      'c.example.com. A east (zone Z1): intended absent, Route 53 holds weight 50, alias east.elb.us-east-1.amazonaws.com., health check hc-east',
    ]);
  });
});

describe('readNames', () => {
  /** A zone of `n` apps with two clusters' sets each, and 2,000 other names after them. */
  function zone(n: number): RecordSet[] {
    const records: RecordSet[] = [];
    for (let i = 0; i < n; i++) {
      const name = `app-${String(i).padStart(4, '0')}.example.com.`;
      records.push(weighted(name, 'east', 100), weighted(name, 'west', 100));
    }
    for (let i = 0; i < 2000; i++) records.push({ name: `zz-${i}.example.com.`, type: 'A', ttl: 60, values: ['192.0.2.1'] });
    return records;
  }

  async function read(records: RecordSet[], names: string[]) {
    const starts: PageStart[] = [];
    const out = await readNames(names, async (start): Promise<ReadPage> => {
      starts.push(start);
      return pageWithLocalListing(records, start);
    });
    return { ...out, starts };
  }

  it('reads 600 adjacent sets in two pages, returns every set at the names and none elsewhere', async () => {
    // Prepare
    const records = zone(300);
    const names = records.filter((r) => r.name.startsWith('app-')).map((r) => r.name);
    // Act
    const out = await read(records, names);
    // Assess
    expect(out.pages).toBe(2);
    expect(out.records).toHaveLength(600);
    expect(out.records.every((r) => r.name.startsWith('app-'))).toBe(true);
  });

  it('jumps over names nobody touched instead of paging through them', async () => {
    // Prepare: the first and the last app of 1,000 (2,000 sets between them).
    const records = zone(1000);
    // Act
    const out = await read(records, ['app-0999.example.com', 'app-0000.example.com']);
    // Assess
    expect(out.pages).toBe(2);
    expect(out.starts.map((s) => s.name)).toEqual(['app-0000.example.com.', 'app-0999.example.com.']);
    expect(out.records.map((r) => `${r.name} ${r.setIdentifier}`)).toEqual([
      'app-0000.example.com. east',
      'app-0000.example.com. west',
      'app-0999.example.com. east',
      'app-0999.example.com. west',
    ]);
  });

  it('continues inside a name a page ended in', async () => {
    // Prepare: one name holds 400 sets, more than a page.
    const records: RecordSet[] = [];
    for (let i = 0; i < 400; i++) records.push(weighted('big.example.com.', `c${String(i).padStart(3, '0')}`, 1));
    records.push(...zone(1).slice(0, 2));
    // Act
    const out = await read(records, ['big.example.com']);
    // Assess
    expect(out.pages).toBe(2);
    expect(out.records).toHaveLength(400);
    expect(out.starts[1]).toMatchObject({ name: 'big.example.com.', type: 'A', identifier: 'c300' });
  });

  it('returns exactly the sets at the names asked for, for any names of a zone (property; fast-check prints the seed)', async () => {
    // Prepare: names at several depths, so list order (labels reversed) differs from string order.
    const names = Array.from({ length: 700 }, (_, i) => (i % 3 === 0 ? `x${i}.app-${i % 50}.example.com.` : `app-${i}.example.com.`));
    const records = names.flatMap((name) => [weighted(name, 'east', 100), weighted(name, 'west', 0)]);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.subarray(names, { maxLength: 6 }), fc.subarray(names)), fc.boolean(), async (asked, spell) => {
        // Act: some names asked without the trailing dot or in upper case.
        const out = await read(records, spell ? asked.map((n) => n.slice(0, -1).toUpperCase()) : asked);
        // Assess
        const want = new Set(asked);
        const key = (r: RecordSet) => `${r.name} ${r.setIdentifier}`;
        expect(out.records.map(key).sort()).toEqual(
          records
            .filter((r) => want.has(r.name))
            .map(key)
            .sort(),
        );
        // Pages go forward in list order, never back.
        const starts = out.starts.map((s) => listOrderKey(s.name));
        expect(starts).toEqual([...starts].sort());
      }),
      { numRuns: 40 },
    );
  });

  it('orders names as Route 53 lists them (labels reversed)', () => {
    expect(listOrderKey('a.b.example.com')).toBe('com.example.b.a.');
    expect([listOrderKey('z.a.example.com'), listOrderKey('b.example.com')].sort()).toEqual(['com.example.a.z.', 'com.example.b.']);
  });
});
