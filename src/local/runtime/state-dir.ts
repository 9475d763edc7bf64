// The state folder (.switchyard/): one runtime at a time may use it, `--reset` empties
// it, `runtime.json` tells the CLI where the running runtime listens and `control-token`
// (readable by its owner only) holds the token the control API's writes need.
import { randomBytes } from 'node:crypto';
import { chmod, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInput } from '../../core/errors.ts';
import { exposureWarning, readJsonFile, writeJsonFileAtomic } from '@switchyard/local-aws';

/** What the runtime keeps in the state folder; --reset deletes these and nothing else. */
export const STATE_ENTRIES = [
  'route53.json',
  'route53.json.log',
  'route53.json.records',
  'stepfunctions',
  'eventbridge',
  'dynamodb',
  'cloudwatch',
  'discovery',
  'canaries.json',
  'runtime.json',
  'runtime.lock',
  'control-token',
] as const;

const CONTROL_TOKEN_FILE = 'control-token';

export interface RuntimeInfo {
  pid: number;
  url: string;
  fleet: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Empties the state folder of everything the runtime writes (other files are left alone). */
export async function resetStateDir(dir: string): Promise<void> {
  const owner = await readJsonFile<{ pid: number }>(join(dir, 'runtime.lock'));
  if (owner !== undefined && owner.pid !== process.pid && alive(owner.pid)) {
    throw new InvalidInput(`--reset: the state folder ${dir} is in use by a running runtime (pid ${owner.pid}); stop it first`, { dir, pid: owner.pid });
  }
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    if ((STATE_ENTRIES as readonly string[]).includes(entry) || entry.endsWith('.tmp')) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

/** Takes the folder for this process; a folder held by a live runtime is refused (a dead one's is taken over). */
export async function claimStateDir(dir: string): Promise<void> {
  const lock = join(dir, 'runtime.lock');
  const owner = await readJsonFile<{ pid: number }>(lock).catch(() => undefined);
  if (owner !== undefined && owner.pid !== process.pid && alive(owner.pid)) {
    const info = await readRuntimeInfo(dir);
    throw new InvalidInput(
      `the state folder ${dir} is in use by another local runtime (pid ${owner.pid}${info ? `, ${info.url}` : ''}); stop it or use --state <another folder>`,
      { dir, pid: owner.pid },
    );
  }
  await writeJsonFileAtomic(lock, { pid: process.pid });
}

export async function releaseStateDir(dir: string): Promise<void> {
  await rm(join(dir, CONTROL_TOKEN_FILE), { force: true });
  await rm(join(dir, 'runtime.lock'), { force: true });
  await rm(join(dir, 'runtime.json'), { force: true });
}

/** A new per-run token for the control API. */
export function newControlToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes the token where only this user can read it (mode 0600, created so, then renamed into place). */
export async function writeControlToken(dir: string, token: string): Promise<void> {
  const path = join(dir, CONTROL_TOKEN_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(`${token}\n`);
  } finally {
    await file.close();
  }
  // The umask cannot widen 0600, but a filesystem may ignore modes at creation: say it again.
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** The running runtime's control token, if its state folder holds one this user can read. */
export async function readControlToken(dir: string): Promise<string | undefined> {
  try {
    const token = (await readFile(join(dir, CONTROL_TOKEN_FILE), 'utf8')).trim();
    return token === '' ? undefined : token;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') return undefined;
    throw error;
  }
}

/** Where the runtime using `dir` listens, if one is running. */
export async function readRuntimeInfo(dir: string): Promise<RuntimeInfo | undefined> {
  const info = await readJsonFile<RuntimeInfo>(join(dir, 'runtime.json')).catch(() => undefined);
  return info !== undefined && alive(info.pid) ? info : undefined;
}

/** The header that carries the control API's per-run token. */
export const CONTROL_TOKEN_HEADER = 'x-switchyard-token';

/** The emulator's warning for a non-loopback --host, and what it means for the control API; undefined on loopback. */
export function runtimeExposureWarning(bindHost: string, url: string): string | undefined {
  const warning = exposureWarning(bindHost, url);
  return warning === undefined ? undefined : `${warning} Only the control API's writes need the token in the state folder.`;
}
