// The emulator's own errors. Callers match on `name` ("InvalidInput"), as they do on
// Switchyard's errors of the same name; the class carries the input's context.

/** Bad input given to the emulator's API (a definition, an option, a state file): names the input and the reason. Changes nothing. */
export class InvalidInput extends Error {
  readonly context: Record<string, unknown>;

  constructor(message: string, context?: Record<string, unknown>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'InvalidInput';
    this.context = context ?? {};
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
