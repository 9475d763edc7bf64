// Property tests over desired state + planner + batcher: random fleets, intents, health,
// previous states and foreign records.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameRecordSet as sameLocalRecordSet } from '@switchyard/local-aws/route53';
import { applyWithLocalRules, toLocalRecord } from '../../support/local-route53-rules.ts';
import { batchPlan, groupCost } from '../../../src/core/batch.ts';
import { attachHealthCheckIds, computeDesiredState, type DesiredState } from '../../../src/core/desired.ts';
import { normalizeName, recordKey, zonesForName } from '../../../src/core/dns-names.ts';
import type { ClusterIntent, HealthState, HostedZone, PublishedEndpoint, RecordSet, SyncPolicy } from '../../../src/core/model.ts';
import { classifyZone, markerValue } from '../../../src/core/ownership.ts';
import { plan, type ActualZone, type Plan } from '../../../src/core/plan.ts';
import { endpoint, fleet, LB, NLB_ZONE, OWNER } from './dns-fixtures.ts';
import { routingAnnotations as annotations } from './dns-arbitraries.ts';

const ZONES: HostedZone[] = [
  { id: 'ZEX', name: 'example.com.' },
  { id: 'ZSUB', name: 'sub.example.com.' },
];
const HOSTS = ['a.example.com', 'b.example.com', '*.example.com', 'c.sub.example.com'];
const CLUSTERS = ['east', 'west', 'alb'] as const;

// ---- generators ----------------------------------------------------------------------

const entryPoint = fc.constantFrom<string | undefined | null>(undefined, undefined, undefined, null, 'not-a-load-balancer.example.net');

interface FleetInput {
  endpoints: PublishedEndpoint[];
  intents: ClusterIntent[];
  health: Record<string, HealthState>;
  dualStack: Record<string, boolean>;
  idVersion: number;
}

const fleetInput = (allowHeld: boolean): fc.Arbitrary<FleetInput> =>
  fc.record({
    endpoints: fc
      .array(fc.tuple(fc.constantFrom(...HOSTS), fc.constantFrom(...CLUSTERS), annotations, allowHeld ? entryPoint : fc.constant(undefined)), { maxLength: 10 })
      .map((list) => list.map(([host, cluster, a, ep]) => endpoint(host, cluster, a, ep))),
    intents: fc.array(
      fc.record({
        cluster: fc.constantFrom(...CLUSTERS),
        state: fc.constantFrom('ACTIVE', 'DRAINING', 'DRAINED', 'RESTORING') as fc.Arbitrary<ClusterIntent['state']>,
        weightPercent: fc.constantFrom(0, 10, 50, 100),
      }),
      { maxLength: 3 },
    ),
    health: fc.dictionary(fc.constantFrom(...CLUSTERS), fc.constantFrom<HealthState>('HEALTHY', 'UNHEALTHY', 'UNKNOWN')),
    dualStack: fc.record({ east: fc.boolean(), west: fc.boolean(), alb: fc.boolean() }),
    idVersion: fc.integer({ min: 0, max: 1 }),
  });

type ForeignKind = 'none' | 'simpleA' | 'cname' | 'weightedTheirs' | 'txt' | 'otherMarker' | 'blockerTxt';
const foreignKinds = fc.array(fc.constantFrom<ForeignKind>('none', 'none', 'none', 'simpleA', 'cname', 'weightedTheirs', 'txt', 'otherMarker', 'blockerTxt'), {
  minLength: HOSTS.length,
  maxLength: HOSTS.length,
});

function foreignRecords(kind: ForeignKind, host: string): RecordSet[] {
  const name = normalizeName(host);
  switch (kind) {
    case 'none':
      return [];
    case 'simpleA':
      return [{ name, type: 'A', aliasTarget: { hostedZoneId: NLB_ZONE.west, dnsName: `${LB.west}.`, evaluateTargetHealth: false } }];
    case 'cname':
      return [{ name, type: 'CNAME', ttl: 300, values: ['elsewhere.example.org.'] }];
    case 'weightedTheirs':
      return [
        {
          name,
          type: 'A',
          setIdentifier: 'theirs',
          weight: 5,
          aliasTarget: { hostedZoneId: NLB_ZONE.west, dnsName: `${LB.west}.`, evaluateTargetHealth: false },
        },
      ];
    case 'txt':
      return [{ name, type: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] }];
    case 'otherMarker':
      return [
        { name, type: 'A', setIdentifier: 'east', weight: 1, aliasTarget: { hostedZoneId: NLB_ZONE.east, dnsName: `${LB.east}.`, evaluateTargetHealth: true } },
        { name: `_switchyard.${name}`, type: 'TXT', ttl: 300, values: [markerValue('other-fleet', 'A', 'east')] },
      ];
    case 'blockerTxt':
      return [{ name: `_switchyard.${name}`, type: 'TXT', ttl: 60, values: ['"not a marker"'] }];
  }
}

