// clusterSetsAfter (src/core/dns-scope.ts): each cluster's A set at each name after some
// change groups, read from the changes and the index before, against indexing the whole
// zones after (setsByNameAndCluster of recordsAfter), which it replaces in a DNS apply.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterSetsAfter, indexClusterSets, setsByNameAndCluster } from '../../../src/core/dns-scope.ts';
import { normalizeName } from '../../../src/core/dns-names.ts';
import type { ChangeAction, ChangeGroup, RecordSet } from '../../../src/core/model.ts';
import { recordsAfter } from '../../../src/core/zone-state.ts';

// Names that differ only by case, a trailing dot or an escape are one name to Route 53.
const name = fc.constantFrom('a.example.com.', 'A.example.com', 'b.example.com.', '\\052.example.com.', '*.example.com', 'c.example.com.');
const record: fc.Arbitrary<RecordSet> = fc
  .record({
    name,
    type: fc.constantFrom('A', 'a', 'AAAA', 'TXT'),
    setIdentifier: fc.option(fc.constantFrom('east', 'west'), { nil: undefined }),
    weight: fc.integer({ min: 0, max: 255 }),
  })
  .map(({ setIdentifier, weight, ...r }) => (setIdentifier === undefined ? { ...r } : { ...r, setIdentifier, weight }));
const zoneId = fc.constantFrom('Z1', 'Z2');
const group: fc.Arbitrary<{ zoneId: string; group: ChangeGroup }> = fc
  .record({
    zoneId,
    changes: fc.array(fc.record({ action: fc.constantFrom<ChangeAction>('CREATE', 'UPSERT', 'DELETE'), recordSet: record }), { maxLength: 6 }),
  })
  .map(({ zoneId: id, changes }) => ({ zoneId: id, group: { name: 'g', changes } as ChangeGroup }));

describe('clusterSetsAfter', () => {
  it('property: each name and cluster holds what indexing the whole zones after the changes finds', () => {
    // One zone of sets unique by identity (a reading of Route 53) takes the fast path; any
    // other input (two zones, a set listed twice) the whole-zone one: both are checked.
    const zones = fc.oneof(
      fc
        .uniqueArray(record, { selector: (r) => `${normalizeName(r.name)}|${r.type.toUpperCase()}|${r.setIdentifier ?? ''}`, maxLength: 10 })
        .map((records) => [{ zoneId: 'Z1', records }]),
      fc.array(fc.record({ zoneId, records: fc.array(record, { maxLength: 10 }) }), { maxLength: 2 }),
    );
    fc.assert(
      fc.property(zones, fc.array(group, { maxLength: 4 }), (actual, applied) => {
        const whole = setsByNameAndCluster([...recordsAfter(actual, applied)].map(([id, records]) => ({ zoneId: id, records })));
        const after = clusterSetsAfter(actual, applied, indexClusterSets(actual));
        const names = new Set(
          [...actual.flatMap((z) => z.records), ...applied.flatMap((a) => a.group.changes.map((c) => c.recordSet))].map((r) => normalizeName(r.name)),
        );
        for (const n of names) {
          for (const cluster of ['east', 'west']) expect(after.get(n)?.get(cluster)).toBe(whole.get(n)?.get(cluster));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a drain step from the changes: the changed cluster holds its new set, the other cluster and other names what they held', () => {
    const set = (n: string, cluster: string, weight: number): RecordSet => ({ name: n, type: 'A', setIdentifier: cluster, weight });
    const actual = [{ zoneId: 'Z1', records: [set('a.example.com.', 'east', 100), set('a.example.com.', 'west', 100), set('b.example.com.', 'east', 100)] }];
    const drained = set('a.example.com.', 'east', 0);
    const after = clusterSetsAfter(
      actual,
      [{ zoneId: 'Z1', group: { name: 'a.example.com.', changes: [{ action: 'UPSERT', recordSet: drained }] } as ChangeGroup }],
      indexClusterSets(actual),
    );
    expect(after.get('a.example.com.')?.get('east')).toBe(drained);
    expect(after.get('a.example.com.')?.get('west')).toBe(actual[0]!.records[1]);
    expect(after.get('b.example.com.')?.get('east')).toBe(actual[0]!.records[2]);
  });
});
