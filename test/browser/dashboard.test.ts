// The dashboard in a real browser against the local runtime: three clusters, a drain started
// from its button changing the matrix, the workflow graph, the events timeline and the
// journal, a restore, a failed cluster's DNS answer share falling to zero and coming back
// after Heal, the requests `switchyard local traffic` reports drawn instead of DNS answers
// while it runs, a drain stopped with Abort and rolled back, every button inside its panel
// at 1400 px, and screenshots in test/output/.
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalTraffic } from '../../src/cli/commands/local-traffic.ts';
import type { Sample, SeriesInfo } from '../../src/dashboard/model.ts';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { awsClients, executionResult, fleetDocument, startExecution, TIME_SCALE, waitFor, type AwsClients } from '../e2e/helpers.ts';
import { launchBrowser, OUTPUT_DIR } from './browser.ts';

let runtime: LocalRuntime;
let browser: Browser;
let page: Page;
let aws: AwsClients;

beforeAll(async () => {
  // A DNS server on a free port: `switchyard local traffic` resolves through it.
  runtime = await startLocalRuntime({
    stateDir: null,
    port: 0,
    dnsPort: 0,
    timeScale: TIME_SCALE,
    dashboard: { sampleEveryMs: 200, refreshMs: 250, draws: 100 },
  });
  aws = awsClients(runtime.url);
  browser = await launchBrowser();
  page = await browser.newPage();
}, 180_000);

