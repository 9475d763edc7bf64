// `npm run bench [-- <filter>]`: runs every bench/*.bench.ts module that exports
// `run(): Promise<Record<string, unknown>>`, each in its own Node process (so its time
// and peak memory are its own), merges the results and writes them to
// bench/results/latest.json and a timestamped copy. A result may list
// `targets: [{ name, target, actual, pass }]`; the run fails (exit 1) when any target
// fails or any module throws.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ModuleResult, updateReadmeTable } from './lib/readme-table.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(benchDir, 'results');
const filter = process.argv[2];

interface Target {
  name: string;
  pass: boolean;
}

function targetsOf(result: unknown): Target[] {
  const targets = (result as { targets?: unknown } | null)?.targets;
  return Array.isArray(targets) ? targets.filter((t): t is Target => typeof t === 'object' && t !== null && typeof (t as Target).pass === 'boolean') : [];
}

const modules = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts') && (!filter || file.includes(filter)))
  .sort();

const benches: Record<string, unknown> = {};
let passed = true;
const startedAt = new Date().toISOString();
for (const file of modules) {
  const name = basename(file, '.bench.ts');
  process.stderr.write(`bench ${name} ...\n`);
  const child = spawnSync(process.execPath, [join(benchDir, 'lib', 'run-one.ts'), join(benchDir, file)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  let outcome: { ok: boolean; result?: unknown; error?: string };
  try {
    outcome = JSON.parse(last) as typeof outcome;
  } catch {
    outcome = { ok: false, error: `exited ${child.status ?? child.signal} without a result` };
  }
  if (!outcome.ok) {
    passed = false;
    benches[name] = { ranAt: startedAt, error: outcome.error };
    process.stderr.write(`bench ${name}: FAILED: ${outcome.error}\n`);
    continue;
  }
  benches[name] = { ranAt: startedAt, ...(outcome.result as object) };
  for (const target of targetsOf(outcome.result)) {
    if (!target.pass) passed = false;
    process.stderr.write(`bench ${name}: ${target.name}: ${target.pass ? 'pass' : 'FAIL'}\n`);
  }
}

const generatedAt = new Date().toISOString();
const report = {
  generatedAt,
  machine: {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryMB: Math.round(totalmem() / 2 ** 20),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  },
  passed,
  benches,
};
mkdirSync(resultsDir, { recursive: true });
const text = `${JSON.stringify(report, null, 2)}\n`;
writeFileSync(join(resultsDir, `${generatedAt.replace(/[:.]/g, '-')}.json`), text);
// latest.json keeps every module's most recent run, so a filtered run updates only its own.
const latestPath = join(resultsDir, 'latest.json');
const previous = existsSync(latestPath) ? (JSON.parse(readFileSync(latestPath, 'utf8')) as { benches?: Record<string, unknown> }) : {};
const merged = { ...(previous.benches ?? {}), ...benches } as Record<string, ModuleResult>;
const latestPassed = Object.values(merged).every((result) => !result.error && (result.targets ?? []).every((target) => target.pass));
const latest = { ...report, passed: latestPassed, benches: merged };
writeFileSync(latestPath, `${JSON.stringify(latest, null, 2)}\n`);
updateReadmeTable(join(benchDir, '..', 'README.md'), merged);
process.stdout.write(text);
process.stderr.write(`bench: ${modules.length} module(s), ${passed ? 'all targets pass' : 'some targets FAIL'}; wrote ${join(resultsDir, 'latest.json')}\n`);
process.exitCode = passed ? 0 : 1;
