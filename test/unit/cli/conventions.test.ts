// CLI conventions shared by every verb: --version, and the entry guard that runs main()
// whatever the path to the sources looks like.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('switchyard --version', () => {
  it('prints the version in package.json and exits 0', async () => {
    // Prepare
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    // Act
    const code = await main(['--version']);
    write.mockRestore();
    // Assess
    expect(code).toBe(0);
    expect(printed.join('').trim()).toBe(version);
  });
});

describe('switchyard --profile', () => {
  it('sets AWS_PROFILE before the verb runs, so the SDK chain takes credentials and region from it', async () => {
    const saved = process.env.AWS_PROFILE;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // Act: the verb runs (and fails on its missing fleet) after the option is applied
      const code = await main(['--profile', 'fleet-admin', 'plan', '--fleet', '/nonexistent/fleet']);
      // Assess
      expect(code).toBe(2);
      expect(process.env.AWS_PROFILE).toBe('fleet-admin');
    } finally {
      errors.mockRestore();
      if (saved === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = saved;
    }
  });
});

describe('src/cli/main.ts as the entry point', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'switchyard cli '));
    await symlink(ROOT, join(folder, 'linked checkout'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('runs from a path with a space, behind a symlink (it used to do nothing there)', () => {
    // Act: the same Node that runs the tests, started on the linked path
    const result = spawnSync(process.execPath, [join(folder, 'linked checkout', 'src', 'cli', 'main.ts'), '--version'], { encoding: 'utf8' });
    // Assess
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on an unknown verb', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'frobnicate'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});
