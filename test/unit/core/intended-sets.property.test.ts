// intendedSets (src/core/dns-scope.ts), what a DNS step is read back against, compared with
// a brute-force model of its rule: every desired set in scope and not held, with its
// content; every owned set in scope, not held and not desired (same zone, name, type and
// SetIdentifier), absent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intendedSets } from '../../../src/core/dns-scope.ts';
import { normalizeName } from '../../../src/core/dns-names.ts';
import type { HeldRecords } from '../../../src/core/desired.ts';
import type { RecordSet } from '../../../src/core/model.ts';
import { classifyZone, markerRecordFor } from '../../../src/core/ownership.ts';
import type { ActualZone } from '../../../src/core/plan.ts';
import type { IntendedSet } from '../../../src/core/verify.ts';

const OWNER = 'fleet-1';
const host = fc.constantFrom('a.example.com', 'B.example.com.', 'c.example.com.');
const identity = fc.record({ type: fc.constantFrom('A', 'AAAA'), setIdentifier: fc.option(fc.constantFrom('east', 'west'), { nil: undefined }) });
const set = (name: string, id: { type: string; setIdentifier?: string | undefined }, weight: number): RecordSet => ({
  name,
  type: id.type as RecordSet['type'],
  ...(id.setIdentifier === undefined ? {} : { setIdentifier: id.setIdentifier, weight }),
  ttl: 60,
  values: ['192.0.2.1'],
});

/** A zone's sets at a few names, each name with or without our marker listing some of them, or another owner's. */
const zone: fc.Arbitrary<ActualZone> = fc
  .record({
    zoneId: fc.constantFrom('Z1', 'Z2'),
    names: fc.array(
      fc.record({
        host,
        sets: fc.array(identity, { maxLength: 3 }),
        marked: fc.array(identity, { maxLength: 3 }),
        marker: fc.constantFrom('ours', 'theirs', 'none'),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ zoneId, names }) => ({
    zoneId,
    records: names.flatMap(({ host: h, sets, marked, marker }) => {
      const name = normalizeName(h);
      const markerSet = marker === 'none' ? undefined : markerRecordFor(name, marker === 'ours' ? OWNER : 'someone-else', marked, 300);
      return [...sets.map((id) => set(name, id, 1)), ...(markerSet ? [markerSet] : [])];
    }),
  }));
const desired = fc.array(
  fc.record({ zoneId: fc.constantFrom('Z1', 'Z2'), host, id: identity, weight: fc.integer({ min: 0, max: 2 }) }).map(({ zoneId, host: h, id, weight }) => ({
    zoneId,
    recordSet: set(h, id, weight),
  })),
  { maxLength: 6 },
);
const held: fc.Arbitrary<HeldRecords[]> = fc.array(
  fc.record({ host, setIdentifier: fc.option(fc.constantFrom('east', 'west'), { nil: undefined }) }).map(({ host: h, setIdentifier }) => ({
    name: h,
    ...(setIdentifier === undefined ? {} : { setIdentifier }),
    reason: 'held',
  })),
  { maxLength: 3 },
);

function model(
  want: ReadonlyArray<{ zoneId: string; recordSet: RecordSet }>,
  actual: readonly ActualZone[],
  holds: readonly HeldRecords[],
  hostnames: readonly string[] | undefined,
): IntendedSet[] {
  const isHeld = (r: RecordSet) =>
    holds.some((h) => normalizeName(h.name) === normalizeName(r.name) && (h.setIdentifier === undefined || h.setIdentifier === r.setIdentifier));
  const inScope = (name: string) => hostnames === undefined || hostnames.some((h) => normalizeName(h) === name);
  const present: IntendedSet[] = want
    .filter(({ recordSet }) => !isHeld(recordSet) && inScope(normalizeName(recordSet.name)))
    .map(({ zoneId, recordSet }) => ({
      zoneId,
      name: normalizeName(recordSet.name),
      type: recordSet.type,
      ...(recordSet.setIdentifier === undefined ? {} : { setIdentifier: recordSet.setIdentifier }),
      want: { ...recordSet, name: normalizeName(recordSet.name) },
    }));
  const absent: IntendedSet[] = [];
  for (const z of actual) {
    for (const [name, ownership] of classifyZone(z.records, OWNER)) {
      if (!inScope(name)) continue;
      for (const r of ownership.owned) {
        const desiredToo = present.some(
          (p) =>
            p.zoneId === z.zoneId && p.name === name && p.type.toUpperCase() === r.type.toUpperCase() && (p.setIdentifier ?? '') === (r.setIdentifier ?? ''),
        );
        if (isHeld(r) || desiredToo) continue;
        absent.push({ zoneId: z.zoneId, name, type: r.type, ...(r.setIdentifier === undefined ? {} : { setIdentifier: r.setIdentifier }), want: null });
      }
    }
  }
  return [...present, ...absent];
}

const sorted = (sets: readonly IntendedSet[]) => sets.map((s) => JSON.stringify(s)).sort();

describe('intendedSets', () => {
  it('property: intends the sets the brute-force model does (desired in scope and not held; owned, not desired, absent)', () => {
    let absentSeen = 0;
    fc.assert(
      fc.property(
        desired,
        fc.array(zone, { maxLength: 2 }),
        held,
        fc.option(fc.subarray(['a.example.com', 'b.example.com', 'c.example.com.']), { nil: undefined }),
        (want, actual, holds, hostnames) => {
          const got = intendedSets(want, actual, holds, OWNER, hostnames);
          if (got.some((s) => s.want === null)) absentSeen += 1;
          expect(sorted(got)).toEqual(sorted(model(want, actual, holds, hostnames)));
        },
      ),
      { numRuns: 2000 },
    );
    // The property says something about owned sets only if some runs intend one absent.
    expect(absentSeen).toBeGreaterThan(100);
  });
});
