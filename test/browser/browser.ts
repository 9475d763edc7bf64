// A real headless Chromium for the browser tests, from the @sparticuz/chromium npm package
// (nothing to download at test time), driven by puppeteer-core.
import chromium from '@sparticuz/chromium';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Where the browser tests leave their screenshots (gitignored). */
export const OUTPUT_DIR = join(import.meta.dirname, '..', 'output');

export async function launchBrowser(): Promise<Browser> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  // A POSIX locale (LANG=C) reaches the page as navigator.language "en-US@posix", which
  // Intl (and so uPlot's number format) rejects: the browser gets a real language.
  return puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, '--lang=en-US'],
    env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8' },
    headless: true,
    defaultViewport: { width: 1400, height: 1100 },
  });
}
