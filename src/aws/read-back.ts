// Reading a step's record sets back from Route 53 (docs/dns.md, "Every step is read
// back"): only the names the step touched, a page at a time from each name (adjacent
// names share a page), never a zone scan; then the differences from what was intended.
import { differences, expectedCount, readNames, type ExpectedGroup } from '../core/verify.ts';
import type { RecordSet } from '../core/model.ts';
import type { DnsVerification } from '../core/ports.ts';
import type { Route53Port } from './route53.ts';

/** The expected sets as Route 53 holds them now, and what differs from the intention. */
export async function readBack(route53: Pick<Route53Port, 'listRecordSetsPage'>, expected: readonly ExpectedGroup[]): Promise<DnsVerification> {
  const byZone = new Map<string, string[]>();
  for (const group of expected) byZone.set(group.zoneId, [...(byZone.get(group.zoneId) ?? []), ...group.names]);
  const held = new Map<string, RecordSet[]>();
  let pages = 0;
  let read = 0;
  for (const [zoneId, names] of byZone) {
    const out = await readNames(names, (start) => route53.listRecordSetsPage(zoneId, start));
    held.set(zoneId, out.records);
    pages += out.pages;
    read += out.records.length;
  }
  return { differences: differences(expected, held), pages, setsExpected: expectedCount(expected), setsRead: read };
}
