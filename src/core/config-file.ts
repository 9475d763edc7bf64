// Reads a fleet folder from disk. The parsing itself is pure (config.ts).
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { parseFleetConfig, type FleetConfig } from './config.ts';

export const FLEET_FILE = 'fleet.yaml';

export interface LoadedFleet {
  /** Absolute path of the fleet folder; relative paths in the config are resolved from it. */
  dir: string;
  file: string;
  config: FleetConfig;
}

/** Loads `<dir>/fleet.yaml` (or the file itself when `path` names a file). */
export async function loadFleet(path: string): Promise<LoadedFleet> {
  const absolute = resolve(path);
  let info;
  try {
    info = await stat(absolute);
  } catch {
    throw new ConfigError(absolute, ['no such file or folder']);
  }
  const file = info.isDirectory() ? join(absolute, FLEET_FILE) : absolute;
  const dir = info.isDirectory() ? absolute : resolve(absolute, '..');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  return { dir, file, config: parseFleetConfig(text, file) };
}
