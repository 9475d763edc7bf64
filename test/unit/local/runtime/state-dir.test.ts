import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimStateDir, readRuntimeInfo, releaseStateDir, resetStateDir } from '../../../../src/local/runtime/state-dir.ts';
import { localEndpoint } from '../../../../src/cli/commands/local-canary.ts';
import { temporaryFolder } from '../../../e2e/helpers.ts';

let folder: { path: string; remove(): Promise<void> };
beforeEach(async () => {
  folder = await temporaryFolder('state-dir');
});
afterEach(async () => {
  await folder.remove();
});

/** A process that is alive while the test runs. */
function otherProcess() {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

describe('the state folder', () => {
  it('is refused while another live runtime holds it, and taken over from a dead one', async () => {
    // Prepare
    const other = otherProcess();
    await writeFile(join(folder.path, 'runtime.lock'), JSON.stringify({ pid: other.pid }));
    await writeFile(join(folder.path, 'runtime.json'), JSON.stringify({ pid: other.pid, url: 'http://127.0.0.1:9', fleet: 'f', startedAt: 'now' }));
    try {
      // Act / Assess
      await expect(claimStateDir(folder.path)).rejects.toMatchObject({
        name: 'InvalidInput',
        message: expect.stringContaining(`in use by another local runtime (pid ${other.pid}, http://127.0.0.1:9)`),
      });
      await expect(resetStateDir(folder.path)).rejects.toMatchObject({ name: 'InvalidInput' });
    } finally {
      other.stop();
    }
    await new Promise((r) => setTimeout(r, 200));
    await claimStateDir(folder.path);
    expect(await readRuntimeInfo(folder.path)).toBeUndefined();
  });

  it('--reset deletes what the runtime keeps there and nothing else', async () => {
    // Prepare
    await mkdir(join(folder.path, 'dynamodb'));
    await writeFile(join(folder.path, 'route53.json'), '{}');
    await writeFile(join(folder.path, 'route53.json.123.tmp'), '{}');
    await writeFile(join(folder.path, 'route53.json.log'), '1 0 []\n'); // Route 53's change log
    await mkdir(join(folder.path, 'route53.json.records')); // and the record chunks of its large zones
    await writeFile(join(folder.path, 'route53.json.records', 'Z1-0a1b2c3d-0.json'), '[]');
    await writeFile(join(folder.path, 'my-notes.txt'), 'keep me');
    // Act
    await resetStateDir(folder.path);
    // Assess
    expect(await readdir(folder.path)).toEqual(['my-notes.txt']);
  });

  it('tells the CLI where the running runtime listens; the CLI falls back to the environment', async () => {
    // Prepare
    await claimStateDir(folder.path);
    await writeFile(join(folder.path, 'runtime.json'), JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:5555', fleet: 'f', startedAt: 'now' }));
    // Act / Assess
    expect(await localEndpoint({ state: folder.path }, {})).toBe('http://127.0.0.1:5555');
    expect(await localEndpoint({ state: folder.path, endpointUrl: 'http://127.0.0.1:7/' }, {})).toBe('http://127.0.0.1:7');
    await releaseStateDir(folder.path);
    expect(await localEndpoint({ state: folder.path }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:8/' })).toBe('http://127.0.0.1:8');
    expect(await localEndpoint({ state: folder.path }, { SWITCHYARD_PORT: '4999' })).toBe('http://127.0.0.1:4999');
    expect(await localEndpoint({ state: folder.path }, {})).toBe('http://127.0.0.1:4566');
  });
});
