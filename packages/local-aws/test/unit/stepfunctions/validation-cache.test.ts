import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The process-wide cache reads its folder from the environment when first used.
const folder = mkdtempSync(join(tmpdir(), 'switchyard-asl-cache-'));
process.env['LOCAL_AWS_ASL_CACHE'] = folder;
const { validateAsl } = await import('../../../src/stepfunctions/definition.ts');
const { validationCache } = await import('../../../src/stepfunctions/validation-cache.ts');
afterAll(() => {
  delete process.env['LOCAL_AWS_ASL_CACHE'];
});

const valid = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } };
const invalid = { StartAt: 'Missing', States: { Done: { Type: 'Succeed' } } };

describe('validationCache', () => {
  it('remembers a valid definition for another process using the same folder and validator', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-asl-'));
    validationCache({ folder: dir, salt: 'asl-validator@4' }).rememberValid('{"a":1}');
    // Act
    const later = validationCache({ folder: dir, salt: 'asl-validator@4' });
    // Assess
    expect(later.isKnownValid('{"a":1}')).toBe(true);
    expect(later.isKnownValid('{"a":2}')).toBe(false);
  });

  it('forgets everything when the validator (the salt) differs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-asl-'));
    validationCache({ folder: dir, salt: 'asl-validator@4.0.0' }).rememberValid('{"a":1}');
    expect(validationCache({ folder: dir, salt: 'asl-validator@4.1.0' }).isKnownValid('{"a":1}')).toBe(false);
  });

  it('without a folder, or with one it cannot write, remembers for the process only', () => {
    // Prepare
    const blocker = join(mkdtempSync(join(tmpdir(), 'switchyard-asl-')), 'a-file');
    writeFileSync(blocker, 'not a folder');
    const memoryOnly = validationCache({ folder: undefined, salt: 's' });
    const unwritable = validationCache({ folder: join(blocker, 'cache'), salt: 's' });
    // Act
    memoryOnly.rememberValid('x');
    unwritable.rememberValid('x');
    // Assess
    expect(memoryOnly.isKnownValid('x')).toBe(true);
    expect(unwritable.isKnownValid('x')).toBe(true);
    expect(validationCache({ folder: join(blocker, 'cache'), salt: 's' }).isKnownValid('x')).toBe(false);
  });
});

describe('validateAsl with the cache', () => {
  it('refuses an invalid definition every time (refusals are never remembered)', () => {
    expect(() => validateAsl(structuredClone(invalid), 'first')).toThrow(/first: SCHEMA_VALIDATION_FAILED/);
    expect(() => validateAsl(structuredClone(invalid), 'second')).toThrow(/second: SCHEMA_VALIDATION_FAILED/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('records a valid definition on disk once, and a changed definition is validated afresh', () => {
    // Act
    validateAsl(structuredClone(valid));
    validateAsl(structuredClone(valid));
    // Assess
    expect(readdirSync(folder)).toHaveLength(1);
    const broken = { ...valid, StartAt: 'Nowhere' };
    expect(() => validateAsl(broken, 'changed')).toThrow(/changed: SCHEMA_VALIDATION_FAILED/);
  });
});
