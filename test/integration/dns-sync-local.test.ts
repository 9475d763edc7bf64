// `switchyard plan` and `sync` against the local Route 53 emulator over HTTP: the
// real SDK v3 client, the adapter's retries and rate limiter, the example fleet.
// Time is virtual (the limiter's spacing and the INSYNC polls do not really wait).
import { CreateHostedZoneCommand, ListHealthChecksCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dnsIo, type DnsIo } from '../../src/cli/dns-io.ts';
import { main } from '../../src/cli/main.ts';
import { createRoute53Service, serveLocalService, type Route53Service, type RunningServer } from '@switchyard/local-aws/route53';
import { VirtualClock } from '../unit/aws/helpers/virtual-clock.ts';

describe('switchyard plan/sync against the local Route 53', () => {
  let service: Route53Service;
  let server: RunningServer;
  let client: Route53Client;
  const saved: DnsIo = { ...dnsIo };
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    // Health checks must never probe the example names through real DNS: resolve nothing.
    service = createRoute53Service({ insyncDelayMs: 0, resolveTarget: () => undefined });
    server = await serveLocalService(service);
    client = new Route53Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await client.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `it-${process.pid}-${Date.now()}` }));
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
    await service.close();
  });

  beforeEach(() => {
    out = [];
    err = [];
    // No Switchyard stage manages this zone: no state table.
    Object.assign(dnsIo, { clock: new VirtualClock(), out: (t: string) => out.push(t), err: (t: string) => err.push(t), tableExists: async () => false });
    process.exitCode = undefined;
  });

  afterEach(() => {
    Object.assign(dnsIo, saved);
    process.exitCode = undefined;
    service.setFaults({});
  });

  it('syncs the example fleet through throttling, and then plans no changes', async () => {
    // Prepare: a third of the requests are refused with Throttling or PriorRequestNotComplete.
    service.setFaults({ failureRate: 0.3, seed: 7 });

    // Act
    const synced = await main(['sync', '--fleet', 'examples/fleet', '--endpoint-url', server.url, '--json', '--no-state-table', '--stage', 'it']);
    service.setFaults({});
    const planned = await main(['plan', '--fleet', 'examples/fleet', '--endpoint-url', server.url]);

    // Assess
    expect(synced).toBe(0);
    const report = JSON.parse(out[0]!);
    expect(report.failed).toBe(false);
    expect(report.results.every((r: { status: string }) => r.status === 'applied')).toBe(true);
    expect(report.insync.pending).toEqual([]);
    expect(err.some((line) => /^retrying Route 53 \w+ in \d+ ms \(attempt 1 got (Throttling|PriorRequestNotComplete)\)$/.test(line))).toBe(true);
    const zoneId = report.zones[0].id as string;
    const records = (await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!;
    const shop = records.filter((r) => r.Name === 'shop.example.com.' && r.Type === 'A');
    expect(shop.map((r) => [r.SetIdentifier, r.Weight]).sort()).toEqual([
      ['east', 100],
      ['eu', 100],
      ['west', 100],
    ]);
    expect(shop.every((r) => r.HealthCheckId)).toBe(true);
    const checks = (await client.send(new ListHealthChecksCommand({}))).HealthChecks!;
    expect(checks).toHaveLength(5); // per cluster and spec: api probes /healthz on east and west

    expect(planned).toBe(0);
    expect(out[1]).toContain('No changes: Route 53 matches the desired state.');
  });

  it('reads its changes back after INSYNC: changes Route 53 accepted but never applied fail the sync with Route53Diverged', async () => {
    // Prepare: a second account whose Route 53 answers every change but applies none.
    const lossy = createRoute53Service({ insyncDelayMs: 0, resolveTarget: () => undefined, faults: { acceptWithoutApply: true } });
    const lossyServer = await serveLocalService(lossy);
    const lossyClient = new Route53Client({ endpoint: lossyServer.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      await lossyClient.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `it-lossy-${process.pid}-${Date.now()}` }));
      // Act
      const code = await main(['sync', '--fleet', 'examples/fleet', '--endpoint-url', lossyServer.url, '--json', '--no-state-table', '--stage', 'it']);
      // Assess
      expect(code).toBe(1);
      const report = JSON.parse(out[0]!);
      expect(report.failed).toBe(true);
      expect(report.results.every((r: { status: string }) => r.status === 'applied')).toBe(true);
      expect(report.diverged).toEqual(
        expect.arrayContaining([expect.stringMatching(/^shop\.example\.com\. A east \(zone \w+\): intended weight 100, .*Route 53 holds absent$/)]),
      );
    } finally {
      lossyClient.destroy();
      await lossyServer.close();
      await lossy.close();
    }
  });
});
