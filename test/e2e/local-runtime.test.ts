// The local runtime end to end, as a platform engineer would use it: start it, find the
// example fleet onboarded, fail a cluster and watch DNS move, heal it, drain, get a
// refusal, restore. Only the AWS APIs on the endpoint and the CLI are used to act and to
// look. The steps build on each other (one runtime, one story), in order.
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import {
  aRecord,
  alarmState,
  awsClients,
  executionResult,
  executions,
  fleetDocument,
  ownedHealthChecks,
  recordSets,
  runCliHere,
  startExecution,
  taskOutputs,
  temporaryFolder,
  TIME_SCALE,
  waitFor,
  dnsAnswers,
  zoneId,
  type AwsClients,
} from './helpers.ts';

const NLB = {
  east: 'mesh-east-ingress-1a2b3c4d5e6f7a8b.elb.us-east-1.amazonaws.com.',
  west: 'mesh-west-ingress-9f8e7d6c5b4a3f2e.elb.us-west-2.amazonaws.com.',
  eu: 'mesh-eu-ingress-0a1b2c3d4e5f6a7b.elb.eu-west-1.amazonaws.com.',
};
/** examples/fleet: RequestInterval 10 s × FailureThreshold 3, and a 300 s fail-back hold-down, scaled. */
const HEALTH_WINDOW_MS = 10_000 * 3 * TIME_SCALE;
const HOLD_DOWN_MS = 300_000 * TIME_SCALE;
/** What a loaded 2-core machine may add to any step (workflow runs, HTTP round trips). */
const SLACK_MS = 60_000;

let runtime: LocalRuntime;
let aws: AwsClients;
let zone: string;
let state: { remove(): Promise<void> };

beforeAll(async () => {
  const folder = await temporaryFolder('e2e');
  state = folder;
  runtime = await startLocalRuntime({ stateDir: folder.path, port: 0, timeScale: TIME_SCALE });
  aws = awsClients(runtime.url);
  zone = await zoneId(aws.route53);
}, 120_000);

afterAll(async () => {
  aws?.destroy();
  await runtime?.close();
  await state?.remove();
});

const sets = () => recordSets(aws.route53, zone);
const weightOf = async (name: string, cluster: string) => aRecord(await sets(), name, cluster)?.Weight;

