// The page's script and style: src/dashboard/web/main.ts bundled by esbuild (with uPlot and
// dagre) when the dashboard is first asked for, kept in memory for the process. Building at
// serve time keeps the bundle in step with the sources: nothing prebuilt can go stale.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface WebBundle {
  script: string;
  style: string;
}

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));

export async function buildWebBundle(): Promise<WebBundle> {
  const out = await build({
    entryPoints: [`${WEB_DIR}main.ts`],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = out.outputFiles[0]!.text;
  const uplotCss = await readFile(fileURLToPath(import.meta.resolve('uplot/dist/uPlot.min.css')), 'utf8');
  const style = `${uplotCss}\n${await readFile(`${WEB_DIR}style.css`, 'utf8')}`;
  return { script, style };
}

let cached: Promise<WebBundle> | undefined;

/** The bundle, built once per process. */
export function webBundle(): Promise<WebBundle> {
  cached ??= buildWebBundle().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
