// Property tests: each algorithm the planner uses for speed at 100,000 names
// (docs/benchmarks.md) against the simple one it replaces. fast-check prints the seed and
// the shrunk counterexample on failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWithin, withinAnyOf } from '../../../src/core/config.ts';
import { canonicalHostname, compareStrings, endsWithPart, hasAt, normalizeName, zoneFinder, zonesForName } from '../../../src/core/dns-names.ts';
import { lookupInOrder, OrderedGroups } from '../../../src/core/grouping.ts';
import type { HostedZone, RecordSet } from '../../../src/core/model.ts';
import { classifyNames, classifyZone, markerRecordFor, markerValue, parseMarkerValue, sameIdentity } from '../../../src/core/ownership.ts';
import { compareRecordSets, sameRecordContent } from '../../../src/core/route53-rules.ts';
import { sortInPlace } from '../../../src/core/sort.ts';

const OWNER = 'me';

describe('sortInPlace', () => {
  it('orders a list exactly as a stable Array.prototype.sort, short or long', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }), (keys) => {
        const items = keys.map((key, id) => ({ key, id }));
        const compare = (a: { key: number }, b: { key: number }) => a.key - b.key;
        const expected = [...items].sort(compare);
        const list = [...items];
        expect(sortInPlace(list, compare)).toBe(list);
        expect(list).toEqual(expected);
      }),
    );
  });
});

/** Keys from a small alphabet (so they repeat), in runs that are often sorted. */
const keySequence = fc.oneof(
  fc.array(fc.stringMatching(/^[ab.-]{0,3}$/), { maxLength: 30 }),
  fc.array(fc.stringMatching(/^[ab.-]{0,3}$/), { maxLength: 30 }).map((keys) => [...keys].sort()),
);

describe('OrderedGroups', () => {
  it('groups like a Map, in order of first appearance, and says when the keys came sorted', () => {
    fc.assert(
      fc.property(keySequence, (keys) => {
        const groups = new OrderedGroups<{ key: string; items: number[] }>();
        keys.forEach((key, i) => {
          const found = groups.find(key);
          if (found) found.items.push(i);
          else groups.add(key, { key, items: [i] });
        });

        const expected = new Map<string, number[]>();
        keys.forEach((key, i) => expected.set(key, [...(expected.get(key) ?? []), i]));
        expect(groups.groups.map((g) => [g.key, g.items])).toEqual([...expected]);
        expect(groups.keys).toEqual([...expected.keys()]);
        const firsts = [...expected.keys()];
        expect(groups.sorted).toBe(firsts.every((key, i) => i === 0 || compareStrings(firsts[i - 1] as string, key) < 0));
        for (const key of [...keys, 'zz', '']) expect(groups.find(key)?.items).toEqual(expected.get(key));
      }),
    );
  });

  it('lookupInOrder answers like Map.get for keys asked in any order', () => {
    fc.assert(
      fc.property(keySequence, keySequence, (added, asked) => {
        const groups = new OrderedGroups<string>();
        for (const key of added) if (groups.find(key) === undefined) groups.add(key, `group ${key}`);
        const lookup = lookupInOrder(groups);
        for (const key of asked) expect(lookup(key)).toBe(added.includes(key) ? `group ${key}` : undefined);
      }),
    );
  });
});

describe('canonicalHostname', () => {
  it('equals raw.trim().toLowerCase() without a trailing dot, for any string', () => {
    const raw = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'Z', '.', '-', '*', ' ', '\t', '\u00a0', '\ufeff', 'İ', 'é', '\\', '0') }),
      fc.string({ unit: 'grapheme' }),
    );
    fc.assert(
      fc.property(raw, (name) => {
        expect(canonicalHostname(name)).toBe(name.trim().toLowerCase().replace(/\.$/, ''));
      }),
    );
  });
});

// ---- classifyZone against the simple classifier it replaced ----------------------------