describe('switchyard local (in process)', () => {
  it('onboards the example fleet through the workflows: records and health checks follow its policies', async () => {
    // Prepare
    const all = await sets();
    const checks = await ownedHealthChecks(aws.route53);
    const checkOf = (cluster: string, path = '/status/200') => checks.find((c) => c.cluster === cluster && c.path === path)?.id;
    const alias = (set: ResourceRecordSet | undefined) => set?.AliasTarget?.DNSName;
    // Assess: one check per cluster and spec — fleet.yaml's healthCheck on each canary, and api's
    // `switchyard.io/health-path: /healthz` on api itself through each of the two clusters that publish it
    const spec = (cluster: string, path: string, fqdn = `canary-${cluster}.example.com`) => ({
      cluster,
      fqdn,
      type: 'HTTP',
      port: 80,
      path,
      interval: 10,
      threshold: 3,
    });
    expect(
      checks
        .map((c) => ({ cluster: c.cluster, fqdn: c.fqdn, type: c.type, port: c.port, path: c.path, interval: c.interval, threshold: c.threshold }))
        .sort((a, b) => `${a.cluster}${a.path}`.localeCompare(`${b.cluster}${b.path}`)),
    ).toEqual([
      spec('east', '/healthz', 'east.api.example.com'),
      spec('east', '/status/200'),
      spec('eu', '/status/200'),
      spec('west', '/healthz', 'west.api.example.com'),
      spec('west', '/status/200'),
    ]);
    // shop: weighted over all three, each record carrying its own cluster's check
    for (const cluster of ['east', 'west', 'eu'] as const) {
      const shop = aRecord(all, 'shop.example.com', cluster);
      expect(shop, `shop on ${cluster}`).toMatchObject({ Weight: 100, HealthCheckId: checkOf(cluster) });
      expect(alias(shop)).toBe(NLB[cluster]);
    }
    // api: failover, east primary, west secondary
    expect(aRecord(all, 'api.example.com', 'east')).toMatchObject({ Failover: 'PRIMARY', HealthCheckId: checkOf('east', '/healthz') });
    expect(aRecord(all, 'api.example.com', 'west')).toMatchObject({ Failover: 'SECONDARY', HealthCheckId: checkOf('west', '/healthz') });
    expect(aRecord(all, 'api.example.com', 'eu')).toBeUndefined();
    // docs: latency by region, east and eu
    expect(aRecord(all, 'docs.example.com', 'east')).toMatchObject({ Region: 'us-east-1', HealthCheckId: checkOf('east') });
    expect(aRecord(all, 'docs.example.com', 'eu')).toMatchObject({ Region: 'eu-west-1', HealthCheckId: checkOf('eu') });
    // canaries: one simple record each, no health check (the check probes it), and ownership markers
    for (const cluster of ['east', 'west', 'eu'] as const) {
      const canary = all.filter((s) => s.Name === `canary-${cluster}.example.com.` && s.Type === 'A');
      expect(canary).toHaveLength(1);
      expect(canary[0]!.SetIdentifier).toBeUndefined();
      expect(canary[0]!.HealthCheckId).toBeUndefined();
      expect(alias(canary[0])).toBe(NLB[cluster]);
    }
    expect(
      all
        .filter((s) => s.Type === 'TXT' && s.Name?.startsWith('_switchyard.'))
        .map((s) => s.Name)
        .sort(),
    ).toEqual(['api', 'canary-east', 'canary-eu', 'canary-west', 'docs', 'east.api', 'shop', 'west.api'].map((n) => `_switchyard.${n}.example.com.`));
    // the state machines are registered under the workflow names
    // and every onboarding run of the first start succeeded (runs for one hostname race each other)
    const onboards = await executions(aws.sfn, 'OnboardApp');
    expect(onboards.length).toBeGreaterThan(0);
    expect(onboards.filter((e) => e.status !== 'SUCCEEDED').map((e) => `${e.name}: ${e.status}`)).toEqual([]);
    expect(await alarmState(aws.cloudwatch, 'east')).toBe('OK');
  });

  it("answers DNS from the local zones: each cluster's entry point is its own loopback address", async () => {
    // Act: dig's question, 60 times (weighted answers are drawn at random)
    const shop = new Set(await dnsAnswers(runtime.dns!.port, 'shop.example.com', 60));
    const api = await dnsAnswers(runtime.dns!.port, 'api.example.com', 5);
    // Assess: shop is weighted over east, west and eu; api is failover with east as PRIMARY
    expect([...shop].sort()).toEqual(['127.0.1.1', '127.0.1.2', '127.0.1.3']);
    expect(new Set(api)).toEqual(new Set(['127.0.1.1']));
  });

  it("polls GetChange at the runtime's time scale while a task waits for INSYNC (1 s on AWS: 10 ms at 0.01)", () => {
    // Assess: the port the failover, fail-back and rollback tasks settle through (settleAndVerify)
    expect(runtime.deps.dns.insyncPollMs).toBe(1000 * TIME_SCALE);
  });

  it('fail east: its canary fails, the alarm goes to ALARM and traffic moves off east within the health-check window', async () => {
    // Act
    const started = Date.now();
    const cli = await runCliHere(['local', 'fail', 'east', '--endpoint-url', runtime.url, '--state', runtime.stateDir!]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('canary of east (canary-east.example.com) answers HTTP 503');
    await waitFor('the east alarm in ALARM', async () => (await alarmState(aws.cloudwatch, 'east')) === 'ALARM', HEALTH_WINDOW_MS + SLACK_MS);
    const alarmAfter = Date.now() - started;
    await waitFor('shop off east', async () => (await weightOf('shop.example.com', 'east')) === 0, SLACK_MS);
    // Assess
    expect(alarmAfter).toBeGreaterThanOrEqual(HEALTH_WINDOW_MS * 0.5);
    const all = await sets();
    expect(aRecord(all, 'shop.example.com', 'west')?.Weight).toBe(100);
    expect(aRecord(all, 'shop.example.com', 'eu')?.Weight).toBe(100);
    // api's primary is taken out, so the secondary (west) answers
    expect(aRecord(all, 'api.example.com', 'east')).toBeUndefined();
    expect(aRecord(all, 'api.example.com', 'west')?.Failover).toBe('SECONDARY');
    const failovers = (await executions(aws.sfn, 'Failover')).filter((e) => e.name.startsWith('failover-east-ALARM'));
    expect(failovers).toHaveLength(1);
    expect((await executionResult(aws.sfn, failovers[0]!.executionArn)).status).toBe('SUCCEEDED');
    expect(Object.keys((await fleetDocument(aws.dynamodb)).failovers)).toEqual(['east']);
  });

  it('heal east: traffic comes back only after the fail-back hold-down', async () => {
    // Act
    const cli = await runCliHere(['local', 'heal', 'east', '--endpoint-url', runtime.url, '--state', runtime.stateDir!]);
    expect(cli.code, cli.stderr).toBe(0);
    await waitFor('the east alarm OK', async () => (await alarmState(aws.cloudwatch, 'east')) === 'OK', HEALTH_WINDOW_MS + SLACK_MS);
    const okAt = Date.now();
    // Assess: still out during the hold-down …
    expect(await weightOf('shop.example.com', 'east')).toBe(0);
    await waitFor('shop back on east', async () => (await weightOf('shop.example.com', 'east')) === 100, HOLD_DOWN_MS + SLACK_MS);
    // … and back after it
    expect(Date.now() - okAt).toBeGreaterThanOrEqual(HOLD_DOWN_MS * 0.8);
    expect(aRecord(await sets(), 'api.example.com', 'east')?.Failover).toBe('PRIMARY');
    await waitFor('the failover mark of east gone', async () => Object.keys((await fleetDocument(aws.dynamodb)).failovers).length === 0, SLACK_MS);
  });

  it('drain east: its weights step down through 50 % and it ends DRAINED', async () => {
    // Act
    const arn = await startExecution(aws.sfn, 'DrainCluster', { cluster: 'east', reason: 'e2e: node upgrade', by: 'e2e' });
    const result = await executionResult(aws.sfn, arn);
    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const steps = (await taskOutputs(aws.sfn, arn, 'ApplyWeights')) as Array<Record<string, unknown>>;
    expect(steps.map((s) => [s['index'], s['weightPercent']])).toEqual([
      [0, 50],
      [1, 0],
    ]);
    const all = await sets();
    expect(aRecord(all, 'shop.example.com', 'east')?.Weight).toBe(0);
    expect(aRecord(all, 'shop.example.com', 'west')?.Weight).toBe(100);
    expect(aRecord(all, 'api.example.com', 'east')).toBeUndefined();
    const fleet = await fleetDocument(aws.dynamodb);
    expect(fleet.intents['east']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
    expect(fleet.locks).toEqual({});
    // and DNS no longer answers with east's address
    expect(new Set(await dnsAnswers(runtime.dns!.port, 'shop.example.com', 60))).toEqual(new Set(['127.0.1.2', '127.0.1.3']));
  });

  it('refuses to drain west while east is drained (api.example.com would be left with no cluster) and changes nothing', async () => {
    // Prepare
    const before = await sets();
    const fleetBefore = await fleetDocument(aws.dynamodb);
    // Act: as an operator would, with the CLI against the local endpoint
    const cli = await runCliHere(['drain', 'west', '--stage', 'local', '--endpoint-url', runtime.url, '--reason', 'e2e: second drain', '--wait']);
    // Assess
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout + cli.stderr).toContain(
      'DrainCluster FAILED: DrainUnsafe: taking west to 0% is unsafe: api.example.com would keep 0 healthy active cluster(s)',
    );
    const refused = (await executions(aws.sfn, 'DrainCluster')).filter((e) => e.name.startsWith('drain-west'));
    expect(refused).toHaveLength(1);
    expect(await executionResult(aws.sfn, refused[0]!.executionArn)).toMatchObject({ status: 'FAILED', error: 'DrainUnsafe' });
    expect(await sets()).toEqual(before);
    const fleetAfter = await fleetDocument(aws.dynamodb);
    expect({ intents: fleetAfter.intents, locks: fleetAfter.locks, version: fleetAfter.version }).toEqual({
      intents: fleetBefore.intents,
      locks: fleetBefore.locks,
      version: fleetBefore.version,
    });
  });

  it('restore east: weights step back up and it is ACTIVE again', async () => {
    // Act
    const cli = await runCliHere(['restore', 'east', '--stage', 'local', '--endpoint-url', runtime.url, '--reason', 'e2e: upgrade done', '--wait']);
    // Assess
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    const restores = await executions(aws.sfn, 'RestoreCluster');
    expect(restores.map((e) => e.status)).toEqual(['SUCCEEDED']);
    const steps = (await taskOutputs(aws.sfn, restores[0]!.executionArn, 'ApplyWeights')) as Array<Record<string, unknown>>;
    expect(steps.map((s) => s['weightPercent'])).toEqual([50, 100]);
    const all = await sets();
    expect(aRecord(all, 'shop.example.com', 'east')?.Weight).toBe(100);
    expect(aRecord(all, 'api.example.com', 'east')?.Failover).toBe('PRIMARY');
    const fleet = await fleetDocument(aws.dynamodb);
    expect(fleet.intents['east']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(fleet.locks).toEqual({});
  });

  it('shows all of it in the status view data (control API)', async () => {
    // Act
    const response = await fetch(`${runtime.url}/_switchyard/status`);
    const status = (await response.json()) as {
      ready: boolean;
      clusters: Array<{ name: string; intent: string; health: string }>;
      apps: Array<{ hostname: string; clusters: Array<{ cluster: string; serving: boolean }> }>;
      events: Array<{ detailType: string }>;
    };
    // Assess
    expect(response.status).toBe(200);
    expect(status.ready).toBe(true);
    expect(status.clusters.map((c) => [c.name, c.intent, c.health])).toEqual([
      ['east', 'ACTIVE', 'HEALTHY'],
      ['west', 'ACTIVE', 'HEALTHY'],
      ['eu', 'ACTIVE', 'HEALTHY'],
    ]);
    const shop = status.apps.find((a) => a.hostname === 'shop.example.com');
    expect(shop?.clusters.map((m) => [m.cluster, m.serving])).toEqual([
      ['east', true],
      ['west', true],
      ['eu', true],
    ]);
    expect(status.events.map((e) => e.detailType)).toEqual(
      expect.arrayContaining(['CloudWatch Alarm State Change', 'Failover Performed', 'Failback Performed', 'Cluster Drained', 'Cluster Restored']),
    );
    // `switchyard status` reads the same through the AWS APIs
    const cli = await runCliHere(['status', '--stage', 'local', '--endpoint-url', runtime.url, '--fleet', runtime.fleet.dir, '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as typeof status;
    expect(report.clusters.map((c) => [c.name, c.intent, c.health])).toEqual(status.clusters.map((c) => [c.name, c.intent, c.health]));
    expect(report.apps).toEqual(status.apps);
  });
});
