// DnsPort.cleanup (after an OffboardApp's changes are INSYNC): deletes the owned health
// checks no app wants and no record carries. Every zone is read only when some owned check
// is unwanted (docs/dns.md, "What an apply reads"): a record of any app may still carry it.
import { describe, expect, it } from 'vitest';
import { route53Dns } from '../../../../src/app/dns/route53-dns.ts';
import { FakeRoute53 } from '../../aws/helpers/fake-route53.ts';
import { endpoint, fleet, ZONES } from '../../core/dns-fixtures.ts';

const FLEET = fleet();
const APP = ['east', 'west'].map((cluster) => endpoint('a.example.com', cluster, { healthPath: '/ready' }));
const OTHER = ['east', 'west'].map((cluster) => endpoint('b.example.com', cluster));

async function published() {
  const route53 = new FakeRoute53(ZONES);
  const dns = route53Dns({ fleet: FLEET, route53 });
  await dns.apply({ endpoints: [...APP, ...OTHER], intents: [], appsOut: [], reason: 'publish' });
  route53.calls = [];
  return { route53, dns };
}

const zoneReads = (route53: FakeRoute53) => route53.calls.filter((c) => c.startsWith('ListResourceRecordSets'));

describe('DnsPort.cleanup', () => {
  it('reads no record and deletes nothing when every owned check is wanted', async () => {
    // Prepare
    const { route53, dns } = await published();
    const checks = [...route53.checks.keys()].sort();

    // Act
    const result = await dns.cleanup({ endpoints: [...APP, ...OTHER], intents: [], appsOut: [] });

    // Assess
    expect(result).toEqual({ deleted: [], failures: [] });
    expect([...route53.checks.keys()].sort()).toEqual(checks);
    expect(zoneReads(route53)).toEqual([]);
  });

  it('keeps an unwanted check a record still carries, and deletes it once no record does', async () => {
    // Prepare: app a withdrawn from the catalogue, its records (with its per-app checks) still there.
    const { route53, dns } = await published();
    const perApp = [...route53.checks.values()].filter((c) => c.spec.fqdn.endsWith('.a.example.com')).map((c) => c.id);
    expect(perApp).toHaveLength(2);

    // Act
    const kept = await dns.cleanup({ endpoints: OTHER, intents: [], appsOut: [] });

    // Assess: read every zone, deleted nothing a record carries.
    expect(kept).toEqual({ deleted: [], failures: [] });
    expect(zoneReads(route53)).toEqual([`ListResourceRecordSets ${ZONES[0]!.id}`]);

    // Act: the offboard's apply removes a's records, then the cleanup runs.
    await dns.apply({ hostnames: ['a.example.com'], endpoints: OTHER, intents: [], appsOut: [], reason: 'offboard a' });
    const cleaned = await dns.cleanup({ endpoints: OTHER, intents: [], appsOut: [] });

    // Assess
    expect(cleaned.deleted.sort()).toEqual([...perApp].sort());
    expect(perApp.filter((id) => route53.checks.has(id))).toEqual([]);
  });
});
