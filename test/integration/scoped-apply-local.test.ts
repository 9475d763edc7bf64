// A scoped apply (one app's onboarding) against the local Route 53 over HTTP, through the
// real SDK client and the Route 53 adapter: it reads the zone only at the app's names,
// one ListResourceRecordSets page from them (docs/dns.md, "What an apply reads"), and
// plans what a whole-zone reading plans, a wildcard app included (`*` is listed as
// `\052`). Time is virtual (the adapter's rate limiter does not really wait).
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { route53Dns } from '../../src/app/dns/route53-dns.ts';
import { Route53Adapter } from '../../src/aws/route53.ts';
import type { PublishedEndpoint } from '../../src/core/model.ts';
import type { Route53Port } from '../../src/core/ports.ts';
import { createRoute53Service, serveLocalService, type Route53Service, type RunningServer } from '@switchyard/local-aws/route53';
import { endpoint, fleet } from '../unit/core/dns-fixtures.ts';
import { VirtualClock } from '../unit/aws/helpers/virtual-clock.ts';

const FLEET = fleet({ zones: [{ name: 'example.com' }] });
const APPS = 400;
const PUBLISHED: PublishedEndpoint[] = [
  ...Array.from({ length: APPS }, (_, i) => `app-${String(i).padStart(4, '0')}.example.com`).flatMap((h) => [endpoint(h, 'east'), endpoint(h, 'west')]),
  endpoint('*.example.com', 'east'),
  endpoint('*.example.com', 'west'),
];

/** The adapter, with the Route 53 reads it is asked for recorded; `whole` makes every zone look small, so it is read whole. */
function recorded(adapter: Route53Adapter, whole = false): { port: Route53Port; reads: string[] } {
  const reads: string[] = [];
  const port: Route53Port = new Proxy(adapter, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (property === 'listRecordSets' || property === 'listRecordSetsPage') reads.push(`${String(property)} ${JSON.stringify(args[1] ?? {})}`);
        const out = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (property === 'listHostedZones' && whole) return (out as Array<{ recordSets?: number }>).map((z) => ({ ...z, recordSets: 0 }));
        return out;
      };
    },
  }) as unknown as Route53Port;
  return { port, reads };
}

describe('a scoped apply against the local Route 53', () => {
  let service: Route53Service;
  let server: RunningServer;
  let client: Route53Client;
  let adapter: Route53Adapter;

  beforeAll(async () => {
    service = createRoute53Service({ insyncDelayMs: 0, resolveTarget: () => undefined });
    server = await serveLocalService(service);
    client = new Route53Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await client.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `it-${process.pid}-${Date.now()}` }));
    adapter = new Route53Adapter({ client, retry: { clock: new VirtualClock() } });
    // 400 apps and a wildcard app: ≈ 1,200 sets, four pages and more.
    await route53Dns({ fleet: FLEET, route53: adapter }).apply({ endpoints: PUBLISHED, intents: [], appsOut: [], reason: 'publish' });
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
    await service.close();
  });

  it('onboards an app reading one page from its names, and reads its sets back as intended', async () => {
    // Prepare
    const { port, reads } = recorded(adapter);
    const dns = route53Dns({ fleet: FLEET, route53: port });
    const endpoints = [...PUBLISHED, endpoint('app-0200x.example.com', 'east'), endpoint('app-0200x.example.com', 'west')];

    // Act
    const result = await dns.apply({ hostnames: ['app-0200x.example.com'], endpoints, intents: [], appsOut: [], reason: 'onboard' });

    // Assess
    expect(reads).toEqual(['listRecordSetsPage {"name":"app-0200x.example.com."}']);
    expect(result.changes.map((c) => `${c.action} ${c.name} ${c.type} ${c.setIdentifier ?? ''}`.trim())).toEqual([
      'CREATE app-0200x.example.com. A east',
      'CREATE app-0200x.example.com. A west',
      'CREATE _switchyard.app-0200x.example.com. TXT',
    ]);
    expect((await dns.verify(result.expected)).differences).toEqual([]);
  });

  it('plans a wildcard app’s change from its names as from the whole zone, and applies it', async () => {
    // Prepare: the wildcard app's west weight changes.
    const endpoints = PUBLISHED.map((e) => (e.hostname === '*.example.com' && e.cluster === 'west' ? endpoint('*.example.com', 'west', { weight: 20 }) : e));
    const request = { hostnames: ['*.example.com'], endpoints, intents: [], appsOut: [], reason: 'reweigh' };
    const byNames = recorded(adapter);
    const whole = recorded(adapter, true);

    // Act
    const planned = await route53Dns({ fleet: FLEET, route53: byNames.port }).apply({ ...request, dryRun: true });
    const plannedWhole = await route53Dns({ fleet: FLEET, route53: whole.port }).apply({ ...request, dryRun: true });
    const applied = await route53Dns({ fleet: FLEET, route53: byNames.port }).apply(request);

    // Assess
    expect(byNames.reads.every((r) => r.startsWith('listRecordSetsPage'))).toBe(true);
    expect(whole.reads).toEqual(['listRecordSets {}']);
    expect(planned).toEqual(plannedWhole);
    expect(planned.changes).toEqual([{ action: 'UPSERT', name: '*.example.com.', type: 'A', setIdentifier: 'west', weight: 20 }]);
    expect(applied.changes).toEqual(planned.changes);
    expect((await route53Dns({ fleet: FLEET, route53: adapter }).verify(applied.expected)).differences).toEqual([]);
  });
});
