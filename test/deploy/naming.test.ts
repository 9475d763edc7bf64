import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../src/core/errors.ts';
import { NAME_LIMITS, checkStage, isProductionStage, resourceName, type NamedKind } from '../../stacks/naming.ts';

describe('isProductionStage', () => {
  it('treats prod and production as production, every other stage as disposable', () => {
    expect(isProductionStage('prod')).toBe(true);
    expect(isProductionStage('production')).toBe(true);
    expect(isProductionStage('dev')).toBe(false);
    expect(isProductionStage('prod-eu')).toBe(false);
  });
});

describe('checkStage', () => {
  it('accepts lower-case stage names', () => {
    expect(checkStage('dev')).toBe('dev');
    expect(checkStage('pr-123')).toBe('pr-123');
  });

  it('refuses stages that would make invalid or colliding names, naming the stage', () => {
    for (const bad of ['', 'Prod', '1dev', 'dev_x', 'a'.repeat(21)]) {
      expect(() => checkStage(bad)).toThrow(InvalidInput);
    }
    expect(() => checkStage('Prod')).toThrow(/stage "Prod"/);
  });
});

describe('resourceName', () => {
  it('joins app, stage and part', () => {
    expect(resourceName('switchyard', 'prod', 'DrainCluster', 'stateMachine')).toBe('switchyard-prod-DrainCluster');
  });

  it('refuses a name longer than AWS allows for its kind, saying which limit', () => {
    expect(() => resourceName('switchyard', 'prod', 'x'.repeat(60), 'function')).toThrow(/function name .* is 76 characters, AWS allows 64/);
    expect(() => resourceName('switchyard', 'prod', 'bad/part', 'role')).toThrow(InvalidInput);
  });

  it('never returns a name over the limit of its kind (property)', () => {
    const kinds = Object.keys(NAME_LIMITS) as NamedKind[];
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,19}$/),
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,90}$/),
        (kind, stage, part) => {
          try {
            expect(resourceName('switchyard', stage, part, kind).length).toBeLessThanOrEqual(NAME_LIMITS[kind]);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidInput);
            expect(`switchyard-${stage}-${part}`.length).toBeGreaterThan(NAME_LIMITS[kind]);
          }
        },
      ),
    );
  });
});