afterAll(async () => {
  aws?.destroy();
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

  it('starts a drain from its button: the matrix, the workflow graph, the events timeline and the journal follow it', async () => {
    await page.click('#clusters tr[data-cluster="east"] button[data-op="drain"]');
    await waitFor('the drain to be accepted', async () => (await text('#message'))?.startsWith('drain east: started'));
    // The graph of the DrainCluster execution shows the states it has been through.
    await waitFor(
      'a DrainCluster execution with visited states',
      async () => (await page.$$('details.execution[data-workflow="DrainCluster"] g.node.visited')).length > 0,
    );
    await waitFor('east at weight 0 in the matrix', async () => (await cell('shop.example.com', 'east')) === '0', 120_000);
    await waitFor('the drain to end DRAINED', async () => (await text('#clusters tr[data-cluster="east"] .intent')) === 'DRAINED', 120_000);
    await waitFor(
      'the Drained state visited in the graph',
      async () => (await page.$$('details.execution[data-workflow="DrainCluster"][data-status="SUCCEEDED"] g.node.visited[data-state="Drained"]')).length > 0,
    );
    await waitFor('east to get no DNS answers', async () => (await share('east')) === 0);
    // The events timeline and the journal tell the same drain.
    await waitFor('Cluster Drained in the events timeline', async () =>
      (await page.$$eval('#events li b', (items) => items.map((b) => b.textContent))).includes('Cluster Drained'),
    );
    await waitFor('the drain in the journal', async () =>
      (await page.$$eval('#journal tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')))).some(
        ([, cluster, what]) => cluster === 'east' && what === 'drain drained: east is DRAINED at 0%, lock released',
      ),
    );
  });

  it('restores from its button: east is ACTIVE and answered again', async () => {
    await page.click('#clusters tr[data-cluster="east"] button[data-op="restore"]');
    await waitFor(
      'the restore to end ACTIVE',
      async () => (await text('#clusters tr[data-cluster="east"] .intent')) === 'ACTIVE' && (await cell('shop.example.com', 'east')) === '100',
      120_000,
    );
    await waitFor('east to get DNS answers again', async () => ((await share('east')) ?? 0) > 10);
  });

  it('aborts a drain from its button: the run ends aborted, the lock is released and the weights are rolled back', async () => {
    // Prepare: a drain with the longest bake the lock's lease allows (780 s + the 60 s TTL within 900 - 60 s)
    expect(await page.$eval('#clusters tr[data-cluster="east"] button[data-op="abort"]', (b) => (b as unknown as { disabled: boolean }).disabled)).toBe(true);
    const drain = await startExecution(
      aws.sfn,
      'DrainCluster',
      { cluster: 'east', reason: 'to be aborted', by: 'browser test', steps: [50, 0], bakeSeconds: 780 },
      'drain-east-to-abort',
    );
    await waitFor(
      'east at 50 in the matrix, locked by the drain',
      async () => (await cell('shop.example.com', 'east')) === '50' && (await text('#clusters tr[data-cluster="east"] .lock'))?.includes('drain-east-to-abort'),
      120_000,
    );
    // Act
    await waitFor('Abort enabled', async () =>
      page.$eval('#clusters tr[data-cluster="east"] button[data-op="abort"]', (b) => !(b as unknown as { disabled: boolean }).disabled),
    );
    await page.click('#clusters tr[data-cluster="east"] button[data-op="abort"]');
    // Assess
    await waitFor('the abort to be accepted', async () => (await text('#message'))?.startsWith('abort east: started recover-'));
    const result = await executionResult(aws.sfn, drain, 120_000);
    expect(result).toMatchObject({ status: 'ABORTED', error: 'OperatorAbort', cause: 'aborted from the dashboard by dashboard' });
    await waitFor(
      'the aborted drain in the executions',
      async () => (await page.$('details.execution[data-execution="drain-east-to-abort"][data-status="ABORTED"]')) !== null,
    );
    await waitFor(
      'east rolled back, ACTIVE and unlocked on the page',
      async () =>
        (await cell('shop.example.com', 'east')) === '100' &&
        (await text('#clusters tr[data-cluster="east"] .intent')) === 'ACTIVE' &&
        (await text('#clusters tr[data-cluster="east"] .lock')) === '',
      120_000,
    );
    const fleet = await fleetDocument(aws.dynamodb);
    expect(fleet.locks['east']).toBeUndefined();
    expect(fleet.intents['east']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    // Nothing holds east now: a second abort is refused and changes nothing.
    await waitFor('Abort disabled again', async () =>
      page.$eval('#clusters tr[data-cluster="east"] button[data-op="abort"]', (b) => (b as unknown as { disabled: boolean }).disabled),
    );
    const again = await page.evaluate(async (token) => {
      const response = await fetch('/_dashboard/api/clusters/east/abort', { method: 'POST', headers: { 'x-switchyard-token': token } });
      return { status: response.status, body: (await response.json()) as { error: string; message: string } };
    }, runtime.controlToken);
    expect(again).toMatchObject({ status: 400, body: { error: 'InvalidInput', message: "nothing to abort: no operation holds east's lock" } });
  }, 240_000);

  it('fails a cluster from its button: its DNS answer share falls to zero', async () => {
    await page.click('#clusters tr[data-cluster="west"] button[data-op="fail"]');
    await waitFor(
      'the matrix to show west unhealthy',
      async () => (await page.$$('#matrix tr[data-app="shop.example.com"] td[data-cluster="west"].unhealthy')).length === 1,
      120_000,
    );
    await waitFor('west to get no DNS answers', async () => (await share('west')) === 0, 120_000);
    // api.example.com fails over to its healthy PRIMARY (east); the others share east and eu.
    await waitFor('east and eu to get every answer', async () => Math.round(((await share('east')) ?? 0) + ((await share('eu')) ?? 0)) === 100, 120_000);
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-local.png'), fullPage: true });
  });
});

