// Table tests with named fixtures, in the style of external-dns's plan_test.go.
import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../../src/core/route53-rules.ts';
import type { HeldRecords } from '../../../src/core/desired.ts';
import { recordKey } from '../../../src/core/dns-names.ts';
import type { Change, RecordSet, SyncPolicy } from '../../../src/core/model.ts';
import { isEmptyPlan, plan, planCounts, type Plan } from '../../../src/core/plan.ts';
import { alias, LB, marker, NLB_ZONE, OWNER, ZONE, ZONES } from './dns-fixtures.ts';

const N = 'shop.example.com.';
// Fixture records, named after what they are.
const eastW100 = alias(N, LB.east, NLB_ZONE.east, { setIdentifier: 'east', weight: 100, healthCheckId: 'hc-east' });
const westW100 = alias(N, LB.west, NLB_ZONE.west, { setIdentifier: 'west', weight: 100, healthCheckId: 'hc-west' });
const westW0 = { ...westW100, weight: 0 };
const westOtherHc = { ...westW100, healthCheckId: 'hc-west-2' };
const westOtherTarget = alias(N, LB.alb, 'Z1H1FL5HABSF5', { setIdentifier: 'west', weight: 100, healthCheckId: 'hc-west' });
const eastAaaa = { ...eastW100, type: 'AAAA' };
const simpleEast = alias(N, LB.east, NLB_ZONE.east, { healthCheckId: 'hc-east' });
const eastPrimary = alias(N, LB.east, NLB_ZONE.east, { setIdentifier: 'east', failover: 'PRIMARY', healthCheckId: 'hc-east' });
const westSecondary = alias(N, LB.west, NLB_ZONE.west, { setIdentifier: 'west', failover: 'SECONDARY', healthCheckId: 'hc-west' });
const eastSecondary = { ...eastPrimary, failover: 'SECONDARY' as const };
const westPrimary = { ...westSecondary, failover: 'PRIMARY' as const };
const eastValues: RecordSet = { name: N, type: 'A', setIdentifier: 'east', weight: 100, ttl: 60, values: ['192.0.2.10'], healthCheckId: 'hc-east' };
const foreignCname: RecordSet = { name: N, type: 'CNAME', ttl: 300, values: ['elsewhere.example.org.'] };
const mEastWest = marker(N, [
  ['A', 'east'],
  ['A', 'west'],
]);
const mEast = marker(N, [['A', 'east']]);
const mSimple = marker(N, [['A', undefined]]);

interface Fixture {
  name: string;
  desired: RecordSet[];
  actual: RecordSet[];
  policy?: SyncPolicy;
  held?: HeldRecords[];
  /** Expected changes as "ACTION key", in plan order. */
  changes: string[];
  conflicts?: RegExp[];
  skipped?: string[];
}

function describeChange(change: Change): string {
  return `${change.action} ${recordKey(change.recordSet)}`;
}

