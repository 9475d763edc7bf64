// `npm install` and `npx switchyard` on the system Node (older than the 22.18 the project
// brings) print no EBADENGINE warning for Switchyard's own packages (docs/cli.md,
// "Node.js versions"). Skipped when the system has no npm, or a Node new enough that no
// warning could appear.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
// The PATH without the checkout's node_modules/.bin, so `node` is the system's.
const PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !dir.includes('node_modules'))
  .join(delimiter);
const systemNode = spawnSync('node', ['--version'], { encoding: 'utf8', env: { ...process.env, PATH } });
const [major = 0, minor = 0] = (systemNode.stdout ?? '').trim().replace(/^v/, '').split('.').map(Number);
const systemNpm = spawnSync('npm', ['--version'], { encoding: 'utf8', env: { ...process.env, PATH } });
const olderSystemNode = systemNode.status === 0 && (major < 22 || (major === 22 && minor < 18));
const testable = olderSystemNode && systemNpm.status === 0 && existsSync(join(ROOT, 'node_modules', '.bin', 'switchyard'));

function ownEngineWarnings(output: string): string[] {
  return output.split('\n').filter((line) => /EBADENGINE/.test(line) && /package: '(switchyard|@switchyard\/)/.test(line));
}

describe.skipIf(!testable)(`the system Node (${systemNode.stdout?.trim() || 'absent'}) and npm`, () => {
  it('npx switchyard --version prints the version and no warning at all', () => {
    // An empty npm cache: a warning printed by npx's first run would hide behind a warm one.
    const npm_config_cache = mkdtempSync(join(tmpdir(), 'npx-cache-'));
    const result = spawnSync('npx', ['switchyard', '--version'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH, npm_config_cache } });
    expect(result.stderr).not.toMatch(/EBADENGINE|npm warn/);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("npm install (dry run) warns about no engine of Switchyard's own packages", () => {
    const result = spawnSync('npm', ['install', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH },
    });
    expect(result.status).toBe(0);
    const output = `${result.stdout}\n${result.stderr}`;
    // Each warning spans lines; the package line names whose engines failed.
    const packages = output.split('\n').filter((line) => line.includes('EBADENGINE') && line.includes('package:'));
    expect(ownEngineWarnings(packages.join('\n'))).toEqual([]);
  });
});
