// A health reading against the local Route 53 over HTTP, through the real SDK client and
// the Route 53 adapter, in an account that holds many health checks besides the canaries:
// it reads the tags of the canary checks only, and sees the clusters as a reading of every
// owned check sees them (ownedHealthChecksWithKeys; docs/operations.md, "What a drain asks
// of that limit"). The canary checks are made by ensureHealthChecks, so their spec goes
// to Route 53 and back through the XML. Time is virtual (the limiter does not really wait).
import { Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoute53Service, serveLocalService, type Route53Service, type RunningServer } from '@switchyard/local-aws/route53';
import { ensureHealthChecks, listOwnedHealthChecks } from '../../src/app/dns/health-checks.ts';
import { route53HealthSource } from '../../src/app/health-source.ts';
import { Route53Adapter } from '../../src/aws/route53.ts';
import { planHealthChecks } from '../../src/core/health-check-plan.ts';
import { canaryHealthCheck, healthCheckKey, healthCheckTags } from '../../src/core/health-spec.ts';
import type { HealthCheckSpec } from '../../src/core/model.ts';
import { fleet, OWNER } from '../unit/core/dns-fixtures.ts';
import { VirtualClock } from '../unit/aws/helpers/virtual-clock.ts';

const FLEET = fleet();
const CANARIES = FLEET.clusters.map((c) => ({ cluster: c.name, ...canaryHealthCheck(FLEET.healthCheck, c) }));
const OTHER_CHECKS = 60;

describe('a health reading against the local Route 53, in an account of many checks', () => {
  let service: Route53Service;
  let server: RunningServer;
  let client: Route53Client;
  let adapter: Route53Adapter;
  const tagsRead: string[] = [];

  beforeAll(async () => {
    service = createRoute53Service({ insyncDelayMs: 0, resolveTarget: () => undefined });
    server = await serveLocalService(service);
    client = new Route53Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    adapter = new Route53Adapter({ client, retry: { clock: new VirtualClock() } });
    // The canaries, as the runtime makes them; then other tools' checks and our per-app ones.
    const made = await ensureHealthChecks(adapter, OWNER, planHealthChecks(CANARIES, []));
    expect(made.failures).toEqual([]);
    for (let i = 0; i < OTHER_CHECKS; i++) {
      const spec: HealthCheckSpec = {
        protocol: 'HTTPS',
        fqdn: `east.app-${i}.example.com`,
        port: 443,
        path: '/healthz',
        intervalSeconds: 30,
        failureThreshold: 3,
      };
      const check = await adapter.createHealthCheck(`it-other-${i}`, spec);
      const ours = i % 2 === 0;
      await adapter.tagHealthCheck(check.id, healthCheckTags(ours ? OWNER : 'another-fleet', healthCheckKey('east', spec), 'east', spec));
    }
    const listHealthCheckTags = adapter.listHealthCheckTags.bind(adapter);
    adapter.listHealthCheckTags = async (ids) => {
      tagsRead.push(...ids);
      return listHealthCheckTags(ids);
    };
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  it('reads the canary checks’ tags only, and sees every cluster as a reading of every owned check does', async () => {
    // Prepare
    const everyOwned = await listOwnedHealthChecks(adapter, OWNER);
    const canaryIds = CANARIES.map((c) => everyOwned.find((o) => o.key === c.key)?.id);
    expect(canaryIds.every((id) => id !== undefined)).toBe(true);
    tagsRead.length = 0;
    const health = route53HealthSource({ fleet: FLEET, route53: adapter, table: { listAlarms: async () => [] } });
    const clusters = FLEET.clusters.map((c) => c.name);

    // Act
    const view = await health.snapshot(clusters);

    // Assess: one tags request's worth of ids (the canaries') where every check's would be seven requests.
    expect([...tagsRead].sort()).toEqual([...canaryIds].sort());
    const asBefore = await health.snapshot(clusters, { ownedHealthChecks: everyOwned });
    expect(view).toEqual(asBefore);
    expect(Object.keys(view.clusters).sort()).toEqual([...clusters].sort());
  });
});