const fixtures: Fixture[] = [
  {
    name: 'new app: creates its sets and the marker',
    desired: [eastW100, westW100],
    actual: [],
    changes: [`CREATE ${N}|A|east`, `CREATE ${N}|A|west`, `CREATE _switchyard.${N}|TXT|`],
  },
  { name: 'in sync: nothing to do', desired: [eastW100, westW100], actual: [eastW100, westW100, mEastWest], changes: [] },
  {
    name: 'weight change (drain): UPSERT, marker unchanged',
    desired: [eastW100, westW0],
    actual: [eastW100, westW100, mEastWest],
    changes: [`UPSERT ${N}|A|west`],
  },
  { name: 'health check change: UPSERT', desired: [eastW100, westOtherHc], actual: [eastW100, westW100, mEastWest], changes: [`UPSERT ${N}|A|west`] },
  { name: 'alias target change: UPSERT', desired: [eastW100, westOtherTarget], actual: [eastW100, westW100, mEastWest], changes: [`UPSERT ${N}|A|west`] },
  {
    name: 'cluster removed: DELETE its set, UPSERT the marker',
    desired: [eastW100],
    actual: [eastW100, westW100, mEastWest],
    changes: [`DELETE ${N}|A|west`, `UPSERT _switchyard.${N}|TXT|`],
  },
  {
    name: 'app removed: DELETE every owned set and the marker',
    desired: [],
    actual: [eastW100, westW100, mEastWest],
    changes: [`DELETE ${N}|A|east`, `DELETE ${N}|A|west`, `DELETE _switchyard.${N}|TXT|`],
  },
  {
    name: 'dual stack added: CREATE AAAA, UPSERT the marker',
    desired: [eastW100, eastAaaa],
    actual: [eastW100, mEast],
    changes: [`CREATE ${N}|AAAA|east`, `UPSERT _switchyard.${N}|TXT|`],
  },
  {
    name: 'second cluster joins: simple set replaced by weighted sets in one group',
    desired: [eastW100, westW100],
    actual: [simpleEast, mSimple],
    changes: [`DELETE ${N}|A|`, `CREATE ${N}|A|east`, `CREATE ${N}|A|west`, `UPSERT _switchyard.${N}|TXT|`],
  },
  {
    name: 'routing policy change (weighted → failover): DELETE+CREATE, same key',
    desired: [eastPrimary, westSecondary],
    actual: [eastW100, westW100, mEastWest],
    changes: [`DELETE ${N}|A|east`, `DELETE ${N}|A|west`, `CREATE ${N}|A|east`, `CREATE ${N}|A|west`],
  },
  {
    name: 'failover roles swap: DELETE+CREATE (never two PRIMARYs on the way)',
    desired: [eastSecondary, westPrimary],
    actual: [eastPrimary, westSecondary, mEastWest],
    changes: [`DELETE ${N}|A|east`, `DELETE ${N}|A|west`, `CREATE ${N}|A|east`, `CREATE ${N}|A|west`],
  },
  {
    name: 'values → alias: DELETE+CREATE',
    desired: [eastW100],
    actual: [eastValues, mEast],
    changes: [`DELETE ${N}|A|east`, `CREATE ${N}|A|east`],
  },
  {
    name: 'marker TTL changed (fleet.ttl): UPSERT the marker',
    desired: [eastW100],
    actual: [eastW100, marker(N, [['A', 'east']], OWNER, 60)],
    changes: [`UPSERT _switchyard.${N}|TXT|`],
  },
  {
    name: 'foreign set with the same key: conflict, nothing changes',
    desired: [eastW100, westW100],
    actual: [eastW100],
    changes: [],
    conflicts: [/A "east" exists and is not owned by Switchyard/],
  },
  { name: 'foreign CNAME at the name: conflict', desired: [eastW100], actual: [foreignCname], changes: [], conflicts: [/has a CNAME/] },
  {
    name: 'name held by another owner: conflict, their sets untouched',
    desired: [eastW100, westW0],
    actual: [
      eastW100,
      westW100,
      marker(
        N,
        [
          ['A', 'east'],
          ['A', 'west'],
        ],
        'other-fleet',
      ),
    ],
    changes: [],
    conflicts: [/held by another owner \(other-fleet\)/],
  },
  {
    name: 'foreign sets at names we do not want: never deleted',
    desired: [],
    actual: [eastW100, westW100, alias('other.example.com.', LB.east, NLB_ZONE.east)],
    changes: [],
  },
  {
    name: 'sets the marker does not list are not ours, even next to ours',
    desired: [],
    actual: [eastW100, westW100, mEast],
    changes: [`DELETE ${N}|A|east`, `DELETE _switchyard.${N}|TXT|`],
  },
  {
    name: 'upsert-only: the orphan stays and stays in the marker',
    policy: 'upsert-only',
    desired: [eastW100],
    actual: [eastW100, westW100, mEastWest],
    changes: [],
    skipped: [`DELETE ${N}|A|west`],
  },
  {
    name: 'upsert-only: updates go, deletes do not',
    policy: 'upsert-only',
    desired: [{ ...eastW100, weight: 7 }],
    actual: [eastW100, westW100, mEastWest],
    changes: [`UPSERT ${N}|A|east`],
    skipped: [`DELETE ${N}|A|west`],
  },
  {
    name: 'create-only: CREATE goes with its marker update, UPSERT does not',
    policy: 'create-only',
    desired: [{ ...eastW100, weight: 7 }, westW100],
    actual: [eastW100, mEast],
    changes: [`CREATE ${N}|A|west`, `UPSERT _switchyard.${N}|TXT|`],
    skipped: [`UPSERT ${N}|A|east`],
  },
  {
    name: 'upsert-only, simple → weighted: the kept simple set would clash, so nothing at the name is sent',
    policy: 'upsert-only',
    desired: [eastW100, westW100],
    actual: [simpleEast, mSimple],
    changes: [],
    skipped: [`DELETE ${N}|A|`, `CREATE ${N}|A|east`, `CREATE ${N}|A|west`, `UPSERT _switchyard.${N}|TXT|`],
  },
  {
    name: 'held set: neither updated nor deleted, still listed in the marker',
    desired: [{ ...eastW100, weight: 50 }],
    actual: [eastW100, westW100, mEastWest],
    held: [{ name: N, setIdentifier: 'west', reason: 'no entry point' }],
    changes: [`UPSERT ${N}|A|east`],
  },
  {
    name: 'held name: nothing at it changes',
    desired: [],
    actual: [eastW100, mEast],
    held: [{ name: N, reason: 'no entry point' }],
    changes: [],
  },
];

