import { describe, expect, it } from 'vitest';
import { applyChanges, recordSetProblems, routingPolicyOf, sameRecordSet, zoneProblems } from '../../../src/core/route53-rules.ts';
import type { RecordSet } from '../../../src/core/model.ts';
import { alias, LB, NLB_ZONE } from './dns-fixtures.ts';

const east = alias('shop.example.com.', LB.east, NLB_ZONE.east, { setIdentifier: 'east', weight: 100 });
const west = alias('shop.example.com.', LB.west, NLB_ZONE.west, { setIdentifier: 'west', weight: 100 });
const txt: RecordSet = { name: 'txt.example.com.', type: 'TXT', ttl: 300, values: ['"a"', '"b"'] };

describe('applyChanges', () => {
  it('creates, upserts and deletes', () => {
    const created = applyChanges(
      [],
      [
        { action: 'CREATE', recordSet: east },
        { action: 'CREATE', recordSet: west },
      ],
    );
    expect(created).toHaveLength(2);
    const upserted = applyChanges(created, [{ action: 'UPSERT', recordSet: { ...west, weight: 0 } }]);
    expect(upserted.find((r) => r.setIdentifier === 'west')?.weight).toBe(0);
    expect(applyChanges(upserted, [{ action: 'DELETE', recordSet: { ...west, weight: 0 } }])).toEqual([east]);
  });

  it('rejects a CREATE of an existing set and leaves the input untouched', () => {
    const actual = [east];
    expect(() => applyChanges(actual, [{ action: 'CREATE', recordSet: east }])).toThrow(
      /InvalidChangeBatch: CREATE shop.example.com.\|A\|east: it already exists/,
    );
    expect(actual).toEqual([east]);
  });

  it('rejects a DELETE that does not match exactly', () => {
    expect(() => applyChanges([east], [{ action: 'DELETE', recordSet: { ...east, weight: 5 } }])).toThrow(/do not match the current values/);
    expect(() => applyChanges([east], [{ action: 'DELETE', recordSet: west }])).toThrow(/was not found/);
    expect(() => applyChanges([txt], [{ action: 'DELETE', recordSet: { ...txt, ttl: 60 } }])).toThrow(/do not match/);
  });

  it('matches a DELETE regardless of name escaping and value order', () => {
    const star: RecordSet = { name: '\\052.example.com.', type: 'TXT', ttl: 300, values: ['"b"', '"a"'] };
    expect(applyChanges([star], [{ action: 'DELETE', recordSet: { ...star, name: '*.example.com.', values: ['"a"', '"b"'] } }])).toEqual([]);
  });

  it('is all or nothing: a batch that mixes routing policies is refused', () => {
    const simple = alias('shop.example.com.', LB.east, NLB_ZONE.east);
    expect(() => applyChanges([east], [{ action: 'CREATE', recordSet: simple }])).toThrow(/mix routing policies/);
  });

  it('accepts DELETE then CREATE of the same key in one batch (a policy change)', () => {
    const failover = { ...east, weight: undefined, failover: 'PRIMARY' as const };
    delete failover.weight;
    expect(
      applyChanges(
        [east],
        [
          { action: 'DELETE', recordSet: east },
          { action: 'CREATE', recordSet: failover },
        ],
      ),
    ).toEqual([failover]);
  });

  it('refuses two PRIMARY sets, a CNAME next to other types, and two simple sets', () => {
    const p1 = alias('f.example.com.', LB.east, NLB_ZONE.east, { setIdentifier: 'east', failover: 'PRIMARY' });
    const p2 = alias('f.example.com.', LB.west, NLB_ZONE.west, { setIdentifier: 'west', failover: 'PRIMARY' });
    expect(() => applyChanges([p1], [{ action: 'CREATE', recordSet: p2 }])).toThrow(/more than one PRIMARY/);
    const cname: RecordSet = { name: 'shop.example.com.', type: 'CNAME', ttl: 60, values: ['x.example.org.'] };
    expect(() => applyChanges([east], [{ action: 'CREATE', recordSet: cname }])).toThrow(/CNAME cannot share/);
  });
});

describe('record-set rules', () => {
  it('names the routing policy from the fields set', () => {
    expect(routingPolicyOf(east)).toBe('weighted');
    expect(routingPolicyOf({ ...txt })).toBe('simple');
    expect(routingPolicyOf({ ...txt, setIdentifier: 'x', region: 'us-east-1' })).toBe('latency');
  });

  it('lists what Route 53 refuses in one set', () => {
    expect(recordSetProblems({ ...east, ttl: 60 })).toContain('an alias record has no TTL');
    expect(recordSetProblems({ name: 'a.', type: 'A', ttl: 60 })).toContain('a non-alias record needs at least one value');
    expect(recordSetProblems({ ...east, setIdentifier: undefined })).toContain('weighted routing needs a SetIdentifier');
    expect(recordSetProblems({ ...txt, setIdentifier: 'x' })).toContain('has a SetIdentifier but no routing policy');
    expect(recordSetProblems({ ...east, weight: 256 })).toContain('weight must be an integer 0–255');
    expect(recordSetProblems(east)).toEqual([]);
  });

  it('finds duplicate keys across a zone', () => {
    expect(zoneProblems([east, { ...east }])).toContain('shop.example.com.|A|east: duplicate record set');
    expect(zoneProblems([east, west, txt])).toEqual([]);
  });

  it('compares alias names canonically', () => {
    const upper = { ...east, aliasTarget: { ...east.aliasTarget!, dnsName: LB.east.toUpperCase() } };
    expect(sameRecordSet(east, upper)).toBe(true);
    expect(sameRecordSet(east, { ...east, healthCheckId: 'hc' })).toBe(false);
  });
});
