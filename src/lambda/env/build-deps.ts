// Deps for one Lambda function, built from the environment once per container. Each
// function composes only the ports it uses, so its bundle holds only the AWS calls it
// makes (the deploy's bundle check holds FUNCTIONS[name].actions to exactly those);
// the ports it does not use are stand-ins that fail loudly.
import { loadFleet } from '../../core/config-file.ts';
import type { LoadedFleet } from '../../core/config-file.ts';
import { ConfigError } from '../../core/errors.ts';
import { systemClock, type Deps } from '../../core/ports.ts';

export type PortName = 'table' | 'dns' | 'health' | 'workflows' | 'executions' | 'eks' | 'discovery' | 'alarms';

/** Builds one port; may use ports built before it (health reads the table). */
export type PortBuilder<K extends PortName> = (context: { env: NodeJS.ProcessEnv; fleet: LoadedFleet; built: Partial<Deps> }) => Deps[K] | Promise<Deps[K]>;

export type PortBuilders = { [K in PortName]?: PortBuilder<K> };

export function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(name, [`environment variable ${name} is not set`]);
  return value;
}

function unavailable(port: string): never {
  throw new Error(`the ${port} port is not available to this function (add it to the function's deps and its FUNCTIONS actions)`);
}

const STAND_INS = {
  table: new Proxy({}, { get: (_t, key) => (key === 'then' ? undefined : () => unavailable('table')) }),
  dns: new Proxy({}, { get: (_t, key) => (key === 'then' ? undefined : () => unavailable('dns')) }),
  health: { snapshot: () => unavailable('health') },
  workflows: { start: () => unavailable('workflows'), workflowOf: () => unavailable('workflows') },
  executions: { describe: () => unavailable('executions') },
  eks: { describeUpdate: () => unavailable('eks') },
} as unknown as Omit<Deps, 'fleet' | 'clock' | 'discovery' | 'alarms'>;

const ORDER: PortName[] = ['table', 'dns', 'workflows', 'executions', 'eks', 'discovery', 'alarms', 'health'];

/** Builds deps from SWITCHYARD_FLEET_FILE, SWITCHYARD_STAGE and the given port builders. */
export async function buildDeps(builders: PortBuilders, env: NodeJS.ProcessEnv = process.env): Promise<Deps> {
  const fleet = await loadFleet(requiredEnv(env, 'SWITCHYARD_FLEET_FILE'));
  // The stage decides which alarms are this deployment's; the deploy sets it on every function.
  const stage = requiredEnv(env, 'SWITCHYARD_STAGE').trim();
  const built: Partial<Deps> = {};
  for (const name of ORDER) {
    const builder = builders[name] as PortBuilder<typeof name> | undefined;
    if (builder) (built as Record<string, unknown>)[name] = await builder({ env, fleet, built });
  }
  return { ...STAND_INS, ...built, fleet: fleet.config, stage, clock: systemClock } as Deps;
}

/** Deps of this container, built on first use; a failed build is retried next time. */
export function containerDeps(builders: PortBuilders, env: NodeJS.ProcessEnv = process.env): () => Promise<Deps> {
  let cached: Promise<Deps> | undefined;
  return () => {
    cached ??= buildDeps(builders, env).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
