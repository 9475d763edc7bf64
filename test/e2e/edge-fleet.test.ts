// The edge fleet (examples/edge-fleet, docs/edge.md) on the local runtime, through the AWS
// SDK and the CLI only: shop.example.com is public on the edges and upstream on the workload
// clusters; a drain or a failure of one tier changes only that tier's zone, and safety
// keeps one edge. The steps build on each other (one runtime, one story), in order.
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetHealthCheckStatusCommand, ListHostedZonesByNameCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamAlarmName } from '../../src/core/upstream.ts';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import {
  aRecord,
  awsClients,
  dnsAnswers,
  executions,
  executionResult,
  fleetDocument,
  recordSets,
  runCliHere,
  temporaryFolder,
  TIME_SCALE,
  waitFor,
  zoneId,
  type AwsClients,
} from './helpers.ts';

const FLEET = join(import.meta.dirname, '..', '..', 'examples', 'edge-fleet');
const OWNER = 'switchyard-edge-example';
const SHOP = 'shop.example.com';
const SHOP_UP = 'shop.example.com.mesh.internal';
/**
 * Health checks (and the edges' canaries) at a tenth of real time rather than TIME_SCALE: on a
 * loaded machine a 100 ms probe interval with its 500 ms timeout can see a healthy edge fail
 * three times in a row, and a drain's health gate then rightly rolls back.
 */
const HEALTH_SCALE = 0.1;
/** RequestInterval 10 s × FailureThreshold 3, and the 300 s fail-back hold-down, scaled. */
const HEALTH_WINDOW_MS = 10_000 * 3 * HEALTH_SCALE;
const HOLD_DOWN_MS = 300_000 * TIME_SCALE;
/** What a loaded 2-core machine may add to any step. */
const SLACK_MS = 60_000;

let runtime: LocalRuntime;
let aws: AwsClients;
let publicZone: string;
let upstreamZone: string;
let state: { remove(): Promise<void> };

beforeAll(async () => {
  state = await temporaryFolder('e2e-edge');
  runtime = await startLocalRuntime({
    fleet: FLEET,
    stateDir: (state as { path: string } & typeof state).path,
    port: 0,
    timeScale: TIME_SCALE,
    healthCheckTimeScale: HEALTH_SCALE,
  });
  aws = awsClients(runtime.url);
  publicZone = await zoneId(aws.route53, 'example.com.');
  upstreamZone = await zoneId(aws.route53, 'mesh.internal.');
}, 120_000);

afterAll(async () => {
  aws?.destroy();
  await runtime?.close();
  await state?.remove();
});

/** A zone's weighted A records at `name` as "setId weight". */
async function weights(zone: string, name: string): Promise<string[]> {
  return (await recordSets(aws.route53, zone))
    .filter((s) => s.Name === `${name}.` && s.Type === 'A')
    .map((s) => `${s.SetIdentifier} ${s.Weight}`)
    .sort();
}

const publicShop = () => weights(publicZone, SHOP);
const upstreamShop = () => weights(upstreamZone, SHOP_UP);
const everything = async () => ({ public: await recordSets(aws.route53, publicZone), upstream: await recordSets(aws.route53, upstreamZone) });

async function alarmValue(name: string): Promise<string | undefined> {
  const out = await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return out.MetricAlarms?.[0]?.StateValue;
}

async function healthy(id: string): Promise<boolean> {
  const out = await aws.route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
  return (out.HealthCheckObservations ?? []).every((o) => o.StatusReport?.Status?.startsWith('Success'));
}