/** The previous classifier: builds every marker's "TYPE/set" labels and looks each set's label up. */
function simpleClassify(records: readonly RecordSet[], ownerId: string) {
  const prefix = `"heritage=switchyard,owner=${ownerId},set=`;
  const byName = new Map<string, { markers: RecordSet[]; sets: RecordSet[] }>();
  const markedNames: string[] = [];
  for (const record of records) {
    const name = normalizeName(record.name);
    const isMarker = name.startsWith('_switchyard.') && name.length > '_switchyard.'.length + 1;
    const appName = isMarker ? name.slice('_switchyard.'.length) : name;
    let group = byName.get(appName);
    if (!group) byName.set(appName, (group = { markers: [], sets: [] }));
    if (!isMarker) group.sets.push(record);
    else if (group.markers.push(record) === 1) markedNames.push(appName);
  }
  const ourSets = (record: RecordSet): string[] | undefined => {
    if (record.type.toUpperCase() !== 'TXT' || record.setIdentifier || !record.values || record.values.length === 0) return undefined;
    const sets: string[] = [];
    for (const value of record.values) {
      if (!(value.startsWith(prefix) && value.endsWith('"') && value.length > prefix.length + 1 && !value.includes(',', prefix.length))) return undefined;
      sets.push(value.slice(prefix.length, -1));
    }
    return sets;
  };
  const classify = (name: string, group: { markers: RecordSet[]; sets: RecordSet[] }) => {
    let ourMarker: RecordSet | undefined;
    let ours: string[] | undefined;
    const otherOwners: string[] = [];
    const markerBlockers: RecordSet[] = [];
    for (const record of [...group.markers].sort(compareRecordSets)) {
      const sets = ourMarker ? undefined : ourSets(record);
      if (sets) {
        ourMarker = record;
        ours = sets;
      } else {
        markerBlockers.push(record);
        const owners = record.type.toUpperCase() === 'TXT' && !record.setIdentifier ? (record.values ?? []).map(parseMarkerValue) : [];
        for (const p of owners) if (p && p.owner !== ownerId && !otherOwners.includes(p.owner)) otherOwners.push(p.owner);
      }
    }
    const owned: RecordSet[] = [];
    const others: RecordSet[] = [];
    for (const record of group.sets) {
      const label = `${record.type.toUpperCase()}/${record.setIdentifier ?? '-'}`;
      if (ours && ['A', 'AAAA'].includes(record.type.toUpperCase()) && ours.includes(label) && !owned.some((o) => sameIdentity(o, record))) owned.push(record);
      else others.push(record);
    }
    return {
      name,
      otherOwners: otherOwners.sort(compareStrings),
      markerBlockers,
      owned: owned.sort(compareRecordSets),
      others: others.sort(compareRecordSets),
      ...(ourMarker ? { ourMarker } : {}),
    };
  };
  const result = new Map<string, ReturnType<typeof classify>>();
  for (const name of markedNames) result.set(name, classify(name, byName.get(name)!));
  for (const [name, group] of byName) if (group.markers.length === 0) result.set(name, classify(name, group));
  return result;
}

const setIdentifier = fc.constantFrom(undefined, 'east', 'easy', 'west', '');
const recordArb: fc.Arbitrary<RecordSet> = fc.oneof(
  fc.record({
    name: fc.constantFrom('a.example.com.', 'A.Example.com', 'b.example.com.', 'ab.example.com.'),
    type: fc.constantFrom('A', 'AAAA', 'a', 'MX', 'CNAME'),
    setIdentifier,
    ttl: fc.constantFrom(60, 300),
    values: fc.constant<string[]>(['192.0.2.1']),
  }),
  fc.record({
    name: fc.constantFrom('_switchyard.a.example.com.', '_switchyard.b.example.com', '_SWITCHYARD.ab.example.com.'),
    type: fc.constantFrom('TXT', 'txt', 'A'),
    setIdentifier: fc.constantFrom(undefined, undefined, 'east'),
    ttl: fc.constant(300),
    values: fc.array(
      fc.oneof(
        { arbitrary: fc.tuple(fc.constantFrom('A', 'AAAA', 'a'), setIdentifier).map(([type, set]) => markerValue(OWNER, type, set)), weight: 6 },
        { arbitrary: fc.tuple(fc.constantFrom('A', 'AAAA'), setIdentifier).map(([type, set]) => markerValue('them', type, set)), weight: 1 },
        {
          arbitrary: fc.constantFrom(
            '"hello"',
            `"heritage=switchyard,owner=${OWNER},set=A/east,x"`,
            `"heritage=switchyard,owner=${OWNER},set="`,
            `heritage=switchyard,owner=${OWNER},set=A/east`,
          ),
          weight: 1,
        },
      ),
      { maxLength: 4 },
    ),
  }),
);