describe('dashboard in a browser: traffic and layout', () => {
  it('draws the requests `switchyard local traffic` sent and got answered while it runs, then says none runs', async () => {
    // Act: the CLI's own function, with the runtime's token as the CLI would find it
    const out: string[] = [];
    const traffic = runLocalTraffic(
      { endpointUrl: runtime.url, rate: '20', duration: '4', timeScale: '0.01', json: true },
      { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true }, env: { ...process.env, SWITCHYARD_CONTROL_TOKEN: runtime.controlToken } },
    );
    // Assess: the chart switches to the generator's requests; west (failed above) answers none
    await waitFor('the requests line', async () => (await page.$('#chart[data-series="requests"]')) !== null);
    expect(await text('#chart h2')).toContain('Requests answered per cluster');
    await waitFor(
      'east answering requests, with its rate',
      async () => ((await share('east')) ?? 0) > 0 && (await text('[data-share-cluster="east"] .rate'))?.endsWith('/s'),
    );
    expect(await share('west')).toBe(0);
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-traffic.png'), fullPage: true });
    // Requests still on their cached answer for west get its 503: the CLI exits 1 when any request failed.
    const code = await traffic;
    // The line holds what the generator counted: its rates over each report's window add up to the CLI's totals.
    const totals = JSON.parse(out.join('')) as { apps: Array<{ share: Record<string, number>; requests: number; errors: number }> };
    const counted: Record<string, number> = { errors: 0 };
    for (const app of totals.apps) {
      for (const [cluster, share] of Object.entries(app.share)) counted[cluster] = (counted[cluster] ?? 0) + share * app.requests;
      counted['errors']! += app.errors;
    }
    expect(code).toBe(counted['errors']! > 0 ? 1 : 0);
    const series = (await (await fetch(`${runtime.url}/_dashboard/api/series`)).json()) as Array<SeriesInfo & { samples: Sample[] }>;
    const drawn: Record<string, number> = {};
    for (const sample of series.find((x) => x.kind === 'requests')!.samples)
      for (const c of ['east', 'west', 'eu', 'errors']) drawn[c] = (drawn[c] ?? 0) + (sample.rates![c]! * sample.windowMs!) / 1000;
    for (const c of ['east', 'west', 'eu', 'errors'])
      expect(Math.abs((drawn[c] ?? 0) - (counted[c] ?? 0)), `${c}: drawn ${drawn[c]}, counted ${counted[c]}`).toBeLessThan(1);
    // With no generator reporting, the chart is DNS answer share again, and says so.
    await waitFor('the DNS answer share line, labelled', async () => (await page.$('#chart[data-series="dns-share"]')) !== null, 60_000);
    expect(await text('#chart-note')).toContain('No traffic generator is running now');
  }, 180_000);

  it('keeps every cluster button inside its panel at a 1400 px wide window', async () => {
    const wide = await browser.newPage();
    await wide.setViewport({ width: 1400, height: 1100 });
    await wide.goto(`${runtime.url}/`);
    await wide.waitForSelector('#clusters tbody tr button[data-op="abort"]');
    await wide.screenshot({ path: join(OUTPUT_DIR, 'dashboard-1400.png'), fullPage: true });
    const outside = await wide.$eval('#clusters', (panel) => {
      const box = panel.getBoundingClientRect();
      return [...panel.querySelectorAll('button.op')]
        .filter((b) => b.getBoundingClientRect().right > box.right + 0.5)
        .map((b) => `${b.getAttribute('data-cluster')}/${b.getAttribute('data-op')}`);
    });
    expect(outside).toEqual([]);
    // Nor does the panel hide them behind a scroll bar: they wrap within it.
    expect(await wide.$eval('#clusters', (panel) => `${panel.scrollWidth} ≤ ${panel.clientWidth}: ${panel.scrollWidth <= panel.clientWidth + 1}`)).toMatch(
      /true$/,
    );
  });
});

describe('dashboard in a browser: heal', () => {
  it('heals the failed cluster from its button: healthy again, and answered again after the fail-back hold-down', async () => {
    // Prepare: west is still failed (the fail test above)
    expect(await share('west')).toBe(0);
    // Act
    await page.click('#clusters tr[data-cluster="west"] button[data-op="heal"]');
    // Assess
    await waitFor('the heal to be accepted', async () => (await text('#message')) === 'heal west: done');
    await waitFor(
      'the matrix to show west healthy',
      async () => (await page.$$('#matrix tr[data-app="shop.example.com"] td[data-cluster="west"].healthy')).length === 1,
      120_000,
    );
    await waitFor('west to get DNS answers again', async () => ((await share('west')) ?? 0) > 10, 120_000);
    expect(await text('#clusters tr[data-cluster="west"] .health')).not.toBe('UNHEALTHY');
  });
});
