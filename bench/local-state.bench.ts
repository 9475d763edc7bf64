// Local runtime state benchmark: memory (RSS) of the runtime with 10,000 closed executions
// in its state folder, when it starts on that folder and when it is restarted once more.
// Closed executions are kept as small summaries in memory and their bodies on disk (read on
// DescribeExecution), so neither figure should grow with them. Target: under 250 MB each.
// Also reported: the memory of the process that ran the 10,000 executions (100 at a time,
// as fast as they go), after they closed, and of a fresh runtime with none.
// Each phase runs in its own process (bench/lib/runtime-memory-child.ts) so its RSS is its own.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGET_RSS_MB = 250;
const CHILD = fileURLToPath(new URL('./lib/runtime-memory-child.ts', import.meta.url));

function phase(name: 'fill' | 'restart', stateDir: string): Record<string, unknown> {
  const child = spawnSync(process.execPath, ['--expose-gc', CHILD, name, stateDir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 1_800_000,
  });
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`runtime memory bench, ${name}: exited ${child.status ?? child.signal} without a result`);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'switchyard-bench-state-'));
  try {
    const fill = phase('fill', stateDir);
    const start = phase('restart', stateDir);
    const restart = phase('restart', stateDir);
    const startMB = (start['after'] as { rssMB: number }).rssMB;
    const restartMB = (restart['after'] as { rssMB: number }).rssMB;
    return {
      closedExecutions: fill['closed'],
      emptyRuntime: fill['before'],
      afterRunningThem: fill,
      start,
      restart,
      targets: [
        {
          name: `runtime RSS at start with ${String(start['closed'])} closed executions: MB`,
          target: `< ${TARGET_RSS_MB}`,
          actual: startMB,
          pass: startMB < TARGET_RSS_MB && start['closed'] === fill['closed'],
        },
        {
          name: `runtime RSS after a restart with ${String(restart['closed'])} closed executions: MB`,
          target: `< ${TARGET_RSS_MB}`,
          actual: restartMB,
          pass: restartMB < TARGET_RSS_MB && restart['closed'] === fill['closed'],
        },
      ],
    };
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}