function run(f: Fixture, reorder = false): Plan {
  const desired = f.desired.map((recordSet) => ({ zoneId: ZONE.id, recordSet }));
  const actual = reorder ? [...f.actual].reverse() : f.actual;
  return plan({
    desired: reorder ? desired.reverse() : desired,
    actual: [{ zoneId: ZONE.id, records: actual }],
    policy: f.policy ?? 'sync',
    ownerId: OWNER,
    zones: ZONES,
    held: f.held,
  });
}

function changesOf(p: Plan): Change[] {
  return p.zones.flatMap((z) => z.groups.flatMap((g) => g.changes));
}

describe('plan (table)', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_, f) => {
    const result = run(f);
    expect(changesOf(result).map(describeChange)).toEqual(f.changes);
    expect(result.conflicts.map((c) => c.reason)).toEqual((f.conflicts ?? []).map((r) => expect.stringMatching(r)));
    expect(result.skipped.map((s) => describeChange(s.change))).toEqual(f.skipped ?? []);
    // Same plan for inputs in another order.
    expect(run(f, true)).toEqual(result);
    // Route 53 accepts it, and planning again after applying it finds nothing to do.
    const after = applyChanges(f.actual, changesOf(result));
    expect(isEmptyPlan(run({ ...f, actual: after }))).toBe(true);
  });
});

describe('plan', () => {
  it('puts a name and its marker in one group, DELETEs first, the marker last of its action', () => {
    const result = run(fixtures[8]!);
    expect(result.zones).toHaveLength(1);
    expect(result.zones[0]?.groups.map((g) => g.name)).toEqual([N]);
    expect(planCounts(result)).toEqual({ CREATE: 2, UPSERT: 1, DELETE: 1 });
  });

  it('DELETEs carry the actual record exactly as listed (escaped name, TTL, values)', () => {
    const escaped = { ...eastValues, name: '\\052.example.com.' };
    const escapedMarker = { ...marker('*.example.com.', [['A', 'east']]), name: '_switchyard.\\052.example.com.' };
    const result = plan({ desired: [], actual: [{ zoneId: ZONE.id, records: [escaped, escapedMarker] }], policy: 'sync', ownerId: OWNER, zones: ZONES });
    const changes = changesOf(result);
    expect(changes.map((c) => c.recordSet)).toEqual([escaped, escapedMarker]);
  });

  it('treats an escaped wildcard from Route 53 as the same name', () => {
    const star = alias('*.example.com.', LB.east, NLB_ZONE.east, { healthCheckId: 'hc' });
    const actual = [
      { ...star, name: '\\052.example.com.' },
      { ...marker('*.example.com.', [['A', undefined]]), name: '_switchyard.\\052.example.com.' },
    ];
    const result = plan({
      desired: [{ zoneId: ZONE.id, recordSet: star }],
      actual: [{ zoneId: ZONE.id, records: actual }],
      policy: 'sync',
      ownerId: OWNER,
      zones: ZONES,
    });
    expect(isEmptyPlan(result)).toBe(true);
  });

  it('plans each zone separately and ignores zones it does not manage', () => {
    const zones = [ZONE, { id: 'ZPRIVATE', name: 'example.com.', private: true }];
    const result = plan({
      desired: [
        { zoneId: 'ZPRIVATE', recordSet: eastW100 },
        { zoneId: ZONE.id, recordSet: eastW100 },
      ],
      actual: [
        { zoneId: ZONE.id, records: [eastW100, mEast] },
        { zoneId: 'ZUNMANAGED', records: [eastW100, mEast] },
      ],
      policy: 'sync',
      ownerId: OWNER,
      zones,
    });
    expect(result.zones.map((z) => z.zoneId)).toEqual(['ZPRIVATE']);
  });

  it('reports desired sets for an unmanaged zone and conflicting duplicates', () => {
    const result = plan({
      desired: [
        { zoneId: 'ZNOPE', recordSet: eastW100 },
        { zoneId: ZONE.id, recordSet: eastW100 },
        { zoneId: ZONE.id, recordSet: { ...eastW100, weight: 1 } },
      ],
      actual: [],
      policy: 'sync',
      ownerId: OWNER,
      zones: ZONES,
    });
    expect(result.problems.map((p) => p.reason)).toEqual([
      expect.stringMatching(/two different desired record sets for shop.example.com.\|A\|east in zone ZEXAMPLE; using the first/),
      expect.stringMatching(/names zone ZNOPE, which is not managed/),
    ]);
  });

  it('rejects an unknown policy and a missing owner id', () => {
    expect(() => plan({ desired: [], actual: [], policy: 'mirror' as SyncPolicy, ownerId: OWNER, zones: ZONES })).toThrow(/unknown sync policy/);
    expect(() => plan({ desired: [], actual: [], policy: 'sync', ownerId: '', zones: ZONES })).toThrow(/needs an ownerId/);
  });
});
