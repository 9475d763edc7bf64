// The FUNCTIONS registry (functions/index.ts) as the deploy reads it: validated, so a
// typo in a name or an action fails here, naming the function, instead of at deploy time.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { formatZodIssues } from '../src/core/config.ts';
import { ConfigError } from '../src/core/errors.ts';

export const REGISTRY_FILE = 'functions/index.ts';

/** `service:Action`, no wildcards: each action is granted on purpose. */
export const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;

const functionSpecSchema = z.looseObject({
  description: z.string().min(1).max(256),
  actions: z.array(z.string().regex(IAM_ACTION, 'must be "service:Action" with no wildcard')),
  timeoutSeconds: z.number().int().min(1).max(900).optional(),
  memoryMB: z.number().int().min(128).max(10240).optional(),
});

const FUNCTION_NAME = /^[a-z][A-Za-z0-9]*$/;

export const registrySchema = z.record(z.string(), functionSpecSchema).superRefine((registry, ctx) => {
  for (const name of Object.keys(registry)) {
    if (!FUNCTION_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'function names are camelCase (they name functions/<name>.ts)' });
  }
});

export type FunctionSpec = z.infer<typeof functionSpecSchema>;
export type FunctionRegistry = Record<string, FunctionSpec>;

/** Validates a registry value; `file` names it in errors. */
export function parseRegistry(value: unknown, file = REGISTRY_FILE): FunctionRegistry {
  const result = registrySchema.safeParse(value);
  if (!result.success)
    throw new ConfigError(
      file,
      formatZodIssues(result.error).map((issue) => `FUNCTIONS.${issue}`),
    );
  return result.data;
}

/** Imports `<root>/functions/index.ts` and validates its FUNCTIONS export. */
export async function loadRegistry(root: string): Promise<FunctionRegistry> {
  const file = join(root, REGISTRY_FILE);
  if (!existsSync(file)) throw new ConfigError(file, ['no such file: the FUNCTIONS registry is required to deploy']);
  const module = (await import(pathToFileURL(file).href)) as { FUNCTIONS?: unknown };
  if (module.FUNCTIONS === undefined) throw new ConfigError(file, ['(top level): no FUNCTIONS export']);
  return parseRegistry(module.FUNCTIONS, file);
}
