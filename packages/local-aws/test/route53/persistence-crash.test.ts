// kill -9 in the middle of change batches: a child process applies batches of records to
// a state file and reports each one acknowledged; killed at a random moment (often in the
// middle of writing a batch or compacting), the state it leaves holds every acknowledged
// batch, and every batch either whole or not at all.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Route53Store } from '../../src/route53/store.ts';
import { runAndKill } from '../kill-child.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'batch-writer.ts');
const BATCH = 400;

/** Starts the writer, kills it with SIGKILL after `acks` acknowledged batches plus `extraMs`; returns the last ack seen. */
async function runWriter(statePath: string, acks: number, extraMs: number, recordsPerChunk?: number): Promise<{ lastAck: number; zoneId: string }> {
  const args = [CHILD, statePath, String(BATCH), ...(recordsPerChunk === undefined ? [] : [String(recordsPerChunk)])];
  const { lastAck, lines } = await runAndKill(args, acks, extraMs);
  const zoneId = lines.find((line) => line.startsWith('zone '))?.slice('zone '.length) ?? '';
  return { lastAck, zoneId };
}

describe('local Route 53: kill -9 during change batches', () => {
  // The zone outgrows the snapshot file at once: its sets go to chunk files (2,048 sets each by
  // default; 50 in the last cases, so that each compaction writes many chunk files and the
  // kill often lands while it does).
  it.each([
    [3, 0, undefined],
    [8, 1, undefined],
    [12, 3, undefined],
    [20, 0, undefined],
    [6, 0, 50],
    [10, 2, 50],
    [16, 5, 50],
  ])('after %i acknowledged batches (+%i ms, %s sets per chunk): loses none, and applies no batch by half', async (acks, extraMs, recordsPerChunk) => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'r53-kill-')), 'route53.json');
    const { lastAck, zoneId } = await runWriter(statePath, acks, extraMs, recordsPerChunk);
    const store = Route53Store.open(statePath, recordsPerChunk === undefined ? {} : { chunkSize: recordsPerChunk });
    try {
      const counts = new Map<number, number>();
      for (const record of store.index(zoneId).slice(0, Number.MAX_SAFE_INTEGER)) {
        const batch = /^b(\d+)-r\d+\./.exec(record.name)?.[1];
        if (batch !== undefined) counts.set(Number(batch), (counts.get(Number(batch)) ?? 0) + 1);
      }
      const batches = [...counts.keys()].sort((a, b) => a - b);
      expect(batches.length).toBeGreaterThanOrEqual(lastAck);
      expect(batches).toEqual(Array.from({ length: batches.length }, (_, i) => i + 1));
      for (const [batch, count] of counts) expect({ batch, count }).toEqual({ batch, count: BATCH });
    } finally {
      await store.close();
    }
  });
});
