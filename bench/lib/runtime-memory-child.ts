// One process of the runtime memory bench (bench/local-state.bench.ts): `fill <stateDir>`
// starts the local runtime on a fresh state folder, runs CLOSED executions of a small state
// machine to completion and reports the process's memory; `restart <stateDir>` starts the
// runtime on that folder, reports its memory once it is ready, checks that every execution
// is listed and that one reads back whole. The last stdout line
// is the JSON result. Run with --expose-gc so what is measured is what the runtime keeps.
// (Run alone: `npx node --expose-gc bench/lib/runtime-memory-child.ts fill /tmp/folder`.)
import { startLocalRuntime } from '../../src/local/runtime/runtime.ts';

export const CLOSED = Number(process.env['BENCH_CLOSED'] ?? 10_000);
export const MACHINE = 'bench-Steps';

// Workflows without waits; health checks at their real pace (what a runtime left running does).
const ZERO_WAITS = { waitScale: 0, insyncDelayMs: 0, discoverEveryMs: 0 } as const;
const MB = 1024 * 1024;
const round = (value: number): number => Math.round(value * 10) / 10;

/** Three states and a ~1 KB payload: each closed execution has a history of 8 events. */
const DEFINITION = JSON.stringify({
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: { apps: Array.from({ length: 20 }, (_, i) => `app-${i}.example.com`) }, ResultPath: '$.plan', Next: 'Apply' },
    Apply: { Type: 'Pass', Parameters: { 'first.$': '$.plan.apps[0]' }, ResultPath: '$.applied', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
});

async function memory(): Promise<{ rssMB: number; heapUsedMB: number; heapTotalMB: number; externalMB: number }> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return {
    rssMB: round(usage.rss / MB),
    heapUsedMB: round(usage.heapUsed / MB),
    heapTotalMB: round(usage.heapTotal / MB),
    externalMB: round(usage.external / MB),
  };
}

const [phase, stateDir] = process.argv.slice(2);
if ((phase !== 'fill' && phase !== 'restart') || stateDir === undefined) throw new Error('usage: runtime-memory-child.ts fill|restart <stateDir>');
const log = () => undefined;
const started = Date.now();
const runtime = await startLocalRuntime({ stateDir, port: 0, log, ...ZERO_WAITS });
const stepFunctions = runtime.platform.stepFunctions;
const readyMs = Date.now() - started;
let result: Record<string, unknown>;
if (phase === 'fill') {
  const before = await memory();
  const { stateMachineArn } = stepFunctions.createStateMachine({ name: MACHINE, definition: DEFINITION, roleArn: 'arn:aws:iam::000000000000:role/bench' });
  const input = JSON.stringify({ operation: 'bench', note: 'x'.repeat(400) });
  const filling = Date.now();
  for (let i = 0; i < CLOSED; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, CLOSED - i) },
      (_, k) => stepFunctions.startExecution({ stateMachineArn, name: `run-${i + k}`, input }).executionArn,
    );
    const ended = await Promise.all(batch.map((arn) => stepFunctions.waitForExecution(arn)));
    const failed = ended.find((record) => record.status !== 'SUCCEEDED');
    if (failed !== undefined) throw new Error(`${failed.name} ended ${failed.status}: ${failed.error ?? ''} ${failed.cause ?? ''}`);
    // A runtime's executions are spread over hours; here they come 100 at a time as fast as
    // they run, faster than a loaded disk takes their files. Letting the writes catch up
    // every 1,000 keeps this a measure of what is kept, not of how far writes lag.
    if ((i + 100) % 1000 === 0) await stepFunctions.flush();
  }
  await runtime.platform.eventBus.idle();
  await stepFunctions.flush();
  const fillMs = Date.now() - filling;
  result = { readyMs, before, after: await memory(), closed: CLOSED, fillMs };
} else {
  const after = await memory();
  const arn = stepFunctions.listStateMachines({ maxResults: 1000 }).items.find((m) => m.name === MACHINE)?.stateMachineArn;
  if (arn === undefined) throw new Error(`state machine ${MACHINE} is not there after the restart`);
  const listed = stepFunctions.listExecutions({ stateMachineArn: arn, maxResults: 1000 });
  let closed = listed.items.length;
  for (let token = listed.nextToken; token !== undefined;) {
    const page = stepFunctions.listExecutions({ stateMachineArn: arn, maxResults: 1000, nextToken: token });
    closed += page.items.length;
    token = page.nextToken;
  }
  const one = await stepFunctions.describeExecution(listed.items[0]!.executionArn);
  if (one.status !== 'SUCCEEDED' || one.history.length === 0) throw new Error('a closed execution could not be read back after the restart');
  result = { readyMs, after, closed };
}
await runtime.close();
process.stdout.write(`\n${JSON.stringify(result)}\n`);