describe('switchyard local --fleet examples/edge-fleet', () => {
  it('holds both zones: the upstream zone is private', async () => {
    const out = await aws.route53.send(new ListHostedZonesByNameCommand({}));
    expect(out.HostedZones?.map((z) => [z.Name, z.Config?.PrivateZone]).sort()).toEqual([
      ['example.com.', false],
      ['mesh.internal.', true],
    ]);
  });

  it('publishes shop on edge-us and edge-eu only, and upstream on east, west and eu with metric health checks', async () => {
    expect(await publicShop()).toEqual(['edge-eu 100', 'edge-us 100']);
    expect(await upstreamShop()).toEqual(['east 100', 'eu 100', 'west 100']);
    // api.example.com stays published directly by the workload clusters
    expect(await weights(publicZone, 'api.example.com')).toEqual(['east 100', 'eu 100', 'west 100']);
    // ownership markers in both zones
    const { public: pub, upstream } = await everything();
    expect(pub.some((s) => s.Name === `_switchyard.${SHOP}.` && s.Type === 'TXT')).toBe(true);
    expect(upstream.some((s) => s.Name === `_switchyard.${SHOP_UP}.` && s.Type === 'TXT')).toBe(true);
    // each upstream record carries a health check that reads its cluster's upstream alarm
    const { HealthChecks = [] } = await aws.route53.send(new (await import('@aws-sdk/client-route-53')).ListHealthChecksCommand({}));
    for (const cluster of ['east', 'west', 'eu']) {
      const set = aRecord(upstream, SHOP_UP, cluster);
      const check = HealthChecks.find((c) => c.Id === set?.HealthCheckId);
      expect(check?.HealthCheckConfig).toMatchObject({
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Name: upstreamAlarmName(OWNER, cluster), Region: 'us-east-1' },
        InsufficientDataHealthStatus: 'Unhealthy',
      });
    }
    // the edges' canaries reach every workload cluster
    for (const cluster of ['east', 'west', 'eu'])
      await waitFor(`upstream alarm of ${cluster} OK`, async () => (await alarmValue(upstreamAlarmName(OWNER, cluster))) === 'OK', SLACK_MS);
  });

  it('answers the upstream name with the workload clusters and the public name with the edges', async () => {
    const address = (cluster: string) => runtime.canaries.addressOf(cluster)!;
    const upstream = new Set(await dnsAnswers(runtime.dns!.port, SHOP_UP, 60));
    expect([...upstream].sort()).toEqual(['east', 'west', 'eu'].map(address).sort());
    const pub = new Set(await dnsAnswers(runtime.dns!.port, SHOP, 40));
    expect([...pub].sort()).toEqual(['edge-us', 'edge-eu'].map(address).sort());
  });

  it('fail east: it leaves the upstream answers and records; the public records stay as they are', async () => {
    // Prepare
    const before = await recordSets(aws.route53, publicZone);
    const upstreamCheck = aRecord(await recordSets(aws.route53, upstreamZone), SHOP_UP, 'east')!.HealthCheckId!;
    // Act
    const cli = await runCliHere(['local', 'fail', 'east', '--endpoint-url', runtime.url, '--state', runtime.stateDir!]);
    expect(cli.code, cli.stderr).toBe(0);
    // Assess: the edges' canaries stop reaching east, its upstream check fails, Failover takes it out upstream
    await waitFor(
      'the upstream alarm of east in ALARM',
      async () => (await alarmValue(upstreamAlarmName(OWNER, 'east'))) === 'ALARM',
      HEALTH_WINDOW_MS + SLACK_MS,
    );
    await waitFor("east's upstream health check unhealthy", async () => !(await healthy(upstreamCheck)), HEALTH_WINDOW_MS + SLACK_MS);
    await waitFor('east out of the upstream records', async () => (await upstreamShop()).includes('east 0'), HEALTH_WINDOW_MS + SLACK_MS);
    expect(await upstreamShop()).toEqual(['east 0', 'eu 100', 'west 100']);
    expect(new Set(await dnsAnswers(runtime.dns!.port, SHOP_UP, 40))).not.toContain(runtime.canaries.addressOf('east'));
    const after = await recordSets(aws.route53, publicZone);
    const shopOnly = (sets: ResourceRecordSet[]) => sets.filter((s) => s.Name === `${SHOP}.` || s.Name === `_switchyard.${SHOP}.`);
    expect(shopOnly(after)).toEqual(shopOnly(before));
  });

  it('heal east: it comes back upstream after the fail-back hold-down', async () => {
    const cli = await runCliHere(['local', 'heal', 'east', '--endpoint-url', runtime.url, '--state', runtime.stateDir!]);
    expect(cli.code, cli.stderr).toBe(0);
    await waitFor('the upstream alarm of east OK', async () => (await alarmValue(upstreamAlarmName(OWNER, 'east'))) === 'OK', HEALTH_WINDOW_MS + SLACK_MS);
    await waitFor('east back upstream', async () => (await upstreamShop()).includes('east 100'), HOLD_DOWN_MS + HEALTH_WINDOW_MS + SLACK_MS);
    await waitFor('the failover mark of east gone', async () => Object.keys((await fleetDocument(aws.dynamodb)).failovers).length === 0, SLACK_MS);
    expect(await publicShop()).toEqual(['edge-eu 100', 'edge-us 100']);
  });

  it('drain east: only the upstream zone changes for shop', async () => {
    // Prepare
    const pub = await publicShop();
    // Act
    const cli = await runCliHere(['drain', 'east', '--stage', 'local', '--endpoint-url', runtime.url, '--reason', 'e2e: upgrade east', '--wait']);
    // Assess
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expect(await upstreamShop()).toEqual(['east 0', 'eu 100', 'west 100']);
    expect(await publicShop()).toEqual(pub);
  });

  it('drain edge-us: only the public zone changes', async () => {
    // Prepare
    const upstream = (await everything()).upstream;
    // Act
    const cli = await runCliHere(['drain', 'edge-us', '--stage', 'local', '--endpoint-url', runtime.url, '--reason', 'e2e: upgrade edge-us', '--wait']);
    // Assess
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expect(await publicShop()).toEqual(['edge-eu 100', 'edge-us 0']);
    expect((await everything()).upstream).toEqual(upstream);
  });

  it('refuses to drain edge-eu while edge-us is drained (DrainUnsafe, edge tier) and changes nothing', async () => {
    // Prepare
    const before = await everything();
    const fleetBefore = await fleetDocument(aws.dynamodb);
    // Act
    const cli = await runCliHere(['drain', 'edge-eu', '--stage', 'local', '--endpoint-url', runtime.url, '--reason', 'e2e: second edge', '--wait']);
    // Assess
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout + cli.stderr).toContain(
      'DrainUnsafe: taking edge-eu to 0% is unsafe: shop.example.com (edge tier) would keep 0 healthy active edge cluster(s)',
    );
    const refused = (await executions(aws.sfn, 'DrainCluster')).filter((e) => e.name.startsWith('drain-edge-eu'));
    expect(refused).toHaveLength(1);
    expect(await executionResult(aws.sfn, refused[0]!.executionArn)).toMatchObject({ status: 'FAILED', error: 'DrainUnsafe' });
    expect(await everything()).toEqual(before);
    const fleetAfter = await fleetDocument(aws.dynamodb);
    expect({ intents: fleetAfter.intents, locks: fleetAfter.locks, version: fleetAfter.version }).toEqual({
      intents: fleetBefore.intents,
      locks: fleetBefore.locks,
      version: fleetBefore.version,
    });
  });

  it('status and history show both tiers', async () => {
    // Act
    const json = await runCliHere(['status', '--stage', 'local', '--endpoint-url', runtime.url, '--fleet', FLEET, '--json']);
    const text = await runCliHere(['status', '--stage', 'local', '--endpoint-url', runtime.url, '--fleet', FLEET]);
    const history = await runCliHere(['history', '--stage', 'local', '--endpoint-url', runtime.url]);
    // Assess
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as {
      clusters: Array<{ name: string; tier?: string }>;
      apps: Array<{ hostname: string; tier?: string; upstreamOf?: string; clusters: Array<{ cluster: string }> }>;
    };
    expect(report.clusters.map((c) => [c.name, c.tier])).toEqual([
      ['edge-us', 'edge'],
      ['edge-eu', 'edge'],
      ['east', 'workload'],
      ['west', 'workload'],
      ['eu', 'workload'],
    ]);
    const app = (hostname: string) => report.apps.find((a) => a.hostname === hostname);
    expect(app(SHOP)).toMatchObject({ tier: 'edge', clusters: [{ cluster: 'edge-us' }, { cluster: 'edge-eu' }] });
    expect(app(SHOP_UP)).toMatchObject({ tier: 'workload', upstreamOf: SHOP, clusters: [{ cluster: 'east' }, { cluster: 'west' }, { cluster: 'eu' }] });
    expect(app('api.example.com')?.tier).toBe('workload');
    expect(text.stdout).toMatch(/shop\.example\.com\.mesh\.internal\s+upstream of shop\.example\.com\s+weighted/);
    expect(text.stdout).toMatch(/shop\.example\.com\s+edge\s+weighted/);
    expect(text.stdout).toMatch(/api\.example\.com\s+direct\s+weighted/);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain(`${SHOP_UP} (weighted, upstream of ${SHOP}): weight 100 -> weight 50`);
    expect(history.stdout).toContain(`${SHOP} (weighted, edge tier): weight 100 -> weight 50`);
  });
});
