// Per-app health on the local runtime, through the AWS API and the CLI only: api.example.com
// asks for its own check (switchyard.io/health-path: /healthz), which probes the app through
// each cluster's entry point (`<cluster>.api.example.com`); `switchyard local fail east
// --app api.example.com` fails that app on east alone (issue 11, point 6).
import { GetHealthCheckStatusCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalCanary } from '../../src/cli/commands/local-canary.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { aRecord, awsClients, ownedHealthChecks, recordSets, waitFor, zoneId, type AwsClients } from './helpers.ts';

let runtime: LocalRuntime;
let aws: AwsClients;

beforeAll(async () => {
  runtime = await startLocalRuntime({ stateDir: null, port: 0, timeScale: 0.01, discoverEveryMs: 0 });
  aws = awsClients(runtime.url);
}, 120_000);

afterAll(async () => {
  aws?.destroy();
  await runtime?.settle(30_000).catch(() => undefined);
  await runtime?.close();
}, 60_000);

/** What Route 53 reports for a check now: true when its health checkers see Success. */
async function healthy(id: string): Promise<boolean> {
  const out = await aws.route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
  const reports = out.HealthCheckObservations ?? [];
  return reports.length > 0 && reports.every((o) => o.StatusReport?.Status?.startsWith('Success'));
}

async function checkOf(fqdn: string): Promise<string> {
  const check = (await ownedHealthChecks(aws.route53)).find((c) => c.fqdn === fqdn);
  if (!check) throw new Error(`no health check probes ${fqdn}`);
  return check.id;
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  // The control API's writes need the runtime's per-run token, as the CLI finds it.
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: { SWITCHYARD_CONTROL_TOKEN: runtime.controlToken } } };
}

describe('per-app health on the local runtime', () => {
  it('probes the app through each cluster: <cluster>.<hostname> aliases to that cluster, and the app records carry its check', async () => {
    // Act
    const zone = await zoneId(aws.route53);
    const sets = await recordSets(aws.route53, zone);
    const checks = await ownedHealthChecks(aws.route53);
    // Assess
    const apiEast = aRecord(sets, 'api.example.com', 'east')!;
    const healthEast = sets.find((s) => s.Name === 'east.api.example.com.' && s.Type === 'A')!;
    expect(healthEast.SetIdentifier).toBeUndefined();
    expect(healthEast.HealthCheckId).toBeUndefined();
    expect(healthEast.AliasTarget?.DNSName).toBe(apiEast.AliasTarget?.DNSName);
    expect(checks.find((c) => c.id === apiEast.HealthCheckId)).toMatchObject({ fqdn: 'east.api.example.com', path: '/healthz', cluster: 'east' });
    expect(checks.find((c) => c.id === aRecord(sets, 'shop.example.com', 'east')!.HealthCheckId)).toMatchObject({ fqdn: 'canary-east.example.com' });
    await waitFor(
      'the per-app checks to pass',
      async () => (await healthy(apiEast.HealthCheckId!)) && (await healthy(await checkOf('west.api.example.com'))),
      120_000,
    );
  }, 60_000);

  it('local fail --app fails that app on that cluster only, and heal --app brings it back', async () => {
    // Prepare
    const [apiEast, apiWest, canaryEast] = await Promise.all([
      checkOf('east.api.example.com'),
      checkOf('west.api.example.com'),
      checkOf('canary-east.example.com'),
    ]);
    const cli = io();
    // Act
    const code = await runLocalCanary('fail', 'east', { endpointUrl: runtime.url, app: 'api.example.com' }, cli.io);
    // Assess
    expect(code).toBe(EXIT.ok);
    expect(cli.out.join('\n')).toContain('api.example.com on east answers HTTP 503');
    await waitFor('api on east to fail its check', async () => !(await healthy(apiEast)), 120_000);
    expect(await healthy(apiWest)).toBe(true);
    expect(await healthy(canaryEast)).toBe(true);
    expect((await runtime.status()).canaries.find((c) => c.cluster === 'east')).toMatchObject({ mode: 'healthy', failingApps: ['api.example.com'] });
    // Act: heal it.
    expect(await runLocalCanary('heal', 'east', { endpointUrl: runtime.url, app: 'api.example.com' }, io().io)).toBe(EXIT.ok);
    // Assess
    await waitFor('api on east to pass its check again', () => healthy(apiEast), 120_000);
    expect((await runtime.status()).canaries.find((c) => c.cluster === 'east')?.failingApps).toEqual([]);
  }, 90_000);

  it('refuses an app the cluster does not publish, and --down with --app, changing nothing', async () => {
    // Act & Assess
    await expect(runLocalCanary('fail', 'west', { endpointUrl: runtime.url, app: 'docs.example.com' }, io().io)).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('--app docs.example.com: cluster west does not publish it'),
    });
    await expect(runLocalCanary('fail', 'east', { endpointUrl: runtime.url, app: 'api.example.com', down: true }, io().io)).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('--down refuses connections to the whole cluster east'),
    });
    expect((await runtime.status()).canaries.every((c) => c.mode === 'healthy' && c.failingApps.length === 0)).toBe(true);
  });
});
