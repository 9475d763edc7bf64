// parseName's path for plain names (letters, digits, `-`, `_`, no escapes) against the
// general parser it stands in front of: for any input, the same name, labels or problem.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEscapedName, parseName } from '../../../src/route53/names.ts';

/** Mostly plain characters, with dots, upper case and a few that need the general parser. */
const CHARS = ['a', 'z', 'q', '0', '9', '-', '_', 'A', 'Z', '.', '.', '*', '\\', ' ', '0', '7'];
const label = (max: number) => fc.array(fc.constantFrom(...CHARS.filter((c) => c !== '.')), { maxLength: max }).map((cs) => cs.join(''));

describe('parseName on plain names', () => {
  it('answers what the general parser answers, for names of any shape', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CHARS), { maxLength: 40 }), (chars) => {
        const input = chars.join('');
        expect(parseName(input)).toEqual(parseEscapedName(input));
      }),
    );
  });

  it('answers what the general parser answers at the label and name length limits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(label(8), label(70), fc.constant('a'.repeat(63)), fc.constant('b'.repeat(64))), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (labels, dot) => {
          const input = `${labels.join('.')}${dot ? '.' : ''}`;
          expect(parseName(input)).toEqual(parseEscapedName(input));
        },
      ),
    );
  });

  it.each(['', '.', '..', 'a..', '..a', 'a..b', '.a', 'a.', 'a'])('answers what the general parser answers for %j', (input) => {
    expect(parseName(input)).toEqual(parseEscapedName(input));
  });

  it('reads a usual name', () => {
    expect(parseName('App-01.Example.com')).toEqual({ ok: true, name: 'app-01.example.com.', labels: ['app-01', 'example', 'com'] });
  });
});
