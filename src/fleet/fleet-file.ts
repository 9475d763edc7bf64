// Reads a fleet folder from disk. The parsing itself is pure (config.ts).
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { parseFleetConfig, type FleetConfig } from '../core/config.ts';
import { resolveFleetPath } from './fleet-paths.ts';

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
  const config = parseFleetConfig(text, file);
  await checkFleetPaths(dir, file, config);
  return { dir, file, config };
}

/** Every path the config names, by the setting that names it (clusters[1].manifests). */
export function fleetPaths(config: FleetConfig): Array<{ setting: string; path: string }> {
  const paths = config.clusters.flatMap((cluster, index) =>
    cluster.manifests === undefined ? [] : [{ setting: `clusters[${index}].manifests`, path: cluster.manifests }],
  );
  if (config.endpointsFile !== undefined) paths.push({ setting: 'endpointsFile', path: config.endpointsFile });
  return paths;
}

/** Throws ConfigError when a path in the config leads outside the fleet folder (symlinks resolved). */
async function checkFleetPaths(dir: string, file: string, config: FleetConfig): Promise<void> {
  const issues: string[] = [];
  for (const { setting, path } of fleetPaths(config)) {
    try {
      await resolveFleetPath(dir, path);
    } catch (error) {
      issues.push(`${setting}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
}
