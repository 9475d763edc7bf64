// `switchyard local traffic` on the local runtime: requests resolve through its DNS server
// (cached for the scaled TTL) and reach the simulated cluster DNS answered. During a drain of
// east, east's share of shop.example.com falls to zero within one TTL of the last step
// (issue 16). Through the CLI's own function and the AWS API only; the counts reach the
// dashboard's request line over the control API, and its line shows the same fall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalTraffic } from '../../src/cli/commands/local-traffic.ts';
import { ALIAS_RESOURCE_TTL } from '@switchyard/local-aws/route53';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { callControl } from '../../src/cli/commands/local-canary.ts';
import type { Sample, SeriesInfo } from '../../src/dashboard/model.ts';
import { runTraffic } from '../../src/local/traffic/generator.ts';
import { trafficReporter } from '../../src/local/traffic/reporter.ts';
import type { TrafficTally } from '../../src/local/traffic/tally.ts';
import { awsClients, executionResult, startExecution, waitFor, type AwsClients } from './helpers.ts';

const TIME_SCALE = 0.01;
let runtime: LocalRuntime;
let aws: AwsClients;

beforeAll(async () => {
  runtime = await startLocalRuntime({ stateDir: null, port: 0, timeScale: TIME_SCALE, discoverEveryMs: 0 });
  aws = awsClients(runtime.url);
}, 120_000);

afterAll(async () => {
  aws?.destroy();
  await runtime?.settle(60_000).catch(() => undefined);
  await runtime?.close();
}, 120_000);

describe('switchyard local traffic', () => {
  it("reaches every cluster of a weighted app through DNS and prints each app's totals", async () => {
    // Act
    const out: string[] = [];
    // TTLs × 0.001 (60 ms): about 50 fresh DNS answers in 3 s, so each of the three equal weights
    // shows up (the chance one never does is below 1e-8)
    const code = await runLocalTraffic(
      { endpointUrl: runtime.url, rate: '20', duration: '3', timeScale: '0.001', json: true, app: ['shop.example.com'] },
      { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } },
    );
    // Assess
    expect(code).toBe(0);
    const totals = JSON.parse(out.join('')) as { apps: Array<{ app: string; requests: number; errors: number; share: Record<string, number> }> };
    expect(totals.apps).toHaveLength(1);
    expect(totals.apps[0]).toMatchObject({ app: 'shop.example.com', errors: 0 });
    expect(totals.apps[0]!.requests).toBeGreaterThan(10);
    expect(Object.keys(totals.apps[0]!.share).sort()).toEqual(['east', 'eu', 'west']);
  }, 120_000);

  it("drain east: east's share falls to zero within one TTL after the last step", async () => {
    // Prepare: traffic runs while the drain does
    const controller = new AbortController();
    const status = await runtime.status();
    const byAddress = new Map(status.canaries.map((c) => [c.address, c.cluster]));
    let live: TrafficTally | undefined;
    // Reported to the runtime as `switchyard local traffic` does, with the run's control token.
    const warnings: string[] = [];
    const reporter = trafficReporter({
      send: (report) => callControl(runtime.url, 'traffic', report, runtime.controlToken),
      warn: (line) => warnings.push(line),
      startedAtMs: Date.now(),
    });
    const traffic = runTraffic({
      apps: ['shop.example.com'],
      dns: runtime.dns!,
      httpPort: status.canaries[0]!.port,
      clusterOf: (address) => byAddress.get(address),
      rate: 20,
      durationMs: 600_000,
      timeScale: TIME_SCALE,
      signal: controller.signal,
      onTick: (tally, now) => {
        live = tally;
        reporter.tick(tally, now);
      },
    });
    // east serves its share before the drain
    await waitFor('requests answered by east', async () => (live?.totals()[0]?.clusters['east'] ?? 0) > 0);
    // Act
    const arn = await startExecution(aws.sfn, 'DrainCluster', { cluster: 'east', reason: 'traffic e2e', by: 'e2e' });
    const result = await executionResult(aws.sfn, arn, 120_000);
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const drainedAt = Date.now();
    // Assess: one TTL (scaled) after the last step, requests no longer reach east
    const ttlMs = ALIAS_RESOURCE_TTL * 1000 * TIME_SCALE;
    await new Promise((resolve) => setTimeout(resolve, ttlMs));
    const settledAt = Date.now();
    // Long enough for at least one of the generator's one-second reports to cover only time after the TTL.
    await waitFor('two seconds of requests after the TTL', async () => Date.now() - settledAt > 2500);
    controller.abort();
    const tally = await traffic;
    const after = tally.shares(Date.now(), Date.now() - settledAt);
    expect(after[0]!.total).toBeGreaterThan(5);
    expect(after[0]!.clusters['east'] ?? 0).toBe(0);
    expect(drainedAt).toBeLessThanOrEqual(settledAt);
    // The dashboard's request line (over HTTP, as the page reads it): east answered a share
    // before the drain, and none in any report covering only time after the TTL.
    await reporter.flush();
    expect(warnings).toEqual([]);
    const response = await fetch(`${runtime.url}/_dashboard/api/series`);
    expect(response.status).toBe(200);
    const requests = ((await response.json()) as Array<SeriesInfo & { samples: Sample[] }>).find((s) => s.kind === 'requests');
    expect(requests?.clusters).toEqual(['east', 'west', 'eu']);
    const samples = requests!.samples;
    expect(samples.some((s) => s.values['east']! > 0)).toBe(true);
    const late = samples.filter((s) => s.t - s.windowMs! >= settledAt);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((s) => s.values['east'] === 0 && s.values['west']! + s.values['eu']! > 99)).toBe(true);
  }, 300_000);
});
