// Builds the agent's one-file bundle (deploy/agent/Dockerfile runs this in its build
// stage): `node scripts/agent-bundle.ts [outfile]`, default dist/agent/agent.mjs.
// Everything is bundled (the AWS SDK included), ESM for Node 22, with the createRequire
// banner the CommonJS parts of the SDK need.
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SST_BANNER } from '../stacks/bundling.ts';

/**
 * Node settings of the agent's container (deploy/agent/Dockerfile sets NODE_OPTIONS to
 * this; the bench measures with it): a 1 MB young generation instead of 16 MB keeps the
 * resident set small for a process whose work is a trickle of watch events.
 */
export const AGENT_NODE_OPTIONS = '--max-semi-space-size=1 --max-old-space-size=96';

export const AGENT_ENTRY = fileURLToPath(new URL('../src/agent/main.ts', import.meta.url));

export async function buildAgentBundle(outfile: string): Promise<{ outfile: string; bytes: number }> {
  const result = await build({
    entryPoints: [AGENT_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    keepNames: true,
    sourcemap: false,
    metafile: true,
    banner: { js: SST_BANNER },
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  return { outfile, bytes: output?.bytes ?? 0 };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildAgentBundle(resolve(process.argv[2] ?? 'dist/agent/agent.mjs'));
  console.log(`${out.outfile}: ${(out.bytes / 1024).toFixed(0)} KiB`);
}
