// Hosted zones as Route 53 makes them: a delegation set of four name servers and
// the apex SOA and NS record sets every zone starts with. Pure.
import { invalidDomainName, invalidInput, type Route53Error } from './errors.ts';
import type { HostedZone, RecordSet } from './model.ts';
import { isWildcard, labelsOf, parseName } from './names.ts';

export const SOA_TTL = 900;
export const NS_TTL = 172800;

/**
 * Four name servers in Route 53's style, one per top-level domain
 * (ns-0..511 .com, 512..1023 .net, 1024..1535 .org, 1536..2047 .co.uk).
 * `seeds` are four numbers in [0, 512).
 */
export function nameServersFrom(seeds: readonly number[]): string[] {
  const tlds = ['com', 'net', 'org', 'co.uk'];
  return tlds.map((tld, i) => {
    const n = i * 512 + ((seeds[i] ?? 0) % 512);
    return `ns-${n}.awsdns-${String(Math.floor((n % 512) / 8)).padStart(2, '0')}.${tld}`;
  });
}

/** The SOA and NS sets a new zone holds. */
export function apexRecords(zoneName: string, nameServers: readonly string[]): RecordSet[] {
  return [
    { name: zoneName, type: 'NS', ttl: NS_TTL, resourceRecords: nameServers.map((ns) => `${ns}.`) },
    {
      name: zoneName,
      type: 'SOA',
      ttl: SOA_TTL,
      resourceRecords: [`${nameServers[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`],
    },
  ];
}

/** The canonical name of a new zone, or InvalidDomainName. A zone name cannot be a wildcard. */
export function zoneNameFrom(input: string): string | Route53Error {
  const parsed = parseName(input);
  if (!parsed.ok || isWildcard(parsed.name) || labelsOf(parsed.name).length === 0) return invalidDomainName(input);
  return parsed.name;
}

/** A zone may be deleted only while it holds nothing but its apex SOA and NS sets. */
export function holdsOnlyApexRecords(zone: HostedZone): boolean {
  return zone.records.every((r) => r.name === zone.name && (r.type === 'SOA' || r.type === 'NS'));
}

/** CreateHostedZone's VPC rules: a private zone needs a VPC and a public zone takes none. */
export function checkZoneVpc(privateZone: boolean | undefined, vpc: { vpcId?: string; vpcRegion?: string } | undefined): Route53Error | undefined {
  if (vpc !== undefined && (vpc.vpcId === undefined || vpc.vpcRegion === undefined)) {
    return invalidInput('Invalid request: a VPC needs both VPCId and VPCRegion.');
  }
  if (privateZone === true && vpc === undefined) return invalidInput('When you create a private hosted zone, you must specify a VPC.');
  return undefined;
}
