// `switchyard dashboard --stage local` against the local runtime standing in for AWS (its
// endpoint answers the SDK's Route 53, Step Functions and DynamoDB calls): the page in a
// real browser, read-only by default, the health-check line of a failed cluster falling to
// zero, and drain only with --allow-operations.
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStageDashboard, type RunningDashboard } from '../../src/cli/commands/dashboard.ts';
import { DEFAULT_FLEET_PATH, startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { awsClients, TIME_SCALE, waitFor, type AwsClients } from '../e2e/helpers.ts';
import { launchBrowser, OUTPUT_DIR } from './browser.ts';

let runtime: LocalRuntime;
let aws: AwsClients;
let browser: Browser;
let page: Page;
const dashboards: RunningDashboard[] = [];

beforeAll(async () => {
  runtime = await startLocalRuntime({ stateDir: null, port: 0, dnsPort: null, timeScale: TIME_SCALE });
  aws = awsClients(runtime.url);
  browser = await launchBrowser();
  page = await browser.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const d of dashboards) await d.close();
  aws?.destroy();
  await runtime?.close();
});

async function stageDashboard(allowOperations: boolean): Promise<RunningDashboard> {
  const running = await startStageDashboard({
    stage: 'local',
    fleet: DEFAULT_FLEET_PATH,
    endpointUrl: runtime.url,
    region: 'us-east-1',
    port: '0',
    refresh: '250',
    sample: '200',
    allowOperations,
  });
  dashboards.push(running);
  return running;
}

const text = (selector: string) => page.$eval(selector, (e) => e.textContent?.trim() ?? '').catch(() => undefined);
const tokenOf = async (url: string) => {
  const html = await (await fetch(url)).text();
  return (
    JSON.parse(
      /name="switchyard-config" content="([^"]*)"/
        .exec(html)![1]!
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    ) as { token: string }
  ).token;
};

describe('switchyard dashboard --stage (the local endpoint standing in for AWS)', () => {
  it('shows the stage read-only: clusters, matrix, executions with graphs, the journal and Route 53 health checks over time', async () => {
    const { url } = await stageDashboard(false);
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await text('header .where')).toBe('stage local (AWS)');
    expect(await text('header .access')).toBe('read-only');
    await waitFor('three cluster rows', async () => (await page.$$('#clusters tbody tr')).length === 3);
    expect(await page.$$('#clusters button')).toHaveLength(0);
    expect(await text('#matrix tr[data-app="shop.example.com"] td[data-cluster="west"]')).toBe('100');
    await waitFor('an OnboardApp execution drawn with its path', async () => (await page.$$('details.execution[data-workflow="OnboardApp"]')).length > 0);
    expect(await text('#events p')).toMatch(/EventBridge keeps no history/);
    await waitFor('journal entries', async () => (await page.$$('#journal tbody tr')).length > 0);
    expect(await text('#chart h2')).toBe('Route 53 health checkers reporting each cluster healthy');
    await waitFor('west seen healthy by the checkers', async () => (await text('[data-share-cluster="west"] .value')) === '100%');

    await runtime.fail('west');
    await waitFor('west seen unhealthy by every checker', async () => (await text('[data-share-cluster="west"] .value')) === '0%', 120_000);
    await waitFor('the clusters table to show west UNHEALTHY', async () => (await text('#clusters tr[data-cluster="west"] .health')) === 'UNHEALTHY', 120_000);
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-stage.png'), fullPage: true });
    await runtime.heal('west');
  });

  it('refuses operations while read-only, even with the token, and starts nothing', async () => {
    const { url } = await stageDashboard(false);
    const token = await tokenOf(url);
    const response = await fetch(`${url}_dashboard/api/clusters/east/drain`, { method: 'POST', headers: { 'x-switchyard-token': token } });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'OperationNotAllowed', message: expect.stringMatching(/read-only.*--allow-operations/) });
    expect(runtime.executions().filter((e) => e.stateMachineArn.endsWith('DrainCluster'))).toHaveLength(0);
  });

  it('with --allow-operations starts a drain on the stage, and refuses an unknown cluster by name', async () => {
    const { url } = await stageDashboard(true);
    const token = await tokenOf(url);
    const unknown = await fetch(`${url}_dashboard/api/clusters/nowhere/drain`, { method: 'POST', headers: { 'x-switchyard-token': token } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'UnknownCluster', message: expect.stringContaining('"nowhere"') });
    const fail = await fetch(`${url}_dashboard/api/clusters/east/fail`, { method: 'POST', headers: { 'x-switchyard-token': token } });
    expect(fail.status).toBe(403);
    const started = await fetch(`${url}_dashboard/api/clusters/eu/drain`, { method: 'POST', headers: { 'x-switchyard-token': token } });
    expect(started.status).toBe(200);
    const { executionArn } = (await started.json()) as { executionArn: string };
    const status = await waitFor('the drain to end', async () => {
      const out = await aws.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : out.status;
    });
    expect(status).toBe('SUCCEEDED');
  });
});
