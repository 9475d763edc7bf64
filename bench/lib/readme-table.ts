// The README's benchmark table is rendered from bench/results/latest.json after every
// `npm run bench`, between two markers, so it always shows the latest recorded run of each
// module (docs/benchmarks.md).
import { readFileSync, writeFileSync } from 'node:fs';

export const TABLE_START = '<!-- bench:start -->';
export const TABLE_END = '<!-- bench:end -->';

interface Target {
  name: string;
  target?: unknown;
  actual?: unknown;
  pass: boolean;
}

export interface ModuleResult {
  ranAt?: string;
  error?: string;
  targets?: Target[];
}

function cell(value: unknown): string {
  const text = typeof value === 'number' ? String(Math.round(value * 100) / 100) : String(value ?? '');
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** One row per target, grouped by module, with the date each module last ran. */
export function renderBenchTable(benches: Record<string, ModuleResult>): string {
  const rows = ['| bench | figure | target | latest | pass |', '|---|---|---|---|---|'];
  for (const [module, result] of Object.entries(benches).sort(([a], [b]) => a.localeCompare(b))) {
    const day = result.ranAt?.slice(0, 10) ?? '';
    if (result.error) {
      rows.push(`| ${module} (${day}) | did not finish: ${cell(result.error)} | | | FAIL |`);
      continue;
    }
    for (const target of result.targets ?? []) {
      rows.push(`| ${module} (${day}) | ${cell(target.name)} | ${cell(target.target)} | ${cell(target.actual)} | ${target.pass ? 'pass' : 'FAIL'} |`);
    }
  }
  return rows.join('\n');
}

/** Replaces the text between the markers; a README without them is left alone (returns false). */
export function updateReadmeTable(readmePath: string, benches: Record<string, ModuleResult>): boolean {
  const text = readFileSync(readmePath, 'utf8');
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start < 0 || end < start) return false;
  const next = `${text.slice(0, start + TABLE_START.length)}\n${renderBenchTable(benches)}\n${text.slice(end)}`;
  if (next !== text) writeFileSync(readmePath, next);
  return true;
}
