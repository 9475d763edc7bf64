// Local runtime state benchmark: memory (RSS) of the runtime with 10,000 closed executions
// in its state folder, when it starts on that folder and when it is restarted once more.
// Closed executions are kept as small summaries in memory and their bodies on disk (read on
// DescribeExecution), so neither figure should grow with them. Target: under 250 MB each.
// Also reported: the memory of the process that ran the 10,000 executions (100 at a time,
// as fast as they go), after they closed, and of a fresh runtime with none.
// Each phase runs in its own process (bench/lib/runtime-memory-child.ts) so its RSS is its own.
//
// State at scale (bench/lib/state-scale-child.ts, one process per phase): time to ready of the
// local Step Functions at 1,000 / 4,000 / 16,000 closed executions and of the local Route 53 at
// 10,000 / 100,000 / 1,000,000 records, each with the growth rule (bench/lib/growth.ts); and at
// 1,000,000 records (created in batches of 1,000) the restart, a page of 100 from an arbitrary
// name and one single-record UPSERT; at each size the median of 20 single-record UPSERTs after
// the restart, with the growth rule. `BENCH_STATE_SCALE=0` leaves these out.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { growthTarget } from './lib/growth.ts';

const TARGET_RSS_MB = 250;
const CHILD = fileURLToPath(new URL('./lib/runtime-memory-child.ts', import.meta.url));
const SCALE_CHILD = fileURLToPath(new URL('./lib/state-scale-child.ts', import.meta.url));
const CLOSED_SIZES = [1_000, 4_000, 16_000];
const RECORD_SIZES = [10_000, 100_000, 1_000_000];

/** One phase of the state-scale bench in a process of its own (room for a million records). */
function scalePhase(phase: string, path: string, size: number): Record<string, unknown> {
  const child = spawnSync(process.execPath, ['--max-old-space-size=6144', SCALE_CHILD, phase, path, String(size)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 1_800_000,
  });
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`state scale bench, ${phase} ${size}: exited ${child.status ?? child.signal} without a result`);
  }
}

/** Fills a fresh folder to each size and measures a cold start on it. */
async function readyAtSizes(kind: 'sfn' | 'r53', sizes: readonly number[]): Promise<Array<{ fill: Record<string, unknown>; ready: Record<string, unknown> }>> {
  const out: Array<{ fill: Record<string, unknown>; ready: Record<string, unknown> }> = [];
  for (const size of sizes) {
    const dir = await mkdtemp(join(tmpdir(), `switchyard-bench-${kind}-`));
    try {
      const path = kind === 'sfn' ? dir : join(dir, 'route53.json');
      const fill = scalePhase(`${kind}-fill`, path, size);
      out.push({ fill, ready: scalePhase(`${kind}-ready`, path, size) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return out;
}

async function stateScale(): Promise<{ result: Record<string, unknown>; targets: unknown[] }> {
  const executions = await readyAtSizes('sfn', CLOSED_SIZES);
  const records = await readyAtSizes('r53', RECORD_SIZES);
  const million = records.at(-1)!;
  const points = (runs: typeof executions, key: string, figure = 'readyMs') =>
    runs.map(({ ready }) => ({ size: Number(ready[key]), value: Number(ready[figure]) }));
  return {
    result: { executions, records },
    targets: [
      growthTarget('local Step Functions time to ready (ms) with closed executions', points(executions, 'closed')),
      growthTarget('local Route 53 time to ready (ms) with records', points(records, 'records')),
      // The first page reads the record chunk it starts in (a restart reads none).
      growthTarget('local Route 53 first page from an arbitrary name after a restart (ms) with records', points(records, 'records', 'firstPageMs')),
      // A change costs what it changes, not the store: the median of 20 single-record UPSERTs after the restart.
      growthTarget('local Route 53 single-record UPSERT after a restart, median of 20 (ms) with records', points(records, 'records', 'upsertMedianMs')),
      {
        name: `local Route 53 with ${String(million.ready['records'])} records: restarts, pages 100 from an arbitrary name and takes one UPSERT (ready / first page / UPSERT ms: ${String(million.ready['readyMs'])} / ${String(million.ready['firstPageMs'])} / ${String(million.ready['upsertMs'])})`,
        target: 'every record back, the page starting at the name, the UPSERT answered (checked by the child)',
        actual: million.ready['records'],
        pass: million.ready['records'] === RECORD_SIZES.at(-1) && typeof million.ready['upsertMs'] === 'number',
      },
    ],
  };
}

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
  if (process.env['BENCH_STATE_SCALE'] === 'only') {
    const scale = await stateScale();
    return { stateScale: scale.result, targets: scale.targets };
  }
  const stateDir = await mkdtemp(join(tmpdir(), 'switchyard-bench-state-'));
  try {
    const fill = phase('fill', stateDir);
    const start = phase('restart', stateDir);
    const restart = phase('restart', stateDir);
    const scale = process.env['BENCH_STATE_SCALE'] === '0' ? undefined : await stateScale();
    const startMB = (start['after'] as { rssMB: number }).rssMB;
    const restartMB = (restart['after'] as { rssMB: number }).rssMB;
    return {
      closedExecutions: fill['closed'],
      emptyRuntime: fill['before'],
      afterRunningThem: fill,
      start,
      restart,
      ...(scale === undefined ? {} : { stateScale: scale.result }),
      targets: [
        ...(scale?.targets ?? []),
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
