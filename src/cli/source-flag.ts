// The `--source` flag of discover, plan and sync: one set of values, one meaning each.
import { InvalidInput } from '../core/errors.ts';

/**
 * `manifests`: each cluster's `manifests` folder; `eks`: each cluster's API server through
 * EKS; `endpoints-file`: the fleet's `endpointsFile` (plan and sync only: it lists endpoints,
 * not Gateways); `auto`: the verb's default (see its help).
 */
export const SOURCE_KINDS = ['auto', 'manifests', 'eks', 'endpoints-file'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Earlier spellings, still accepted with a notice: discover's `files`, plan's and sync's `file`. */
const RENAMED: Readonly<Record<string, SourceKind>> = { files: 'manifests', file: 'endpoints-file' };

/** Validates a --source value against what this verb reads; `notice` hears about an earlier spelling. */
export function parseSourceFlag<K extends SourceKind>(value: string | undefined, allowed: readonly K[], notice: (text: string) => void = () => {}): K {
  const given = value ?? 'auto';
  const renamed = RENAMED[given];
  if (renamed !== undefined && (allowed as readonly string[]).includes(renamed)) {
    notice(`--source ${given} is now called --source ${renamed}`);
    return renamed as K;
  }
  if ((allowed as readonly string[]).includes(given)) return given as K;
  throw new InvalidInput(`--source: "${given}" is not one of ${allowed.join(', ')}`, { flag: 'source', value: given });
}