// ---- helpers -------------------------------------------------------------------------

function desiredFrom(input: FleetInput): DesiredState {
  const f = fleet();
  for (const c of f.clusters) c.dualStack = input.dualStack[c.name] ?? false;
  const state = computeDesiredState({ fleet: f, zones: ZONES, endpoints: input.endpoints, intents: input.intents, health: input.health });
  const ids = new Map(state.healthChecks.map((h) => [h.key, `hc-${h.key}-${input.idVersion}`]));
  return attachHealthCheckIds(state, ids);
}

function byZone(records: readonly RecordSet[]): ActualZone[] {
  return ZONES.map((zone) => ({
    zoneId: zone.id,
    records: records.filter((r) => zonesForName(r.name.replace(/^_switchyard\./, ''), ZONES)[0]?.id === zone.id),
  }));
}

function runPlan(desired: DesiredState, actual: readonly ActualZone[], policy: SyncPolicy): Plan {
  return plan({ desired: desired.records, held: desired.held, actual, policy, ownerId: OWNER, zones: ZONES, markerTtl: 300 });
}

/**
 * Applies each zone's changes, one request at a time, as the adapter would, through the
 * local Route 53's own rules (packages/local-aws/src/route53/rules.ts), not the planner's
 * src/core/route53-rules.ts: the plan is checked by a second implementation of Route 53.
 */
function applyPlan(actual: readonly ActualZone[], p: Plan): ActualZone[] {
  const { requests, oversized } = batchPlan(p, { maxRecords: 40, maxValueChars: 32000 });
  expect(oversized).toEqual([]);
  return actual.map((zone) => {
    const hosted = ZONES.find((z) => z.id === zone.zoneId)!;
    let records = [...zone.records];
    for (const request of requests.filter((r) => r.zoneId === zone.zoneId)) {
      expect(request.groups.reduce((sum, g) => sum + groupCost(g).records, 0)).toBeLessThanOrEqual(40);
      const outcome = applyWithLocalRules(
        hosted,
        records,
        request.groups.flatMap((g) => g.changes),
      );
      if (!outcome.ok) expect.fail(`the local Route 53 refused a planned batch (${outcome.code}): ${outcome.messages.join('; ')}`);
      records = outcome.records;
    }
    return { zoneId: zone.zoneId, records };
  });
}

/** Route 53's equality of two sets, as the local Route 53 decides it. */
function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  return sameLocalRecordSet(toLocalRecord(a), toLocalRecord(b));
}

