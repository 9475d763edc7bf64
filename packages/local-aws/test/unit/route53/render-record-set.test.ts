// renderRecordSet, which appends to one string, against the nested node()/leaf() form it
// replaced: the same XML, byte for byte, for record sets of every shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordSet } from '../../../src/route53/model.ts';
import { leaf, node, renderRecordSet } from '../../../src/route53/xml.ts';

function nested(r: RecordSet): string {
  const geo = r.geoLocation;
  return node(
    'ResourceRecordSet',
    leaf('Name', r.name),
    leaf('Type', r.type),
    leaf('SetIdentifier', r.setIdentifier),
    leaf('Weight', r.weight),
    leaf('Region', r.region),
    geo === undefined
      ? ''
      : node('GeoLocation', leaf('ContinentCode', geo.continentCode), leaf('CountryCode', geo.countryCode), leaf('SubdivisionCode', geo.subdivisionCode)),
    leaf('Failover', r.failover),
    leaf('MultiValueAnswer', r.multiValueAnswer),
    leaf('TTL', r.ttl),
    r.resourceRecords === undefined ? '' : node('ResourceRecords', ...r.resourceRecords.map((v) => node('ResourceRecord', leaf('Value', v)))),
    r.aliasTarget === undefined
      ? ''
      : node(
          'AliasTarget',
          leaf('HostedZoneId', r.aliasTarget.hostedZoneId),
          leaf('DNSName', r.aliasTarget.dnsName),
          leaf('EvaluateTargetHealth', r.aliasTarget.evaluateTargetHealth),
        ),
    leaf('HealthCheckId', r.healthCheckId),
  );
}

/** Text with the characters XML escapes, among plain ones. */
const text = fc.array(fc.constantFrom('a', 'b', '1', '.', '-', '&', '<', '>', '"', "'", ' ', '\\'), { maxLength: 12 }).map((cs) => cs.join(''));
const recordSet: fc.Arbitrary<RecordSet> = fc.record(
  {
    name: text,
    type: fc.constantFrom('A' as const, 'AAAA' as const, 'TXT' as const, 'CNAME' as const),
    setIdentifier: text,
    weight: fc.integer({ min: 0, max: 255 }),
    region: text,
    geoLocation: fc.record({ continentCode: text, countryCode: text, subdivisionCode: text }, { requiredKeys: [] }),
    failover: fc.constantFrom('PRIMARY' as const, 'SECONDARY' as const),
    multiValueAnswer: fc.boolean(),
    ttl: fc.integer({ min: 0, max: 86_400 }),
    resourceRecords: fc.array(text, { maxLength: 3 }),
    aliasTarget: fc.record({ hostedZoneId: text, dnsName: text, evaluateTargetHealth: fc.boolean() }),
    healthCheckId: text,
  },
  { requiredKeys: ['name', 'type'] },
);

describe('renderRecordSet', () => {
  it('writes what the nested form writes, for record sets of any shape', () => {
    fc.assert(
      fc.property(recordSet, (r) => {
        expect(renderRecordSet(r)).toBe(nested(r));
      }),
    );
  });
});
