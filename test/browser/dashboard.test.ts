// The dashboard in a real browser against the local runtime: three clusters, a drain started
// from its button changing the matrix and the workflow graph, a restore, a failed cluster's
// DNS answer share falling to zero, and a screenshot in test/output/.
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { TIME_SCALE, waitFor } from '../e2e/helpers.ts';
import { launchBrowser, OUTPUT_DIR } from './browser.ts';

let runtime: LocalRuntime;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  runtime = await startLocalRuntime({ stateDir: null, port: 0, dnsPort: null, timeScale: TIME_SCALE, dashboard: { sampleEveryMs: 200, refreshMs: 250, draws: 100 } });
  browser = await launchBrowser();
  page = await browser.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.close();
});

const text = (selector: string) => page.$eval(selector, (e) => e.textContent?.trim() ?? '').catch(() => undefined);
const cell = (app: string, cluster: string) => text(`#matrix tr[data-app="${app}"] td[data-cluster="${cluster}"]`);
const share = async (cluster: string) => {
  const value = await text(`[data-share-cluster="${cluster}"] .value`);
  return value === undefined || value === '–' ? undefined : Number.parseFloat(value);
};

/** A raw HTTP request (fetch may not set Host). */
function raw(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(path, runtime.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard guard on the local endpoint', () => {
  it('serves the page only to a loopback Host, and operates only with the token and from no other origin', async () => {
    const host = new URL(runtime.url).host;
    const page = await raw('GET', '/', { host });
    expect(page.status).toBe(200);
    const token = /&quot;token&quot;:&quot;([^&]+)&quot;/.exec(page.body)![1]!;
    const rebound = await raw('GET', '/', { host: 'attacker.example:4566' });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(token);
    const before = runtime.canaries.modes();
    expect((await raw('POST', '/_dashboard/api/clusters/west/fail', { host })).status).toBe(403);
    const foreign = await raw('POST', '/_dashboard/api/clusters/west/fail', { host, origin: 'http://attacker.example', 'x-switchyard-token': token });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: 'AccessDenied', message: expect.stringContaining('"http://attacker.example"') });
    expect(runtime.canaries.modes()).toEqual(before);
    const unknown = await raw('POST', '/_dashboard/api/clusters/nowhere/fail', { host, 'x-switchyard-token': token });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: 'UnknownCluster' });
  });
});

describe('dashboard in a browser (local runtime)', () => {
  it('shows the three clusters, the apps × clusters matrix and a DNS answer share line per cluster', async () => {
    await page.goto(`${runtime.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    await waitFor('three cluster rows', async () => (await page.$$('#clusters tbody tr')).length === 3);
    const clusters = await page.$$eval('#clusters tbody tr', (rows) => rows.map((r) => r.getAttribute('data-cluster')));
    expect(clusters).toEqual(['east', 'west', 'eu']);
    expect(await text('#clusters tr[data-cluster="east"] .intent')).toBe('ACTIVE');
    expect(await cell('shop.example.com', 'east')).toBe('100');
    // Every cluster gets a share of the answers while all are weighted alike.
    for (const c of ['east', 'west', 'eu']) await waitFor(`a DNS answer share for ${c}`, async () => ((await share(c)) ?? 0) > 10);
  });

  it('starts a drain from its button: the matrix and the workflow graph follow it', async () => {
    await page.click('#clusters tr[data-cluster="east"] button[data-op="drain"]');
    await waitFor('the drain to be accepted', async () => (await text('#message'))?.startsWith('drain east: started'));
    // The graph of the DrainCluster execution shows the states it has been through.
    await waitFor('a DrainCluster execution with visited states', async () => (await page.$$('details.execution[data-workflow="DrainCluster"] g.node.visited')).length > 0);
    await waitFor('east at weight 0 in the matrix', async () => (await cell('shop.example.com', 'east')) === '0', 120_000);
    await waitFor('the drain to end DRAINED', async () => (await text('#clusters tr[data-cluster="east"] .intent')) === 'DRAINED', 120_000);
    await waitFor('the Drained state visited in the graph', async () => (await page.$$('details.execution[data-workflow="DrainCluster"][data-status="SUCCEEDED"] g.node.visited[data-state="Drained"]')).length > 0);
    await waitFor('east to get no DNS answers', async () => (await share('east')) === 0);
  });

  it('restores from its button: east is ACTIVE and answered again', async () => {
    await page.click('#clusters tr[data-cluster="east"] button[data-op="restore"]');
    await waitFor('the restore to end ACTIVE', async () => (await text('#clusters tr[data-cluster="east"] .intent')) === 'ACTIVE' && (await cell('shop.example.com', 'east')) === '100', 120_000);
    await waitFor('east to get DNS answers again', async () => ((await share('east')) ?? 0) > 10);
  });

  it('fails a cluster from its button: its DNS answer share falls to zero', async () => {
    await page.click('#clusters tr[data-cluster="west"] button[data-op="fail"]');
    await waitFor('the matrix to show west unhealthy', async () => (await page.$$('#matrix tr[data-app="shop.example.com"] td[data-cluster="west"].unhealthy')).length === 1, 120_000);
    await waitFor('west to get no DNS answers', async () => (await share('west')) === 0, 120_000);
    // api.example.com fails over to its healthy PRIMARY (east); the others share east and eu.
    await waitFor('east and eu to get every answer', async () => Math.round(((await share('east')) ?? 0) + ((await share('eu')) ?? 0)) === 100, 120_000);
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-local.png'), fullPage: true });
  });
});
