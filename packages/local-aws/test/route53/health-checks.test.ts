// Health checks over HTTP with the SDK v3 client: the API (create, idempotency, get,
// list, update, delete, status) and live checking of loopback endpoints, with
// intervals scaled down 100 times. Status changes are also read through the
// in-process subscription the local runtime uses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  GetHealthCheckCommand,
  GetHealthCheckLastFailureReasonCommand,
  GetHealthCheckStatusCommand,
  ListHealthChecksCommand,
  UpdateHealthCheckCommand,
  type HealthCheckConfig,
} from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmState, HealthCheckStatusChange } from '../../src/route53/index.ts';
import { eventually, failure, startCanary, startEmulator, uniqueReference, type Canary, type Emulator } from './helpers.ts';

const SCALE = 0.01; // a 10 s RequestInterval is 100 ms

describe('local Route 53: health check API', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ healthCheckTimeScale: SCALE });
  });
  afterAll(async () => {
    await emulator.close();
  });

  const create = (config: HealthCheckConfig, reference = uniqueReference('hc')) =>
    emulator.client.send(new CreateHealthCheckCommand({ CallerReference: reference, HealthCheckConfig: config }));
  const unreachable: HealthCheckConfig = { Type: 'HTTP', IPAddress: '127.0.0.1', Port: 9, Disabled: true };

  it("creates a check with Route 53's defaults, answering 201 with a Location", async () => {
    const http = await create({ Type: 'HTTP', FullyQualifiedDomainName: 'canary.example.com', Disabled: true });
    const secure = await create({ Type: 'HTTPS', FullyQualifiedDomainName: 'canary.example.com', Disabled: true });

    expect(http.$metadata.httpStatusCode).toBe(201);
    expect(http.Location).toBe(`${emulator.server.url}/2013-04-01/healthcheck/${http.HealthCheck!.Id}`);
    expect(http.HealthCheck!.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(http.HealthCheck!.HealthCheckVersion).toBe(1);
    expect(http.HealthCheck!.HealthCheckConfig).toEqual({
      Type: 'HTTP',
      FullyQualifiedDomainName: 'canary.example.com',
      Port: 80,
      RequestInterval: 30,
      FailureThreshold: 3,
      MeasureLatency: false,
      Inverted: false,
      Disabled: true,
      EnableSNI: false,
    });
    expect(secure.HealthCheck!.HealthCheckConfig).toMatchObject({ Port: 443, EnableSNI: true });
  });

  it('is idempotent per CallerReference: the same configuration returns the same check, another is refused', async () => {
    const reference = uniqueReference('idem');
    const first = await create(unreachable, reference);
    const again = await create(unreachable, reference);
    const other = await failure(create({ ...unreachable, Port: 10 }, reference));

    expect(again.HealthCheck!.Id).toBe(first.HealthCheck!.Id);
    expect(again.$metadata.httpStatusCode).toBe(201);
    expect(other.name).toBe('HealthCheckAlreadyExists');
    expect(other.$metadata.httpStatusCode).toBe(409);
  });

  it('refuses the caller reference of a deleted check, whatever the configuration', async () => {
    const reference = uniqueReference('deleted');
    const created = await create(unreachable, reference);
    await emulator.client.send(new DeleteHealthCheckCommand({ HealthCheckId: created.HealthCheck!.Id }));
    const error = await failure(create(unreachable, reference));
    expect(error.name).toBe('HealthCheckAlreadyExists');
  });

  it.each<[string, HealthCheckConfig]>([
    ['a TCP check without a port', { Type: 'TCP', IPAddress: '127.0.0.1' }],
    ['a string match without a search string', { Type: 'HTTP_STR_MATCH', IPAddress: '127.0.0.1' }],
    ['an interval other than 10 or 30', { Type: 'HTTP', IPAddress: '127.0.0.1', RequestInterval: 20 }],
    ['a failure threshold above 10', { Type: 'HTTP', IPAddress: '127.0.0.1', FailureThreshold: 11 }],
    ['an endpoint check without an address', { Type: 'HTTP' }],
    ['fewer than three regions', { Type: 'HTTP', IPAddress: '127.0.0.1', Regions: ['us-east-1', 'eu-west-1'] }],
    ['a CloudWatch check without an alarm', { Type: 'CLOUDWATCH_METRIC' }],
  ])('refuses %s (InvalidInput)', async (_what, config) => {
    const error = await failure(create(config));
    expect(error.name).toBe('InvalidInput');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('refuses a calculated check whose child does not exist (NoSuchHealthCheck)', async () => {
    const error = await failure(create({ Type: 'CALCULATED', ChildHealthChecks: ['11111111-2222-3333-4444-555555555555'], HealthThreshold: 1 }));
    expect(error.name).toBe('NoSuchHealthCheck');
    expect(error.message).toBe('A health check with id 11111111-2222-3333-4444-555555555555 does not exist.');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('gets, lists in pages, and deletes checks; a deleted check is NoSuchHealthCheck', async () => {
    const emu = await startEmulator();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          (await emu.client.send(new CreateHealthCheckCommand({ CallerReference: uniqueReference(), HealthCheckConfig: { ...unreachable, Port: 100 + i } })))
            .HealthCheck!.Id!,
        );
      }
      const got = await emu.client.send(new GetHealthCheckCommand({ HealthCheckId: ids[2] }));
      expect(got.HealthCheck!.HealthCheckConfig!.Port).toBe(102);

      const seen: string[] = [];
      let marker: string | undefined;
      do {
        const page = await emu.client.send(new ListHealthChecksCommand({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
        seen.push(...page.HealthChecks!.map((c) => c.Id!));
        marker = page.IsTruncated ? page.NextMarker : undefined;
      } while (marker !== undefined);
      expect([...seen].sort()).toEqual([...ids].sort());

      await emu.client.send(new DeleteHealthCheckCommand({ HealthCheckId: ids[0] }));
      const error = await failure(emu.client.send(new GetHealthCheckCommand({ HealthCheckId: ids[0] })));
      expect(error.name).toBe('NoSuchHealthCheck');
      expect(error.$metadata.httpStatusCode).toBe(404);
      const again = await failure(emu.client.send(new DeleteHealthCheckCommand({ HealthCheckId: ids[0] })));
      expect(again.name).toBe('NoSuchHealthCheck');
    } finally {
      await emu.close();
    }
  });

  it('updates a check, bumping its version; a stale HealthCheckVersion is refused; ResetElements clears a field', async () => {
    const created = await create({ ...unreachable, ResourcePath: '/health', FullyQualifiedDomainName: 'a.example.com' });
    const id = created.HealthCheck!.Id!;

    const updated = await emulator.client.send(new UpdateHealthCheckCommand({ HealthCheckId: id, HealthCheckVersion: 1, Port: 8080, FailureThreshold: 5 }));
    const stale = await failure(emulator.client.send(new UpdateHealthCheckCommand({ HealthCheckId: id, HealthCheckVersion: 1, Port: 8081 })));
    const reset = await emulator.client.send(new UpdateHealthCheckCommand({ HealthCheckId: id, ResetElements: ['ResourcePath'] }));

    expect(updated.HealthCheck).toMatchObject({ HealthCheckVersion: 2, HealthCheckConfig: { Port: 8080, FailureThreshold: 5, ResourcePath: '/health' } });
    expect(stale.name).toBe('HealthCheckVersionMismatch');
    expect(stale.$metadata.httpStatusCode).toBe(409);
    expect(reset.HealthCheck!.HealthCheckVersion).toBe(3);
    expect(reset.HealthCheck!.HealthCheckConfig!.ResourcePath).toBeUndefined();
    expect(reset.HealthCheck!.HealthCheckConfig!.Port).toBe(8080);
  });

  it('does not report calculated checks through GetHealthCheckStatus (InvalidInput), as Route 53', async () => {
    const calculated = await create({ Type: 'CALCULATED', ChildHealthChecks: [], HealthThreshold: 0 });
    const error = await failure(emulator.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: calculated.HealthCheck!.Id })));
    expect(error.name).toBe('InvalidInput');
  });
});

