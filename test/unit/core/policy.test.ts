import { describe, expect, it } from 'vitest';
import { droppedReason, policyFor, POLICIES } from '../../../src/core/policy.ts';

describe('sync policies', () => {
  it.each([
    ['sync', { create: true, update: true, delete: true }],
    ['upsert-only', { create: true, update: true, delete: false }],
    ['create-only', { create: true, update: false, delete: false }],
  ] as const)('%s', (name, allowed) => {
    const policy = policyFor(name);
    expect(policy).toBe(POLICIES[name]);
    for (const kind of ['create', 'update', 'delete'] as const) expect(policy.allows(kind)).toBe(allowed[kind]);
  });

  it('names the known policies when given an unknown one', () => {
    expect(() => policyFor('mirror')).toThrow(/unknown sync policy "mirror" \(known: sync, upsert-only, create-only\)/);
  });

  it('explains a dropped change', () => {
    expect(droppedReason(POLICIES['upsert-only'], 'delete')).toBe('policy upsert-only does not allow deletes');
  });
});
