// Execution names derived from content: the same observation asks Step Functions for the
// same name, so a duplicate delivery (or a second starter) never runs it twice.
import { createHash } from 'node:crypto';

/** Step Functions allows 80 characters of [0-9A-Za-z_-] in an execution name. */
export const MAX_EXECUTION_NAME = 80;

/** `<prefix>-<readable part>-<16 hex digits of the content hash>`, at most 80 characters. */
export function executionName(prefix: string, readable: string, content: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
  const slug = `${prefix}-${readable}`.replace(/[^0-9A-Za-z_-]+/g, '_').replace(/_+/g, '_');
  return `${slug.slice(0, MAX_EXECUTION_NAME - hash.length - 1)}-${hash}`;
}

/**
 * RecoverOperation's execution name for a run: one per run for the router and `switchyard
 * abort` (a duplicated event recovers once); Reconcile adds its own run as `attempt`, so a
 * recovery that failed is tried again by the next Reconcile.
 */
export function recoverExecutionName(executionArn: string, attempt?: string): string {
  return executionName('recover', executionArn.slice(executionArn.lastIndexOf(':') + 1), attempt === undefined ? [executionArn] : [executionArn, attempt]);
}
