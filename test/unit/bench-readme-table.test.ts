import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBenchTable, TABLE_END, TABLE_START, updateReadmeTable } from '../../bench/lib/readme-table.ts';

describe('the README benchmark table', () => {
  const benches = {
    dns: { ranAt: '2026-12-03T12:00:00.000Z', targets: [{ name: 'plan | cold', target: '< 1 s', actual: 0.5123, pass: true }] },
    agent: { ranAt: '2026-12-02T09:00:00.000Z', targets: [{ name: 'RSS MB', target: '< 100', actual: 101, pass: false }] },
    broken: { ranAt: '2026-12-03T12:00:00.000Z', error: 'exited 1 without a result' },
  };

  it('lists every target of every module with its day and outcome, modules in name order', () => {
    const lines = renderBenchTable(benches).split('\n');
    expect(lines.slice(2)).toEqual([
      '| agent (2026-12-02) | RSS MB | < 100 | 101 | FAIL |',
      '| broken (2026-12-03) | did not finish: exited 1 without a result | | | FAIL |',
      '| dns (2026-12-03) | plan \\| cold | < 1 s | 0.51 | pass |',
    ]);
  });

  it('replaces only the text between the markers, and leaves a README without them alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-readme-'));
    const readme = join(dir, 'README.md');
    writeFileSync(readme, `# Title\n\n${TABLE_START}\nstale figures\n${TABLE_END}\n\ntail\n`);
    expect(updateReadmeTable(readme, benches)).toBe(true);
    const text = readFileSync(readme, 'utf8');
    expect(text.startsWith(`# Title\n\n${TABLE_START}\n| bench |`)).toBe(true);
    expect(text).not.toContain('stale figures');
    expect(text.endsWith(`${TABLE_END}\n\ntail\n`)).toBe(true);

    const plain = join(dir, 'PLAIN.md');
    writeFileSync(plain, '# no markers\n');
    expect(updateReadmeTable(plain, benches)).toBe(false);
    expect(readFileSync(plain, 'utf8')).toBe('# no markers\n');
  });
});
