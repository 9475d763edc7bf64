// Builds the agent's one-file bundle (deploy/agent/Dockerfile runs this in its build
// stage): `node scripts/agent-bundle.ts [outfile]`, default dist/agent/agent.mjs.
// Everything is bundled (the AWS SDK included), ESM for Node 22, with the createRequire
// banner the CommonJS parts of the SDK need.
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SST_BANNER } from '../stacks/bundling.ts';

/**
 * Node's command-line flags in the agent's container (deploy/agent/Dockerfile puts them in
 * its ENTRYPOINT; the bench measures with them). Why each is safe for a long-running
 * watcher (docs/agent.md, "Memory"):
 * - `--max-semi-space-size=1`: a 1 MB young generation instead of 16 MB. The agent's work
 *   is a trickle of watch events; more frequent scavenges cost little.
 * - `--max-old-space-size=96`: a heap limit under the Pod's 192 Mi memory limit, so V8
 *   collects before the kernel kills.
 * - `--no-opt`: no TurboFan, V8's optimising compiler (Ignition and Sparkplug still run).
 *   TurboFan's compiler zones, optimised code and its own machine code paged in from the
 *   Node binary were ~14 MB of the resident set; the agent spends its time waiting on
 *   sockets, and the measured CPU time of the 5,000-Gateway run is the same without it.
 * Not in NODE_OPTIONS: Node refuses `--no-opt` there.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--max-old-space-size=96', '--no-opt'];

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
