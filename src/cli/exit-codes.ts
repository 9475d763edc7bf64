/** Exit codes of every `switchyard` verb. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Some changes (or the operation) failed. */
  failed: 1,
  /** Bad input: flags, config, manifests. Nothing was changed. */
  badInput: 2,
} as const;
