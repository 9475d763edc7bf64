// The emulator's state on disk: one JSON file, replaced atomically (write a temporary
// file, then rename) so a crash never leaves half a state behind.
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidInput } from '../errors.ts';
import { emptyState, type Route53State } from './model.ts';

/** Reads the state file; a missing file is an empty account. */
export function loadState(path: string | undefined): Route53State {
  if (path === undefined) return emptyState();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      mkdirSync(dirname(path), { recursive: true });
      return emptyState();
    }
    throw new InvalidInput(`Route 53 state file ${path} cannot be read: ${(error as Error).message}`, { path }, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidInput(`Route 53 state file ${path} is not valid JSON: ${(error as Error).message}`, { path }, error);
  }
  const state = parsed as Partial<Route53State>;
  if (typeof parsed !== 'object' || parsed === null || state.version !== 1 || !Array.isArray(state.zones) || !Array.isArray(state.healthChecks)) {
    throw new InvalidInput(`Route 53 state file ${path} is not a Switchyard Route 53 state (version 1)`, { path });
  }
  return { ...emptyState(), ...state } as Route53State;
}

/** Serialises writes so the newest state always lands last. */
export class StateWriter {
  private readonly path: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private sequence = 0;

  constructor(path: string | undefined) {
    this.path = path;
  }

  save(state: Route53State): Promise<void> {
    if (this.path === undefined) return Promise.resolve();
    const path = this.path;
    const text = JSON.stringify(state, null, 1);
    const temporary = `${path}.${process.pid}.${++this.sequence}.tmp`;
    const write = async () => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporary, text, 'utf8');
      await rename(temporary, path);
    };
    this.queue = this.queue.then(write, write);
    return this.queue;
  }

  flush(): Promise<void> {
    return this.queue.catch(() => undefined);
  }
}