/** Route 53 lists wildcards escaped; the planner must not care. */
function escapeWildcards(zones: ActualZone[]): ActualZone[] {
  return zones.map((z) => ({ ...z, records: z.records.map((r) => ({ ...r, name: r.name.replace('*', '\\052') })) }));
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Plans `previous` onto the foreign records, applies it: a realistic starting state. */
function startingState(previous: FleetInput, foreign: ForeignKind[], escape: boolean): { actual: ActualZone[]; foreign: RecordSet[] } {
  const foreignSets = HOSTS.flatMap((host, i) => foreignRecords(foreign[i] ?? 'none', host));
  const base = byZone(foreignSets);
  const actual = applyPlan(base, runPlan(desiredFrom(previous), base, 'sync'));
  return { actual: escape ? escapeWildcards(actual) : actual, foreign: foreignSets };
}

const scenario = (allowHeld: boolean) =>
  fc.record({
    previous: fleetInput(false),
    current: fleetInput(allowHeld),
    foreign: foreignKinds,
    escape: fc.boolean(),
    policy: fc.constantFrom<SyncPolicy>('sync', 'sync', 'upsert-only', 'create-only'),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  });

// ---- properties ----------------------------------------------------------------------

describe('plan (properties)', () => {
  it('is accepted by Route 53, and planning again after applying it finds nothing to do', () => {
    fc.assert(
      fc.property(scenario(true), ({ previous, current, foreign, escape, policy }) => {
        const { actual } = startingState(previous, foreign, escape);
        const desired = desiredFrom(current);
        const after = applyPlan(actual, runPlan(desired, actual, policy));
        const again = runPlan(desired, after, policy);
        expect(again.zones).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('under sync, yields exactly the desired sets on every owned name that is not in conflict', () => {
    fc.assert(
      fc.property(scenario(false), ({ previous, current, foreign, escape }) => {
        const { actual } = startingState(previous, foreign, escape);
        const desired = desiredFrom(current);
        const p = runPlan(desired, actual, 'sync');
        expect(p.skipped).toEqual([]);
        const after = applyPlan(actual, p);
        const conflicted = new Set(p.conflicts.map((c) => normalizeName(c.hostname ?? c.subject)));
        for (const zone of after) {
          // Names in conflict keep whatever they had; every other name is exactly as desired.
          const owned = new Map<string, RecordSet>();
          for (const o of classifyZone(zone.records, OWNER).values()) {
            if (!conflicted.has(o.name)) for (const r of o.owned) owned.set(recordKey(r), r);
          }
          const wanted = desired.records.filter((d) => d.zoneId === zone.zoneId && !conflicted.has(d.recordSet.name));
          expect([...owned.keys()].sort()).toEqual(wanted.map((d) => recordKey(d.recordSet)).sort());
          for (const d of wanted) expect(sameRecordSet(owned.get(recordKey(d.recordSet))!, d.recordSet)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('never DELETEs or UPSERTs a set without our owner mark, and leaves foreign records intact', () => {
    fc.assert(
      fc.property(scenario(true), ({ previous, current, foreign, escape, policy }) => {
        const { actual, foreign: foreignSets } = startingState(previous, foreign, escape);
        const p = runPlan(desiredFrom(current), actual, policy);
        for (const zone of p.zones) {
          const ownership = classifyZone(actual.find((z) => z.zoneId === zone.zoneId)?.records ?? [], OWNER);
          const ownedKeys = new Set([...ownership.values()].flatMap((o) => o.owned.map(recordKey)));
          const ourMarkers = new Set([...ownership.values()].flatMap((o) => (o.ourMarker ? [recordKey(o.ourMarker)] : [])));
          for (const change of zone.groups.flatMap((g) => g.changes)) {
            if (change.action === 'CREATE') continue;
            const key = recordKey(change.recordSet);
            expect(ownedKeys.has(key) || ourMarkers.has(key), `${change.action} ${key} is not ours`).toBe(true);
          }
        }
        const after = applyPlan(actual, p).flatMap((z) => z.records);
        for (const f of foreignSets)
          expect(
            after.some((r) => sameRecordSet(r, f)),
            `foreign ${recordKey(f)} was changed`,
          ).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same plan for inputs in any order', () => {
    fc.assert(
      fc.property(scenario(true), ({ previous, current, foreign, escape, policy, seed }) => {
        const { actual } = startingState(previous, foreign, escape);
        const desired = desiredFrom(current);
        const reordered = desiredFrom({ ...current, endpoints: shuffle(current.endpoints, seed), intents: current.intents });
        const p = runPlan(desired, actual, policy);
        const shuffledActual = shuffle(actual, seed).map((z) => ({ ...z, records: shuffle(z.records, seed + 1) }));
        const q = plan({
          desired: shuffle(reordered.records, seed + 2),
          held: shuffle(reordered.held, seed + 3),
          actual: shuffledActual,
          policy,
          ownerId: OWNER,
          zones: shuffle(ZONES, seed),
          markerTtl: 300,
        });
        expect(q).toEqual(p);
      }),
      { numRuns: 150 },
    );
  });

  it('leaves held sets exactly as they were', () => {
    fc.assert(
      fc.property(scenario(true), ({ previous, current, foreign, policy }) => {
        const { actual } = startingState(previous, foreign, false);
        const desired = desiredFrom(current);
        const after = applyPlan(actual, runPlan(desired, actual, policy)).flatMap((z) => z.records);
        const before = actual.flatMap((z) => z.records);
        for (const h of desired.held) {
          const isHeld = (r: RecordSet) =>
            normalizeName(r.name) === normalizeName(h.name) && (h.setIdentifier === undefined || r.setIdentifier === h.setIdentifier);
          const was = before.filter(isHeld);
          const now = after.filter(isHeld);
          expect(now.length).toBe(was.length);
          for (const r of was) expect(now.some((n) => sameRecordSet(n, r))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('computeDesiredState with healthCheckIds (property)', () => {
  it('builds exactly what attachHealthCheckIds makes of the state built without them, ids missing or not', () => {
    fc.assert(
      fc.property(fleetInput(true), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (input, keep) => {
        const f = fleet();
        for (const c of f.clusters) c.dualStack = input.dualStack[c.name] ?? false;
        const base = { fleet: f, zones: ZONES, endpoints: input.endpoints, intents: input.intents, health: input.health };
        const state = computeDesiredState(base);
        const ids = new Map(state.healthChecks.filter((_, i) => keep[i % keep.length]).map((h) => [h.key, `hc-${h.key}-${input.idVersion}`]));
        const built = computeDesiredState({ ...base, healthCheckIds: ids });
        const attached = attachHealthCheckIds(state, ids);
        expect(built).toStrictEqual(attached);
        // Byte for byte, key order included (reports print it).
        expect(JSON.stringify(built)).toBe(JSON.stringify(attached));
      }),
      { numRuns: 300 },
    );
  });
});

describe('computeDesiredState app by app (property)', () => {
  // Spellings that sort in runs, and some that do not (upper case, trailing dot, out of every zone, a canary name).
  const spellings = [
    'a.example.com',
    'b.example.com',
    'B.example.com',
    'b.example.com.',
    'c.sub.example.com',
    'canary-west.example.com',
    'x.other.org',
    '*.example.com',
  ];
  const published = fc
    .array(
      fc.tuple(
        fc.constantFrom(...spellings),
        fc.constantFrom('east', 'west', 'alb', 'gone'),
        annotations,
        fc.constantFrom<string | undefined | null>(undefined, undefined, null),
      ),
      { maxLength: 12 },
    )
    .map((list) => list.map(([host, cluster, a, ep]) => endpoint(host, cluster, a, ep)));

  it('gives the same state for endpoints listed by hostname (desired as they are read) as in any other order (grouped first)', () => {
    fc.assert(
      fc.property(published, fc.boolean(), (endpoints, dualStack) => {
        const f = fleet();
        for (const c of f.clusters) c.dualStack = dualStack && c.name === 'east';
        const byHostname = [...endpoints].sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
        const inRuns = computeDesiredState({ fleet: f, zones: ZONES, endpoints: byHostname });
        const reversed = computeDesiredState({ fleet: f, zones: ZONES, endpoints: [...byHostname].reverse() });
        expect(JSON.stringify(inRuns)).toBe(JSON.stringify(reversed));
        expect(inRuns).toStrictEqual(reversed);
      }),
      { numRuns: 400 },
    );
  });
});

describe('computeDesiredState routing entries (property)', () => {
  /** The entry as it was built before each was made in one literal: common fields, then weight, role, alias target and check key as they were added. */
  const addedOneByOne = (r: Record<string, unknown>): Record<string, unknown> => {
    const o: Record<string, unknown> = {
      cluster: r.cluster,
      region: r.region,
      intent: r.intent,
      weightPercent: r.weightPercent,
      health: r.health,
      inTraffic: r.inTraffic,
      published: r.published,
      why: r.why,
    };
    if ('weight' in r) o.weight = r.weight;
    const withRole = 'role' in r ? { ...o, role: r.role } : o;
    if ('aliasTarget' in r) {
      withRole.aliasTarget = r.aliasTarget;
      withRole.healthCheckKey = r.healthCheckKey;
    }
    return withRole;
  };

  it('keep the report’s key order, and carry the alias target and check key of the records they publish', () => {
    fc.assert(
      fc.property(fleetInput(true), (input) => {
        const f = fleet();
        for (const c of f.clusters) c.dualStack = input.dualStack[c.name] ?? false;
        const state = computeDesiredState({ fleet: f, zones: ZONES, endpoints: input.endpoints, intents: input.intents, health: input.health });
        for (const app of state.apps) {
          for (const r of app.clusters) {
            const entry = r as unknown as Record<string, unknown>;
            expect(JSON.stringify(entry)).toBe(JSON.stringify(addedOneByOne(entry)));
            expect(entry).toStrictEqual(addedOneByOne(entry));
            if (r.published) expect(r.aliasTarget).toBeDefined();
            const records = state.records.filter((d) => d.hostname === app.hostname && d.cluster === r.cluster);
            for (const d of records) {
              expect(d.recordSet.aliasTarget).toStrictEqual(r.aliasTarget);
              // A canary record carries no check (its check probes it).
              if (d.healthCheckKey !== undefined) expect(d.healthCheckKey).toBe(r.healthCheckKey);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
