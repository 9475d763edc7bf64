// Named errors. The `name` is a contract: Step Functions Retry/Catch match on it,
// operators read it, and the CLI maps it to exit codes. Adapters translate AWS
// exceptions into these so callers never depend on SDK error shapes.

import { someOf } from './bounded.ts';

export const ERROR_NAMES = [
  'UnknownCluster',
  'InvalidInput',
  'LockHeld',
  'DrainUnsafe',
  'HealthDegraded',
  'Route53Rejected',
  'Route53Diverged',
  'ChangeBlocked',
  'ConfigError',
  'OwnershipConflict',
  'TransientAwsError',
] as const;
export type ErrorName = (typeof ERROR_NAMES)[number];

export class SwitchyardError extends Error {
  readonly context: Record<string, unknown>;

  constructor(name: ErrorName, message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.context = options.context ?? {};
  }
}

/** Bad input: names the input and the reason. Changes nothing. */
export class InvalidInput extends SwitchyardError {
  constructor(message: string, context?: Record<string, unknown>, cause?: unknown) {
    super('InvalidInput', message, { context, cause });
  }
}

export class UnknownCluster extends SwitchyardError {
  constructor(cluster: string, known: readonly string[]) {
    super('UnknownCluster', `unknown cluster "${cluster}" (known: ${known.join(', ') || 'none'})`, {
      context: { cluster, known },
    });
  }
}

export class ConfigError extends SwitchyardError {
  readonly issues: string[];

  constructor(file: string, issues: string[]) {
    super('ConfigError', `${file}: invalid configuration\n  ${issues.join('\n  ')}`, { context: { file, issues } });
    this.issues = issues;
  }
}

export class LockHeld extends SwitchyardError {
  constructor(message: string, context?: Record<string, unknown>) {
    super('LockHeld', message, { context });
  }
}

export class DrainUnsafe extends SwitchyardError {
  constructor(message: string, context?: Record<string, unknown>) {
    super('DrainUnsafe', message, { context });
  }
}

export class HealthDegraded extends SwitchyardError {
  constructor(message: string, context?: Record<string, unknown>) {
    super('HealthDegraded', message, { context });
  }
}

export class Route53Rejected extends SwitchyardError {
  constructor(message: string, context?: Record<string, unknown>, cause?: unknown) {
    super('Route53Rejected', message, { context, cause });
  }
}

/**
 * Route 53 does not hold what a step intended: read back after INSYNC, a set differs.
 * Not transient (never retried): the operation rolls back. `differences` lists each set.
 */
export class Route53Diverged extends SwitchyardError {
  readonly differences: string[];

  constructor(differences: string[], context?: Record<string, unknown>) {
    super('Route53Diverged', `Route 53 does not hold what the step intended (read back after INSYNC): ${someOf(differences)}`, {
      context: { ...context, differences },
    });
    this.differences = differences;
  }
}

/**
 * The fleet's sync policy or record ownership would keep the changes an operation needs
 * out of Route 53: refused before anything changes, with the changes and the reason.
 */
export class ChangeBlocked extends SwitchyardError {
  constructor(message: string, context?: Record<string, unknown>) {
    super('ChangeBlocked', message, { context });
  }
}

export class OwnershipConflict extends SwitchyardError {
  constructor(message: string, context?: Record<string, unknown>) {
    super('OwnershipConflict', message, { context });
  }
}

export class TransientAwsError extends SwitchyardError {
  constructor(message: string, context?: Record<string, unknown>, cause?: unknown) {
    super('TransientAwsError', message, { context, cause });
  }
}

/** The message of anything thrown, for logs and reports. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
