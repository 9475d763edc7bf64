// Sync policies: small named filters over planned changes (external-dns plan/policy.go). Pure.
import { InvalidInput } from './errors.ts';
import { SYNC_POLICIES, type SyncPolicy } from './model.ts';

/**
 * What a planned change does to a record set. An `update` is an UPSERT, or a DELETE+CREATE
 * of the same set where Route 53 cannot UPSERT (routing policy, alias↔values, failover role).
 */
export type ChangeKind = 'create' | 'update' | 'delete';

export interface ChangePolicy {
  name: SyncPolicy;
  /** True when the policy lets this kind of change through. */
  allows(kind: ChangeKind): boolean;
}

export const POLICIES: Readonly<Record<SyncPolicy, ChangePolicy>> = Object.freeze({
  sync: { name: 'sync', allows: () => true },
  'upsert-only': { name: 'upsert-only', allows: (kind: ChangeKind) => kind !== 'delete' },
  'create-only': { name: 'create-only', allows: (kind: ChangeKind) => kind === 'create' },
});

/** The policy by name; InvalidInput naming the known ones otherwise. */
export function policyFor(name: string): ChangePolicy {
  if ((SYNC_POLICIES as readonly string[]).includes(name)) return POLICIES[name as SyncPolicy];
  throw new InvalidInput(`unknown sync policy "${name}" (known: ${SYNC_POLICIES.join(', ')})`, { policy: name });
}

/** Why a change of this kind is dropped under this policy (for the plan's `skipped` list). */
export function droppedReason(policy: ChangePolicy, kind: ChangeKind): string {
  return `policy ${policy.name} does not allow ${kind === 'update' ? 'updates' : kind === 'delete' ? 'deletes' : 'creates'}`;
}
