// Reads what the deploy is made from, off the checkout: the fleet folder, the FUNCTIONS
// registry and workflows/*.asl.json. Only file I/O here; the deployment spec itself is pure (deployment.ts).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { loadFleet, type LoadedFleet } from '../src/fleet/fleet-file.ts';
import { DEFAULT_FLEET } from '../src/core/config.ts';
import { ConfigError } from '../src/core/errors.ts';
import { workflowNameOf, type WorkflowSource } from '../src/core/asl.ts';
import type { FunctionRegistry } from './registry.ts';

export const WORKFLOWS_DIR = 'workflows';

export interface DeploySources {
  root: string;
  fleet: LoadedFleet;
  /** The fleet folder relative to the root (what copyFiles copies into every function). */
  fleetDir: string;
  registry: FunctionRegistry;
  workflows: WorkflowSource[];
}

/** The fleet path: SWITCHYARD_FLEET, else the example fleet. */
export function fleetPath(env: NodeJS.ProcessEnv = process.env): string {
  const value = env['SWITCHYARD_FLEET']?.trim();
  return value ? value : DEFAULT_FLEET;
}

/** Every `workflows/<Name>.asl.json`, sorted by name. */
export async function readWorkflows(root: string): Promise<WorkflowSource[]> {
  const dir = join(root, WORKFLOWS_DIR);
  if (!existsSync(dir)) return [];
  const sources: WorkflowSource[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const name = workflowNameOf(file);
    if (name === undefined) continue;
    sources.push({ name, file: `${WORKFLOWS_DIR}/${file}`, text: await readFile(join(dir, file), 'utf8') });
  }
  return sources;
}

/** Every registry entry needs its handler file, functions/<name>.ts. */
export function checkHandlers(root: string, registry: FunctionRegistry): void {
  const missing = Object.keys(registry).filter((name) => !existsSync(join(root, 'functions', `${name}.ts`)));
  if (missing.length > 0) {
    throw new ConfigError(
      join(root, 'functions/index.ts'),
      missing.map((name) => `FUNCTIONS.${name}: no handler file functions/${name}.ts`),
    );
  }
}

/** The fleet (SWITCHYARD_FLEET), the workflows and a checked registry, from the checkout at `root`. */
export async function readDeploySources(root: string, registry: FunctionRegistry, env: NodeJS.ProcessEnv = process.env): Promise<DeploySources> {
  const absoluteRoot = resolve(root);
  const fleet = await loadFleet(resolve(absoluteRoot, fleetPath(env)));
  const fleetDir = relative(absoluteRoot, fleet.dir) || '.';
  if (fleetDir.startsWith('..') || fleetDir === '.') {
    throw new ConfigError(fleet.file, ['the fleet folder must be a folder inside the project, not the project itself (it is copied into every function)']);
  }
  checkHandlers(absoluteRoot, registry);
  return { root: absoluteRoot, fleet, fleetDir, registry, workflows: await readWorkflows(absoluteRoot) };
}

/** The fleet file's name inside its folder (copied along with the folder). */
export function fleetFileName(fleet: LoadedFleet): string {
  return basename(fleet.file);
}
