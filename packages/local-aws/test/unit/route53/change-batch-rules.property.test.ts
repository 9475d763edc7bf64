// The same-name rules of a change batch (rules.ts, pass 3) against a brute-force model that
// scans the whole zone for every change: which changes fail, and what a valid batch writes
// and deletes. The batch looks each change's name up once (the set with its identity and
// its neighbours come from that one lookup), through the zone's index or a plain list.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidChangeBatch } from '../../../src/route53/errors.ts';
import type { HostedZone, RecordSet } from '../../../src/route53/model.ts';
import { planChangeBatch, policyOf, sameRecordSet, type RawChange } from '../../../src/route53/rules.ts';
import { recordKey, ZoneIndex } from '../../../src/route53/zone-index.ts';

const ZONE = 'example.com.';
const name = fc.constantFrom('a', 'b', 'www').map((l) => `${l}.${ZONE}`);
const set: fc.Arbitrary<RecordSet> = fc
  .record({
    name,
    type: fc.constantFrom('A', 'CNAME'),
    routing: fc.constantFrom('simple', 'weighted', 'failover'),
    id: fc.constantFrom('east', 'west'),
    weight: fc.constantFrom(0, 1),
    role: fc.constantFrom('PRIMARY', 'SECONDARY'),
    value: fc.constantFrom(1, 2),
  })
  .map((r) => {
    const out: RecordSet = {
      name: r.name,
      type: r.type as RecordSet['type'],
      ttl: 60,
      resourceRecords: [r.type === 'A' ? `192.0.2.${r.value}` : `target${r.value}.example.net.`],
    };
    if (r.routing === 'weighted') Object.assign(out, { setIdentifier: r.id, weight: r.weight });
    if (r.routing === 'failover') Object.assign(out, { setIdentifier: r.id, failover: r.role });
    return out;
  });

function raw(action: string, r: RecordSet): RawChange {
  return {
    action,
    recordSet: {
      name: r.name,
      type: r.type,
      ttl: String(r.ttl),
      resourceRecords: r.resourceRecords,
      ...(r.setIdentifier === undefined ? {} : { setIdentifier: r.setIdentifier }),
      ...(r.weight === undefined ? {} : { weight: String(r.weight) }),
      ...(r.failover === undefined ? {} : { failover: r.failover }),
    },
  };
}

/** Brute force: each change against the whole zone as the earlier valid changes left it. */
function model(zone: readonly RecordSet[], changes: ReadonlyArray<{ action: string; set: RecordSet }>): { failed: number; after: Map<string, RecordSet> } {
  const working = new Map(zone.map((r) => [recordKey(r), r]));
  let failed = 0;
  for (const { action, set: r } of changes) {
    const key = recordKey(r);
    const existing = working.get(key);
    const others = [...working.values()].filter((o) => o.name === r.name && recordKey(o) !== key);
    const sameType = others.filter((o) => o.type === r.type);
    const problem =
      action === 'DELETE'
        ? existing === undefined || !sameRecordSet(existing, r)
        : (action === 'CREATE' && existing !== undefined) ||
          (r.type === 'CNAME' && others.some((o) => o.type !== 'CNAME')) ||
          (r.type !== 'CNAME' && others.some((o) => o.type === 'CNAME')) ||
          (sameType.length > 0 &&
            (policyOf(r) === 'simple' ||
              sameType.some((o) => policyOf(o) !== policyOf(r)) ||
              (policyOf(r) === 'failover' && sameType.some((o) => o.failover === r.failover))));
    if (problem) failed += 1;
    else if (action === 'DELETE') working.delete(key);
    else working.set(key, r);
  }
  return { failed, after: working };
}

describe('planChangeBatch: the rules at a name', () => {
  it('property: fails the changes and writes the sets the brute-force model says, with the zone index or a plain list', () => {
    const zoneSets = fc.uniqueArray(set, { selector: recordKey, maxLength: 8 });
    const changes = fc.array(fc.record({ action: fc.constantFrom('CREATE', 'UPSERT', 'DELETE'), set }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(zoneSets, changes, fc.boolean(), (records, batch, indexed) => {
        const zone = { id: 'Z1', name: ZONE, records: [...records] } as HostedZone;
        const lookup = indexed ? new ZoneIndex(zone, { chunkSize: 2 }) : undefined;
        const outcome = planChangeBatch(
          { zone: { id: zone.id, name: ZONE, records, ...(lookup ? { lookup } : {}) }, healthCheckExists: () => false, zoneById: () => undefined },
          batch.map((c) => raw(c.action, c.set)),
        );
        const expected = model(records, batch);
        if (expected.failed > 0) {
          expect(outcome.ok).toBe(false);
          if (outcome.ok) return;
          expect(outcome.error).toBeInstanceOf(InvalidChangeBatch);
          expect((outcome.error as InvalidChangeBatch).messages).toHaveLength(expected.failed);
          return;
        }
        expect(outcome.ok).toBe(true);
        if (!outcome.ok) return;
        const after = new Map(records.map((r) => [recordKey(r), r]));
        for (const key of outcome.deleted) after.delete(key);
        for (const r of outcome.put) after.set(recordKey(r), r);
        expect(new Map([...after].sort(([a], [b]) => a.localeCompare(b)))).toEqual(new Map([...expected.after].sort(([a], [b]) => a.localeCompare(b))));
      }),
      { numRuns: 2000 },
    );
  });
});
