// Dashboard figures (`npm run bench -- dashboard`):
// 1. the web bundle: script (src/dashboard/web/main.ts with uPlot and dagre, minified by
//    esbuild) plus style, raw and gzipped; target: under 300 KB raw;
// 2. first paint in a real headless Chromium (@sparticuz/chromium) against the local runtime:
//    from navigation start to the first contentful paint, and to the page showing the fleet
//    (the first snapshot rendered); median of several fresh page loads after one warm-up
//    load (which builds the bundle); target: the fleet shown in under 1 s.
import chromium from '@sparticuz/chromium';
import puppeteer from 'puppeteer-core';
import { gzipSync } from 'node:zlib';
import { buildWebBundle } from '../src/dashboard/bundle.ts';
import { startLocalRuntime } from '../src/local/runtime/runtime.ts';
import { median } from './lib/stats.ts';

const TARGET_BUNDLE_KB = 300;
const TARGET_FIRST_PAINT_MS = 1000;
const LOADS = 7;

export async function run(): Promise<Record<string, unknown>> {
  const started = Date.now();
  const bundle = await buildWebBundle();
  const buildMs = Date.now() - started;
  const scriptKB = Buffer.byteLength(bundle.script) / 1024;
  const styleKB = Buffer.byteLength(bundle.style) / 1024;
  const totalKB = Math.round((scriptKB + styleKB) * 10) / 10;
  const gzipKB = Math.round(((gzipSync(bundle.script).length + gzipSync(bundle.style).length) / 1024) * 10) / 10;

  const runtime = await startLocalRuntime({ stateDir: null, port: 0, dnsPort: null, timeScale: 0.01 });
  const browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, '--lang=en-US'],
    env: { ...process.env, LANG: 'en_US.UTF-8' },
    headless: true,
    defaultViewport: { width: 1400, height: 1000 },
  });
  const fcp: number[] = [];
  const shown: number[] = [];
  try {
    for (let i = 0; i <= LOADS; i++) {
      const page = await browser.newPage();
      await page.goto(`${runtime.url}/`);
      await page.waitForSelector('body[data-ready="true"]');
      const timing = await page.evaluate(() => ({
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
        shown: Number((globalThis as unknown as { document: { body: { dataset: Record<string, string | undefined> } } }).document.body.dataset['readyAt']),
      }));
      await page.close();
      if (i === 0) continue; // the warm-up load builds the bundle
      fcp.push(timing.fcp);
      shown.push(timing.shown);
    }
  } finally {
    await browser.close();
    await runtime.close();
  }
  const fcpMs = Math.round(median(fcp));
  const shownMs = Math.round(median(shown));
  return {
    bundle: { scriptKB: Math.round(scriptKB * 10) / 10, styleKB: Math.round(styleKB * 10) / 10, totalKB, gzipKB, buildMs },
    firstPaint: { loads: LOADS, firstContentfulPaintMs: fcpMs, fleetShownMs: shownMs, samplesFleetShownMs: shown.map(Math.round) },
    targets: [
      { name: 'web bundle (script + style), KB', target: `< ${TARGET_BUNDLE_KB}`, actual: totalKB, pass: totalKB < TARGET_BUNDLE_KB },
      {
        name: `dashboard first paint with the fleet shown, median of ${LOADS} loads, ms`,
        target: `< ${TARGET_FIRST_PAINT_MS}`,
        actual: shownMs,
        pass: shownMs < TARGET_FIRST_PAINT_MS,
      },
    ],
  };
}