describe('classifyZone and classifyNames', () => {
  it('classify every name as the simple classifier does (classifyNames: the same names, in order of first appearance)', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 14 }), fc.boolean(), (drawn, byName) => {
        // No undefined-valued keys: a set as Route 53 returns it. Sorted by name: in runs of one name, as Route 53 lists them.
        const records = drawn.map((r) => JSON.parse(JSON.stringify(r)) as RecordSet);
        if (byName) records.sort((a, b) => compareStrings(a.name, b.name));
        const expected = simpleClassify(records, OWNER);
        const zone = classifyZone(records, OWNER);
        expect([...zone.keys()]).toEqual([...expected.keys()]);
        for (const [name, ownership] of zone) expect(ownership).toEqual(expected.get(name));
        const listed = classifyNames(records, OWNER);
        expect(new Map(listed.map((o) => [o.name, o]))).toEqual(zone);
        const firstSeen = [...new Set(records.map((r) => normalizeName(r.name).replace(/^_switchyard\./, '')))];
        expect(listed.map((o) => o.name)).toEqual(firstSeen);
      }),
      { numRuns: 500 },
    );
  });
});

describe('zoneFinder', () => {
  const label = fc.constantFrom('a', 'b', 'sub', 'example', 'com', '*', 'x-y', 'A', '', 'a\\056b', ' c');
  const name = fc.tuple(fc.array(label, { minLength: 0, maxLength: 4 }), fc.boolean()).map(([labels, dot]) => `${labels.join('.')}${dot ? '.' : ''}`);
  const zones = fc
    .array(
      fc.tuple(fc.constantFrom('com', 'example.com', 'sub.example.com', 'b.sub.example.com', 'Example.COM.', 'a.b', '.'), fc.constantFrom('Z1', 'Z2', 'Z3')),
      {
        maxLength: 5,
      },
    )
    .map((list) => list.map(([zoneName, id]): HostedZone => ({ id, name: zoneName })));

  it('answers like zonesForName for every name, asked in any order and again', () => {
    fc.assert(
      fc.property(zones, fc.array(name, { maxLength: 20 }), (managed, names) => {
        const find = zoneFinder(managed);
        for (const n of [...names, ...names]) expect(find(n)).toEqual(zonesForName(n, managed));
      }),
    );
  });
});

describe('sameRecordContent and markerRecordFor', () => {
  const values = fc.array(fc.constantFrom('"a"', '"b"', '"c"', '192.0.2.1'), { maxLength: 5 });

  it('sameRecordContent compares values as the sorted copies it used to compare', () => {
    fc.assert(
      fc.property(values, values, fc.boolean(), (a, b, shuffled) => {
        const other = shuffled ? [...a].reverse() : b;
        const simple = JSON.stringify([...a].sort(compareStrings)) === JSON.stringify([...other].sort(compareStrings));
        const base = { name: 'x.example.com.', type: 'TXT', ttl: 300 };
        expect(sameRecordContent({ ...base, values: a }, { ...base, values: other })).toBe(simple);
      }),
    );
  });

  it('markerRecordFor lists each set once, sorted, as a Set and a sort did', () => {
    const sets = fc.array(fc.record({ type: fc.constantFrom('A', 'AAAA', 'a'), setIdentifier: fc.constantFrom(undefined, 'east', 'west') }), { maxLength: 16 });
    fc.assert(
      fc.property(sets, (list) => {
        const expected = [...new Set(list.map((s) => markerValue(OWNER, s.type, s.setIdentifier)))].sort(compareStrings);
        const marker = markerRecordFor('x.example.com.', OWNER, list, 300);
        expect(marker?.values).toEqual(expected.length === 0 ? undefined : expected);
      }),
    );
  });
});

describe('withinAnyOf', () => {
  const part = fc.constantFrom('a', 'B', 'example', 'com', 'Example.COM', 'x-y', '', '.', '..');
  const text = fc.array(part, { maxLength: 4 }).map((parts) => parts.join('.'));

  it('answers like isWithin against each suffix, for canonical hostnames and any other name', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), text, fc.boolean(), (suffixes, raw, canonical) => {
        const name = canonical ? canonicalHostname(raw) : raw;
        expect(withinAnyOf(suffixes)(name)).toBe(suffixes.some((suffix) => isWithin(name, suffix)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('hasAt and endsWithPart', () => {
  const text = fc.stringMatching(/^[ab.",]{0,8}$/);

  it('answer like startsWith at a position and endsWith', () => {
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 10 }), (s, part, at) => {
        // startsWith clamps a position past the end to the end; hasAt is only asked within the text.
        if (at <= s.length) expect(hasAt(s, part, at)).toBe(s.startsWith(part, at));
        expect(endsWithPart(s, part)).toBe(s.endsWith(part));
      }),
      { numRuns: 1000 },
    );
  });
});
