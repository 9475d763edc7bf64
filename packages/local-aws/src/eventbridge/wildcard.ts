// EventBridge `wildcard` values, pure: parsing (with Event Ruler's errors), matching, and
// the complexity score EventBridge uses to refuse wildcard patterns that would make
// matching slow (docs/local-runtime.md, "Event patterns").
//
// Event Ruler works on the UTF-8 bytes of the value wrapped in double quotes, so error
// positions count from the opening quote and the complexity counts the quotes as bytes.

/** A literal byte, or STAR for `*` (any run of bytes, possibly empty). */
export type WildcardToken = number;
export const STAR = -1;

export class WildcardSyntaxError extends Error {}

/**
 * Parses a wildcard value: `*` is a wildcard, `\*` a literal star, `\\` a literal
 * backslash; `**` and any other escape are errors, with Event Ruler's message and byte
 * position. The tokens include the surrounding quotes, as in EventBridge, unless
 * `quoted` is false.
 */
export function parseWildcard(text: string, quoted = true): WildcardToken[] {
  const bytes = new TextEncoder().encode(quoted ? `"${text}"` : text);
  const tokens: WildcardToken[] = [];
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index]!;
    if (byte === 0x2a) {
      if (bytes[index + 1] === 0x2a) throw new WildcardSyntaxError(`Consecutive wildcard characters at pos ${index}`);
      tokens.push(STAR);
    } else if (byte === 0x5c) {
      const next = bytes[index + 1];
      if (next !== 0x2a && next !== 0x5c) throw new WildcardSyntaxError(`Invalid escape character at pos ${index}`);
      tokens.push(next);
      index += 1;
    } else {
      tokens.push(byte);
    }
  }
  return tokens;
}

/** A wildcard value as single characters, with null for `*`. */
export type Glob = Array<string | null>;

/** The value's characters and stars; call after `parseWildcard` has accepted it. */
export function toGlob(text: string): Glob {
  const glob: Glob = [];
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (char === '*') glob.push(null);
    else if (char === '\\') glob.push(text[(index += 1)]!);
    else glob.push(char);
  }
  return glob;
}

/**
 * True when the whole value matches. Linear in the value for each star (no backtracking
 * blow-up): on a mismatch, the last star takes one more character and matching resumes.
 */
export function globMatches(glob: Glob, value: string): boolean {
  let at = 0;
  let index = 0;
  let star = -1;
  let resume = 0;
  while (index < value.length) {
    if (at < glob.length && glob[at] !== null && glob[at] === value[index]) {
      at += 1;
      index += 1;
    } else if (at < glob.length && glob[at] === null) {
      star = at;
      at += 1;
      resume = index;
    } else if (star >= 0) {
      at = star + 1;
      resume += 1;
      index = resume;
    } else {
      return false;
    }
  }
  while (at < glob.length && glob[at] === null) at += 1;
  return at === glob.length;
}

/**
 * The complexity of a set of wildcard values on one field, as Event Ruler's
 * MachineComplexityEvaluator defines it: the largest number of wildcard-pattern prefixes
 * that one input can match at once, over every possible input. A prefix that ends with
 * `*` counts apart from the prefix before it ("a*b" on "ab": "a*" and "a*b" count 2);
 * identical patterns count once. Evaluation stops once `cap` is reached.
 */
export function wildcardComplexity(patterns: readonly WildcardToken[][], cap = Number.POSITIVE_INFINITY): number {
  const unique = [...new Map(patterns.map((tokens) => [tokens.join(','), tokens])).values()];
  if (unique.length === 0) return 0;
  // The bytes that make a difference; every other byte behaves like one representative.
  const alphabet = [...new Set(unique.flatMap((tokens) => tokens.filter((token) => token !== STAR)))];
  const OTHER = -2;
  alphabet.push(OTHER);

  // The positions of each pattern whose prefix matches the input so far (epsilon-closed over stars).
  const close = (tokens: WildcardToken[], positions: Set<number>): Set<number> => {
    for (const position of [...positions].sort((a, b) => a - b)) {
      let next = position;
      while (tokens[next] === STAR) positions.add((next += 1));
    }
    return positions;
  };
  const step = (tokens: WildcardToken[], positions: Set<number>, byte: number): Set<number> => {
    const next = new Set<number>();
    for (const position of positions) {
      if (position > 0 && tokens[position - 1] === STAR) next.add(position);
      if (position < tokens.length && tokens[position] === byte) next.add(position + 1);
    }
    return close(tokens, next);
  };
  const score = (state: Set<number>[]): number => state.reduce((sum, positions) => sum + [...positions].filter((position) => position > 0).length, 0);
  const key = (state: Set<number>[]): string => state.map((positions) => [...positions].sort((a, b) => a - b).join('.')).join('|');

  const start = unique.map((tokens) => close(tokens, new Set([0])));
  const seen = new Set([key(start)]);
  const queue = [start];
  let worst = 0;
  while (queue.length > 0) {
    const state = queue.shift()!;
    for (const byte of alphabet) {
      const next = state.map((positions, index) => step(unique[index]!, positions, byte));
      const value = score(next);
      if (value === 0) continue;
      worst = Math.max(worst, value);
      if (worst >= cap) return cap;
      const id = key(next);
      if (!seen.has(id)) {
        seen.add(id);
        queue.push(next);
      }
    }
  }
  return worst;
}