describe('local Route 53: live health checking', () => {
  let emulator: Emulator;
  let canary: Canary;
  let alarms: Map<string, AlarmState>;
  const changes: HealthCheckStatusChange[] = [];

  beforeAll(async () => {
    canary = await startCanary();
    alarms = new Map();
    emulator = await startEmulator({
      healthCheckTimeScale: SCALE,
      probeTimeoutMs: 300,
      // The local runtime maps canary host names to loopback servers like this.
      resolveTarget: (host, port) => (host === 'canary-east.example.com' ? { host: '127.0.0.1', port: canary.port } : { host, port }),
      alarmState: (region, name) => alarms.get(`${region}/${name}`),
    });
    emulator.service.onHealthCheckStatusChange((c) => changes.push(c));
  });
  const created: string[] = [];
  afterEach(async () => {
    // Each test's checks stop probing, so the next test's counts are its own.
    for (const id of created.splice(0)) await emulator.client.send(new DeleteHealthCheckCommand({ HealthCheckId: id })).catch(() => undefined);
    canary.respondWith(200, 'ok');
  });
  afterAll(async () => {
    await emulator.close();
    await canary.close();
  });

  const create = async (config: HealthCheckConfig) => {
    const id = (await emulator.client.send(new CreateHealthCheckCommand({ CallerReference: uniqueReference('live'), HealthCheckConfig: config }))).HealthCheck!
      .Id!;
    created.push(id);
    return id;
  };
  const statuses = async (id: string) =>
    (await emulator.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }))).HealthCheckObservations!.map((o) => o.StatusReport!.Status!);
  const reportsOnly = async (id: string, prefix: string) => {
    const s = await statuses(id);
    return s.length > 0 && s.every((status) => status.startsWith(prefix));
  };
  const healthy = (id: string) => emulator.service.healthCheckStatus(id);
  const canaryCheck: HealthCheckConfig = {
    Type: 'HTTP',
    FullyQualifiedDomainName: 'canary-east.example.com',
    Port: 80,
    ResourcePath: '/status/200',
    RequestInterval: 10,
    FailureThreshold: 2,
  };

  it('probes the endpoint at ResourcePath with the FQDN as Host, and reports each checker region', async () => {
    const id = await create(canaryCheck);
    await eventually(() => reportsOnly(id, 'Success'), 3000, 'a successful probe');

    const observations = (await emulator.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }))).HealthCheckObservations!;
    expect(observations).toHaveLength(16);
    expect(new Set(observations.map((o) => o.Region))).toEqual(
      new Set(['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1']),
    );
    expect(observations[0]!.StatusReport).toMatchObject({ Status: 'Success: HTTP Status Code 200, OK' });
    expect(observations[0]!.StatusReport!.CheckedTime).toBeInstanceOf(Date);
    const request = canary.requests.at(-1)!;
    expect(request).toMatchObject({ path: '/status/200', host: 'canary-east.example.com' });
    expect(request.userAgent).toMatch(/^Amazon-Route53-Health-Check-Service/);
    expect(healthy(id)).toBe(true);
  });

  it('turns unhealthy only after FailureThreshold consecutive failures, and healthy again after as many successes', async () => {
    // Prepare
    const id = await create({ ...canaryCheck, ResourcePath: '/threshold', FailureThreshold: 3 });
    await eventually(() => reportsOnly(id, 'Success'), 3000, 'a first success');
    const mine = () => changes.filter((c) => c.healthCheckId === id);
    const probes = () => canary.requests.filter((r) => r.path === '/threshold').length;

    // Act: the endpoint fails
    canary.respondWith(500, 'down');
    const failingFrom = probes();
    await eventually(() => mine().length === 1, 3000, 'the check to turn unhealthy');

    // Assess
    expect(probes() - failingFrom).toBeGreaterThanOrEqual(3);
    expect(mine()[0]).toMatchObject({ healthy: false, previous: true, type: 'HTTP', fullyQualifiedDomainName: 'canary-east.example.com' });
    expect(await statuses(id)).toContain('Failure: HTTP Status Code 500, Internal Server Error');
    const reasons = await emulator.client.send(new GetHealthCheckLastFailureReasonCommand({ HealthCheckId: id }));
    expect(reasons.HealthCheckObservations!.length).toBeGreaterThan(0);

    // Act: it recovers
    canary.respondWith(200);
    await eventually(() => mine().length === 2, 3000, 'the check to turn healthy');
    expect(mine()[1]).toMatchObject({ healthy: true, previous: false });
  });

  it('reports the opposite when Inverted, and always healthy (without probing) when Disabled', async () => {
    const inverted = await create({ ...canaryCheck, Inverted: true, FailureThreshold: 1 });
    await eventually(() => reportsOnly(inverted, 'Success'), 3000, 'a probe');
    expect(healthy(inverted)).toBe(false);

    const disabled = await create({ Type: 'HTTP', IPAddress: '127.0.0.1', Port: 9, RequestInterval: 10, FailureThreshold: 1, Disabled: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(healthy(disabled)).toBe(true);
    expect(await statuses(disabled)).toEqual([]); // never probed
  });

  it('HTTP_STR_MATCH looks for the search string in the body', async () => {
    canary.respondWith(200, 'status: ready');
    const id = await create({ ...canaryCheck, Type: 'HTTP_STR_MATCH', SearchString: 'ready', FailureThreshold: 1 });
    await eventually(() => reportsOnly(id, 'Success'), 3000, 'the string to be found');

    canary.respondWith(200, 'status: starting');
    await eventually(() => reportsOnly(id, 'Failure'), 3000, 'the string to be missed');
    expect((await statuses(id))[0]).toBe('Failure: String "ready" was not found in the first 5120 bytes of the response body.');
    await eventually(() => healthy(id) === false, 3000, 'unhealthy');
  });

  it('TCP checks open a connection to Port', async () => {
    const open = await create({ Type: 'TCP', IPAddress: '127.0.0.1', Port: canary.port, RequestInterval: 10, FailureThreshold: 1 });
    const closedPort = await freePort();
    const closed = await create({ Type: 'TCP', IPAddress: '127.0.0.1', Port: closedPort, RequestInterval: 10, FailureThreshold: 1 });

    await eventually(() => reportsOnly(open, 'Success: TCP connection established'), 3000, 'a connection');
    await eventually(() => reportsOnly(closed, 'Failure: Connection refused'), 3000, 'a refusal');
    await eventually(() => healthy(closed) === false, 3000, 'unhealthy');
  });

  it('counts an endpoint that accepts but never answers as failing', async () => {
    canary.hang();
    const id = await create({ ...canaryCheck, FailureThreshold: 1 });
    await eventually(() => reportsOnly(id, 'Failure: The endpoint did not send a response in time.'), 5000, 'a timeout');
  });

  it('HTTPS checks do not validate certificates, as Route 53', async (context) => {
    const tls = selfSignedCertificate();
    if (tls === undefined) return context.skip();
    const server = https.createServer(tls, (_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const id = await create({ Type: 'HTTPS', IPAddress: '127.0.0.1', Port: port, RequestInterval: 10, FailureThreshold: 1 });
      await eventually(() => reportsOnly(id, 'Success: HTTP Status Code 204'), 3000, 'a TLS probe');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('CALCULATED is healthy while at least HealthThreshold children are', async () => {
    const good = await create({ ...canaryCheck, FailureThreshold: 1 });
    const bad = await create({ Type: 'TCP', IPAddress: '127.0.0.1', Port: await freePort(), RequestInterval: 10, FailureThreshold: 1 });
    await eventually(() => healthy(bad) === false && healthy(good) === true, 3000, 'children to settle');

    const one = await create({ Type: 'CALCULATED', ChildHealthChecks: [good, bad], HealthThreshold: 1 });
    const both = await create({ Type: 'CALCULATED', ChildHealthChecks: [good, bad], HealthThreshold: 2 });
    expect(healthy(one)).toBe(true);
    expect(healthy(both)).toBe(false);

    canary.respondWith(503);
    await eventually(() => healthy(one) === false, 3000, 'the calculated check to follow its child');
  });

  it('CLOUDWATCH_METRIC follows the local alarm, and InsufficientDataHealthStatus when it has no data', async () => {
    alarms.set('us-east-1/canary-east-down', 'OK');
    const id = await create({
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Region: 'us-east-1', Name: 'canary-east-down' },
      InsufficientDataHealthStatus: 'Unhealthy',
    });
    await eventually(() => healthy(id) === true, 3000, 'OK → healthy');

    alarms.set('us-east-1/canary-east-down', 'ALARM');
    await eventually(() => healthy(id) === false, 3000, 'ALARM → unhealthy');
    alarms.set('us-east-1/canary-east-down', 'OK');
    await eventually(() => healthy(id) === true, 3000, 'OK again');
    alarms.set('us-east-1/canary-east-down', 'INSUFFICIENT_DATA');
    await eventually(() => healthy(id) === false, 3000, 'no data → Unhealthy');
    expect((await statuses(id))[0]).toContain('canary-east-down');
  });

  it('reports two checkers for each region a check names', async () => {
    const id = await create({ ...canaryCheck, Regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] });
    await eventually(() => reportsOnly(id, 'Success'), 3000, 'a probe');
    const observations = (await emulator.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }))).HealthCheckObservations!;
    expect(observations.map((o) => o.Region).sort()).toEqual(['ap-southeast-2', 'ap-southeast-2', 'eu-west-1', 'eu-west-1', 'us-east-1', 'us-east-1']);
    expect(new Set(observations.map((o) => o.IPAddress)).size).toBe(6);
  });

  it('stops probing a deleted check', async () => {
    const id = await create({ ...canaryCheck, ResourcePath: '/deleted-check' });
    await eventually(() => canary.requests.some((r) => r.path === '/deleted-check'), 3000, 'a probe');
    await emulator.client.send(new DeleteHealthCheckCommand({ HealthCheckId: id }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const count = canary.requests.filter((r) => r.path === '/deleted-check').length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(canary.requests.filter((r) => r.path === '/deleted-check').length).toBe(count);
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A throwaway self-signed certificate made with openssl, or undefined when openssl is absent. */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'r53-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      {
        stdio: 'ignore',
      },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  }
}
