// splitExpectations (src/core/verify.ts): a step's intended sets, cut into parts that each
// fit one state-table item, must name every set once with its intended content, whatever
// the groups and the budget. fast-check prints the seed and the shrunk counterexample on failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedCount, splitExpectations, type ExpectedGroup } from '../../../src/core/verify.ts';

const group: fc.Arbitrary<ExpectedGroup> = fc
  .record({
    zoneId: fc.constantFrom('Z1', 'Z2'),
    type: fc.constantFrom('A', 'AAAA'),
    setIdentifier: fc.option(fc.constantFrom('east', 'west', 'ünï'), { nil: undefined }),
    want: fc.option(fc.record({ weight: fc.integer({ min: 0, max: 255 }), healthCheckId: fc.string({ maxLength: 12 }) }), { nil: null }),
    names: fc.uniqueArray(
      fc.stringMatching(/^[a-z0-9-]{1,20}$/).map((label) => `${label}.example.com.`),
      { minLength: 1, maxLength: 60 },
    ),
  })
  .map(({ setIdentifier, ...rest }) => (setIdentifier === undefined ? rest : { ...rest, setIdentifier }));

/** Every (group content, name) pair, as text: what the parts must name between them. */
const pairs = (groups: readonly ExpectedGroup[]) => groups.flatMap(({ names, ...content }) => names.map((name) => `${JSON.stringify(content)} ${name}`)).sort();

describe('splitExpectations', () => {
  it('names every intended set exactly once with its content, each part within the budget', () => {
    fc.assert(
      fc.property(fc.array(group, { maxLength: 6 }), fc.integer({ min: 300, max: 3000 }), (groups, maxChars) => {
        // Act
        const parts = splitExpectations(groups, maxChars);
        // Assess
        expect(pairs(parts.flat())).toEqual(pairs(groups));
        expect(expectedCount(parts.flat())).toBe(expectedCount(groups));
        for (const part of parts) {
          expect(part.length).toBeGreaterThan(0);
          expect(JSON.stringify(part).length).toBeLessThanOrEqual(maxChars);
        }
      }),
    );
  });

  it('keeps a drain step of 10,000 apps in parts that fit a DynamoDB item, and nothing in none', () => {
    // Prepare
    const names = Array.from({ length: 10_000 }, (_, i) => `app-${String(i).padStart(5, '0')}.example.com.`);
    const step: ExpectedGroup[] = [{ zoneId: 'Z1', type: 'A', setIdentifier: 'east', want: { weight: 50, healthCheckId: 'hc-east' }, names }];
    // Act
    const parts = splitExpectations(step);
    // Assess
    expect(parts.length).toBeGreaterThan(1);
    expect(Math.max(...parts.map((p) => Buffer.byteLength(JSON.stringify(p))))).toBeLessThan(400 * 1024);
    expect(parts.flat().flatMap((g) => g.names)).toEqual(names);
    expect(splitExpectations([])).toEqual([]);
  });
});
