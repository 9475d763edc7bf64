// Runs one bench module in this process and prints `{ ok, result | error }` as the
// last line of stdout (bench/run.ts reads it). Logs belong on stderr.
import { pathToFileURL } from 'node:url';

const file = process.argv[2];
try {
  if (!file) throw new Error('usage: run-one.ts <module.bench.ts>');
  const mod = (await import(pathToFileURL(file).href)) as { run?: unknown };
  if (typeof mod.run !== 'function') throw new Error(`${file} does not export run(): Promise<Record<string, unknown>>`);
  const result: unknown = await (mod.run as () => Promise<unknown>)();
  process.stdout.write(`\n${JSON.stringify({ ok: true, result })}\n`);
} catch (error) {
  process.stdout.write(`\n${JSON.stringify({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) })}\n`);
  process.exitCode = 1;
}
