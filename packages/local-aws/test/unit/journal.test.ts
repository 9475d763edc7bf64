// The snapshot + append-only log under every persistent service: what a restart reads
// back after a clean stop, a torn last line, a damaged line, and compaction.
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal.ts';

interface State {
  items: number[];
}
const readState = (value: unknown): State => value as State;

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'journal-'));
}

/** Opens the journal and applies what it recovered, as a service does. */
function openState(path: string, options: { compactAfterBytes?: number } = {}) {
  const { journal, recovered } = Journal.open<State, number>(path, readState, options);
  const state: State = recovered.snapshot ?? { items: [] };
  for (const entry of recovered.entries) state.items.push(entry);
  const add = (item: number) => {
    state.items.push(item);
    return journal.append(item, () => state);
  };
  return { journal, recovered, state, add };
}

describe('Journal', () => {
  it('reads back every appended entry after a crash (no close), in order', async () => {
    const path = join(folder(), 'state.json');
    const first = openState(path);
    for (let i = 1; i <= 5; i++) await first.add(i);
    // No close: the process "dies" here.

    const second = openState(path);
    expect(second.state.items).toEqual([1, 2, 3, 4, 5]);
    expect(second.recovered.tornBytes).toBe(0);
    await first.journal.close();
    await second.journal.close();
  });

  it('cuts off a torn last line (a crash mid-append) and keeps appending after it', async () => {
    const path = join(folder(), 'state.json');
    const first = openState(path);
    await first.add(1);
    await first.add(2);
    await first.journal.close();
    appendFileSync(`${path}.log`, '3 deadbeef 3'); // half a line: no newline, wrong checksum

    const second = openState(path);
    expect(second.state.items).toEqual([1, 2]);
    expect(second.recovered.tornBytes).toBe('3 deadbeef 3'.length);
    await second.add(3);
    const third = openState(path);
    expect(third.state.items).toEqual([1, 2, 3]);
    await second.journal.close();
    await third.journal.close();
  });

  it('refuses a log whose line before the last is damaged, naming the file, and changes nothing', async () => {
    const path = join(folder(), 'state.json');
    const first = openState(path);
    await first.add(1);
    await first.add(2);
    await first.journal.close();
    const log = readFileSync(`${path}.log`, 'utf8');
    const damaged = log.replace('1 ', '1 0');
    writeFileSync(`${path}.log`, damaged);

    expect(() => openState(path)).toThrow(`state log ${path}.log is damaged at byte 0`);
    expect(readFileSync(`${path}.log`, 'utf8')).toBe(damaged);
  });

  it('compacts the log into the snapshot once it outgrows it, and restarts from both', async () => {
    const dir = folder();
    const path = join(dir, 'state.json');
    const first = openState(path, { compactAfterBytes: 200 });
    for (let i = 1; i <= 100; i++) await first.add(i);
    // Compacted at least once: the snapshot exists and the log holds less than 100 lines.
    expect(statSync(path).size).toBeGreaterThan(0);
    expect(readFileSync(`${path}.log`, 'utf8').split('\n').length).toBeLessThan(100);

    const second = openState(path);
    expect(second.state.items).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await first.journal.close();
    await second.journal.close();
  });

  it('skips log lines the snapshot already holds (a crash between snapshot and log truncation)', async () => {
    const path = join(folder(), 'state.json');
    const first = openState(path);
    for (let i = 1; i <= 3; i++) await first.add(i);
    await first.journal.close();
    // The snapshot of entries 1-3 landed; the log was not emptied yet.
    writeFileSync(path, JSON.stringify({ items: [1, 2, 3], journalSequence: 3 }));

    const second = openState(path);
    expect(second.state.items).toEqual([1, 2, 3]);
    await second.add(4);
    expect(openState(path).state.items).toEqual([1, 2, 3, 4]);
    await second.journal.close();
  });

  it('leaves one snapshot file after a clean close with the state', async () => {
    const dir = folder();
    const path = join(dir, 'state.json');
    const first = openState(path);
    await first.add(7);
    await first.journal.close(first.state);
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(openState(path).state.items).toEqual([7]);
  });
});
