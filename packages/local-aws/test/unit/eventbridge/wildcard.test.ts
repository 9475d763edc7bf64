import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatches, parseWildcard, STAR, toGlob, wildcardComplexity, WildcardSyntaxError } from '../../../src/eventbridge/wildcard.ts';

describe('parseWildcard', () => {
  it('wraps the value in quotes, reads stars and escapes, and counts error positions in UTF-8 bytes from the quote', () => {
    expect(parseWildcard('a*\\*')).toEqual([0x22, 0x61, STAR, 0x2a, 0x22]);
    expect(() => parseWildcard('é**')).toThrow(new WildcardSyntaxError('Consecutive wildcard characters at pos 3'));
    expect(() => parseWildcard('ab\\')).toThrow(new WildcardSyntaxError('Invalid escape character at pos 3'));
  });
});

// Event Ruler's MachineComplexityEvaluatorTest: the expected complexity of each set of
// wildcard values (without EventBridge's quotes), with the worst input in the comment there.
const rulerCases: Array<[number, string[]]> = [
  [1, ['*']],
  [3, ['*', 'ab*c']],
  [1, ['abc']],
  [2, ['*ab']],
  [3, ['*aa']],
  [2, ['a*b']],
  [2, ['aa*']],
  [2, ['a*bc']],
  [3, ['a*bb']],
  [3, ['a*bcb']],
  [4, ['a*bbb']],
  [4, ['*ab*ad']],
  [3, ['*ab*d']],
  [4, ['*aba*']],
  [5, ['a*b*bb']],
  [4, ['a*b*cb']],
  [3, ['a*b*cd']],
  [4, ['a*b*b']],
  [4, ['a*bb*']],
  [3, ['ab*b*']],
  [3, ['ab*c', 'x*xx']],
  [4, ['*abc', '*abcde']],
  [4, ['a*bcd', 'ab*cd']],
  [4, ['a*bc', 'a*bcde']],
  [7, ['a*aaa', 'aa*aa']],
  [4, ['a*bc', 'abc*d']],
  [6, ['a*aaa', 'aaa*a']],
  [5, ['a*aax', 'aaa*x']],
  [4, ['a*bc', 'abc*']],
  [5, ['a*aa', 'aaa*']],
  [3, ['abc*', 'abcde*']],
  [6, ['ab*cd', 'ab*wx', 'ab*yz']],
  [7, ['*ab*b*b*']],
  [17, ['*a*a*a*a*a*a*a*a*']],
];

describe('wildcardComplexity', () => {
  it.each(rulerCases)('is %i for %j, as Event Ruler evaluates it', (expected, patterns) => {
    expect(wildcardComplexity(patterns.map((pattern) => parseWildcard(pattern, false)))).toBe(expected);
  });

  it('counts identical patterns once and stops at the cap', () => {
    expect(wildcardComplexity([parseWildcard('a*b', false), parseWildcard('a*b', false)])).toBe(2);
    expect(wildcardComplexity([parseWildcard('*a*a*a*a*a*a*a*a*', false)], 5)).toBe(5);
    expect(wildcardComplexity([])).toBe(0);
  });
});

describe('globMatches', () => {
  const reference = (pattern: string, value: string): boolean =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
        .join('.*')}$`,
      's',
    ).test(value);

  it('agrees with a regular-expression reference', () => {
    const pattern = fc.stringMatching(/^[ab*]{0,6}$/).filter((text) => !text.includes('**'));
    fc.assert(fc.property(pattern, fc.stringMatching(/^[ab]{0,8}$/), (text, value) => globMatches(toGlob(text), value) === reference(text, value)));
  });

  it('reads escapes as literal characters', () => {
    expect(globMatches(toGlob('a\\*b'), 'a*b')).toBe(true);
    expect(globMatches(toGlob('a\\*b'), 'axb')).toBe(false);
    expect(globMatches(toGlob('a\\\\b'), 'a\\b')).toBe(true);
  });

  it('finishes on a long value that defeats a backtracking matcher', () => {
    expect(globMatches(toGlob('*a*a*a*a*a*b'), 'a'.repeat(20_000))).toBe(false);
  });
});
