import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordSet } from '../../../src/core/model.ts';
import { classifyZone, conflictsAt, markerRecordFor, markerValue, parseMarkerValue } from '../../../src/core/ownership.ts';
import { alias, LB, marker, NLB_ZONE, OWNER } from './dns-fixtures.ts';

const name = 'shop.example.com.';
const east = alias(name, LB.east, NLB_ZONE.east, { setIdentifier: 'east', weight: 100 });
const west = alias(name, LB.west, NLB_ZONE.west, { setIdentifier: 'west', weight: 100 });

describe('marker values', () => {
  it('round-trip, quoted, with "-" for no SetIdentifier', () => {
    expect(markerValue('o', 'a', 'east')).toBe('"heritage=switchyard,owner=o,set=A/east"');
    expect(parseMarkerValue(markerValue('o', 'AAAA', 'east'))).toEqual({ owner: 'o', type: 'AAAA', setIdentifier: 'east' });
    expect(parseMarkerValue(markerValue('o', 'A'))).toEqual({ owner: 'o', type: 'A' });
    expect(parseMarkerValue('"heritage=external-dns,external-dns/owner=x"')).toBeUndefined();
  });

  it("property: each value is its owner's, type's and SetIdentifier's, however the calls before it went (the values are cached)", () => {
    const call = fc.record({
      owner: fc.constantFrom('o', 'o2', 'a b', 'x'),
      type: fc.constantFrom('A', 'a', 'AAAA', 'CNAME'),
      setIdentifier: fc.option(fc.constantFrom('east', 'west', '-', 'a b'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 30 }), (calls) => {
        for (const c of calls) {
          expect(markerValue(c.owner, c.type, c.setIdentifier)).toBe(
            `"heritage=switchyard,owner=${c.owner},set=${c.type.toUpperCase()}/${c.setIdentifier ?? '-'}"`,
          );
        }
      }),
    );
    // Past the cache's bound (it starts again), values stay right.
    for (let i = 0; i < 10_050; i++) expect(markerValue('o', 'A', `s${i}`)).toBe(`"heritage=switchyard,owner=o,set=A/s${i}"`);
    expect(markerValue('o', 'A', 's1')).toBe('"heritage=switchyard,owner=o,set=A/s1"');
  });

  it('is a SIMPLE TXT at _switchyard.<name> with sorted, deduplicated values: never a copy of the routing policy', () => {
    const m = markerRecordFor(
      '*.example.com',
      OWNER,
      [
        { type: 'A', setIdentifier: 'west' },
        { type: 'A', setIdentifier: 'east' },
        { type: 'A', setIdentifier: 'east' },
      ],
      120,
    );
    expect(m).toEqual({
      name: '_switchyard.*.example.com.',
      type: 'TXT',
      ttl: 120,
      values: [markerValue(OWNER, 'A', 'east'), markerValue(OWNER, 'A', 'west')],
    });
    expect(m?.setIdentifier).toBeUndefined();
    expect(m?.failover).toBeUndefined();
    expect(markerRecordFor(name, OWNER, [], 300)).toBeUndefined();
  });
});

describe('classifyZone', () => {
  it('owns only the A/AAAA sets our marker lists', () => {
    const foreignAaaa = alias(name, LB.east, NLB_ZONE.east, { setIdentifier: 'east', weight: 100 }, 'AAAA');
    const mx: RecordSet = { name, type: 'MX', ttl: 300, values: ['10 mail.example.com.'] };
    const m = marker(name, [
      ['A', 'east'],
      ['MX', undefined],
    ]);
    const result = classifyZone([east, west, foreignAaaa, mx, m], OWNER).get(name);
    expect(result?.owned).toEqual([east]);
    expect(result?.others).toEqual([west, foreignAaaa, mx].sort((a, b) => (`${a.type}|${a.setIdentifier}` < `${b.type}|${b.setIdentifier}` ? -1 : 1)));
    expect(result?.ourMarker).toBe(m);
  });

  it('reads escaped wildcard names from Route 53', () => {
    const star = alias('\\052.example.com.', LB.east, NLB_ZONE.east);
    const m = { ...marker('*.example.com.', [['A', undefined]]), name: '_switchyard.\\052.example.com.' };
    expect(classifyZone([star, m], OWNER).get('*.example.com.')?.owned).toEqual([star]);
  });

  it("treats another owner's marker, or a mixed one, as not ours", () => {
    const theirs = marker(name, [['A', 'east']], 'other-fleet');
    const other = classifyZone([east, theirs], OWNER).get(name);
    expect(other?.owned).toEqual([]);
    expect(other?.otherOwners).toEqual(['other-fleet']);
    const mixed: RecordSet = { ...theirs, values: [...theirs.values!, markerValue(OWNER, 'A', 'east')] };
    expect(classifyZone([east, mixed], OWNER).get(name)?.owned).toEqual([]);
  });

  it('treats a TXT with foreign values at the marker name as a blocker, not a marker', () => {
    const foreign: RecordSet = { name: `_switchyard.${name}`, type: 'TXT', ttl: 60, values: ['"hello"'] };
    const result = classifyZone([east, foreign], OWNER).get(name);
    expect(result?.owned).toEqual([]);
    expect(result?.markerBlockers).toEqual([foreign]);
  });
});

describe('conflictsAt', () => {
  const desiredEast = { ...east, healthCheckId: 'hc' };

  it('is empty for a fresh name or our own sets', () => {
    expect(conflictsAt(undefined, [desiredEast])).toEqual([]);
    expect(conflictsAt(classifyZone([east, marker(name, [['A', 'east']])], OWNER).get(name), [desiredEast])).toEqual([]);
  });

  it.each<[string, RecordSet[], RegExp]>([
    ['same key, not owned', [east], /A "east" exists and is not owned by Switchyard/],
    ['a foreign CNAME', [{ name, type: 'CNAME', ttl: 60, values: ['x.example.org.'] }], /has a CNAME that Switchyard does not own/],
    ['a foreign simple set of the same type', [alias(name, LB.west, NLB_ZONE.west)], /is a simple set not owned by Switchyard; Switchyard wants weighted/],
    ["another owner's marker", [marker(name, [['A', 'west']], 'other-fleet')], /held by another owner \(other-fleet\)/],
    ['a foreign TXT at the marker name', [{ name: `_switchyard.${name}`, type: 'TXT', ttl: 60, values: ['"x"'] }], /ownership marker cannot be written/],
  ])('reports %s', (_, actual, reason) => {
    const reasons = conflictsAt(classifyZone(actual, OWNER).get(name), [desiredEast]);
    expect(reasons.join('\n')).toMatch(reason);
  });

  it('reports a foreign failover set when we want failover (PRIMARY/SECONDARY slots)', () => {
    const theirs = alias(name, LB.west, NLB_ZONE.west, { setIdentifier: 'theirs', failover: 'SECONDARY' });
    const ours = alias(name, LB.east, NLB_ZONE.east, { setIdentifier: 'east', failover: 'PRIMARY' });
    expect(conflictsAt(classifyZone([theirs], OWNER).get(name), [ours]).join()).toMatch(/failover set not owned/);
  });

  it('lets our weighted sets live next to a foreign weighted set and unrelated types', () => {
    const theirs = alias(name, LB.west, NLB_ZONE.west, { setIdentifier: 'theirs', weight: 10 });
    const txt: RecordSet = { name, type: 'TXT', ttl: 60, values: ['"v=spf1 -all"'] };
    expect(conflictsAt(classifyZone([theirs, txt], OWNER).get(name), [desiredEast])).toEqual([]);
  });
});
