// EventBridge event patterns, pure: compile a pattern once, validating it as EventBridge
// does, then test events against it. EventBridge runs the Event Ruler library; this
// follows its documented semantics (docs/local-runtime.md, "Event patterns"):
// - a pattern compiles to field paths joined with "." (so `{"a":{"b":[1]}}` and
//   `{"a.b":[1]}` are the same rule) and each `$or` multiplies the rule into alternatives;
//   a path given twice keeps its last value list;
// - an event flattens the same way, so `{"a":{"b":1}}` and `{"a.b":1}` are the same event;
//   an array in the event matches when any element matches, and fields matched inside
//   objects of an array must come from the same element (array-consistent matching);
// - the values of a field are ORed, the fields ANDed; matching is in `pattern-match.ts`;
// - validation refuses what Event Ruler refuses, with its message, and wildcard patterns
//   whose complexity EventBridge refuses.
import { BlockList } from 'node:net';
import { ipFamily, looksLikeIp, matchRules, type Bound, type Matcher, type SubRule } from './pattern-match.ts';
export { FlattenedEvent } from './pattern-match.ts';
import { parseWildcard, toGlob, wildcardComplexity, WildcardSyntaxError, type WildcardToken } from './wildcard.ts';

/** Raised for an invalid pattern; `message` is what EventBridge answers. */
export class InvalidEventPattern extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternException';
    this.reason = reason;
  }
}

/** Above this wildcard complexity on one field, EventBridge refuses the rule. */
export const MAX_WILDCARD_COMPLEXITY = 10;
export const TOO_COMPLEX = 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';

/** A validated pattern, ready to match many events. */
export class CompiledPattern {
  readonly source: Record<string, unknown>;
  /** The alternatives the pattern compiles to; an event matches when one of them does. */
  readonly rules: readonly SubRule[];

  constructor(source: Record<string, unknown>, rules: SubRule[]) {
    this.source = source;
    this.rules = rules;
  }

  /** `event` as received, or flattened once (FlattenedEvent) when it is matched against many patterns. */
  matches(event: unknown): boolean {
    return matchRules(this.rules, event);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isLeaf = (value: unknown): value is string | number | boolean | null => value === null || ['string', 'number', 'boolean'].includes(typeof value);
const fail = (reason: string): never => {
  throw new InvalidEventPattern(reason);
};

/** Field names Event Ruler keeps for operators: not allowed inside `$or` alternatives. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** Parses and validates pattern JSON text (or an already parsed value). */
export function compilePattern(pattern: string | unknown): CompiledPattern {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = JSON.parse(pattern, keepNumberLiterals);
    } catch (error) {
      fail(`Unrecognized JSON: ${(error as Error).message}`);
    }
  }
  if (!isPlainObject(value)) fail('Filter is not an object');
  const source = value as Record<string, unknown>;
  const rules: SubRule[] = [];
  compileObject(source, [], rules, false);
  checkComplexity(rules);
  return new CompiledPattern(source, rules);
}

/** Event Ruler reads `$or` as OR for an array of objects; anything else is an ordinary field name (its legacy reading). */
function isOr(key: string, value: unknown): value is unknown[] {
  return (
    key === '$or' &&
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((item) => isPlainObject(item) && !Object.keys(item).some((name) => RESERVED_IN_OR.has(name)))
  );
}

function compileObject(object: Record<string, unknown>, path: string[], rules: SubRule[], insideOr: boolean): void {
  const entries = Object.entries(object);
  if (entries.length === 0) fail('Empty objects are not allowed');
  for (const [key, value] of entries) {
    if (isOr(key, value)) {
      compileOr(value, path, rules);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) fail(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    if (isPlainObject(value)) compileObject(value, [...path, key], rules, insideOr);
    else if (Array.isArray(value)) addField(rules, [...path, key].join('.'), value);
    else fail(`"${key}" must be an object or an array`);
  }
}

function compileOr(alternatives: unknown[], path: string[], rules: SubRule[]): void {
  const before = rules.map((rule) => new Map(rule));
  rules.length = 0;
  for (const alternative of alternatives) {
    const branch = before.length === 0 ? [new Map()] : before.map((rule) => new Map(rule));
    compileObject(alternative as Record<string, unknown>, path, branch, true);
    rules.push(...branch);
  }
}

function addField(rules: SubRule[], path: string, values: unknown[]): void {
  const matchers = values.map((value) => compileValue(value));
  if (matchers.length === 0) fail('Empty arrays are not allowed');
  if (rules.length === 0) rules.push(new Map());
  for (const rule of rules) rule.set(path, matchers);
}

function compileValue(value: unknown): Matcher {
  if (typeof value === 'string') return ipMatcher(value) ?? { kind: 'exact', value };
  if (isLeaf(value)) return { kind: 'exact', value };
  if (!isPlainObject(value)) return fail('Match value must be String, number, true, false, or null');
  const keys = Object.keys(value);
  if (keys.length === 0) fail('Match expression name not found');
  const kind = keys[0]!;
  const matcher = compileOperator(kind, value[kind], value);
  if (keys.length > 1)
    fail(kind === 'numeric' || kind === 'anything-but' ? 'Too many elements in numeric expression' : 'Only one key allowed in match expression');
  return matcher;
}

function compileOperator(kind: string, operand: unknown, holder: Record<string, unknown>): Matcher {
  switch (kind) {
    case 'exactly':
      if (typeof operand !== 'string') fail('exact match pattern must be a string');
      return { kind: 'exact', value: operand as string };
    case 'prefix':
    case 'suffix':
      if (isPlainObject(operand)) return { kind, value: ignoreCaseOperand(kind, operand), ignoreCase: true };
      if (typeof operand !== 'string') fail(`${kind} match pattern must be a string`);
      return { kind, value: operand as string, ignoreCase: false };
    case 'equals-ignore-case':
      if (typeof operand !== 'string') fail('equals-ignore-case match pattern must be a string');
      return { kind, value: operand as string };
    case 'wildcard':
      if (typeof operand !== 'string') fail('wildcard match pattern must be a string');
      return wildcardMatcher(operand as string);
    case 'numeric':
      return numericMatcher(operand);
    case 'exists':
      if (typeof operand !== 'boolean') fail('exists match pattern must be either true or false.');
      return { kind, value: operand as boolean };
    case 'cidr':
      // Event Ruler's message for a non-string CIDR names prefix: kept as EventBridge answers.
      if (typeof operand !== 'string') fail('prefix match pattern must be a string');
      return cidrMatcher(operand as string);
    case 'anything-but':
      return { kind, excluded: anythingBut(operand, holder) };
    default:
      return fail(`Unrecognized match type ${kind}`);
  }
}

function ignoreCaseOperand(kind: 'prefix' | 'suffix', operand: Record<string, unknown>): string {
  const keys = Object.keys(operand);
  const label = kind === 'prefix' ? 'Prefix' : 'Suffix';
  if (keys.length === 0) fail(`${label} expression name not found`);
  if (keys[0] !== 'equals-ignore-case') fail(`Unsupported ${kind} pattern: ${keys[0]}`);
  if (typeof operand['equals-ignore-case'] !== 'string') fail('equals-ignore-case match pattern must be a string');
  if (keys.length > 1) fail('Only one key allowed in match expression');
  return operand['equals-ignore-case'] as string;
}

function wildcardMatcher(text: string): Matcher {
  try {
    const tokens = parseWildcard(text);
    return { kind: 'wildcard', glob: toGlob(text), tokens };
  } catch (error) {
    if (error instanceof WildcardSyntaxError) fail(error.message);
    throw error;
  }
}

// ---- anything-but ----------------------------------------------------------------------

function anythingBut(operand: unknown, holder: Record<string, unknown>): Matcher[] {
  if (isPlainObject(operand)) return anythingButSet(operand);
  if (typeof operand === 'string' || typeof operand === 'number') return [anythingButValue(operand, literalOf(holder, 'anything-but', operand))];
  if (!Array.isArray(operand)) return fail('Value of anything-but must be an array or single string/number value.');
  if (operand.some((item) => typeof item !== 'string' && typeof item !== 'number')) fail('Inside anything but list, start|null|boolean is not supported.');
  const strings = operand.some((item) => typeof item === 'string');
  const numbers = operand.some((item) => typeof item === 'number');
  if (strings === numbers) fail('Inside anything but list, either all values are number or string, mixed type is not supported');
  return operand.map((item: string | number, index) => anythingButValue(item, literalOf(operand, String(index), item)));
}

function anythingButValue(value: string | number, literal: string): Matcher {
  if (typeof value === 'number') return { kind: 'exact', value: comparableNumber(value, literal) };
  return { kind: 'exact', value };
}

/** `{"anything-but": {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": value or list}}`. */
function anythingButSet(operand: Record<string, unknown>): Matcher[] {
  const keys = Object.keys(operand);
  if (keys.length === 0) fail('Anything-But expression name not found');
  const kind = keys[0]!;
  if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(kind)) fail(`Unsupported anything-but pattern: ${kind}`);
  const value = operand[kind];
  if (!Array.isArray(value) && typeof value !== 'string' && typeof value !== 'number') {
    fail('Value of anything-but must be an array or single string/number value.');
  }
  const texts = (Array.isArray(value) ? value : [value]).map((item) => {
    if (typeof item !== 'string') {
      if (kind === 'equals-ignore-case') fail('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
      if (kind === 'wildcard') fail('wildcard match pattern must be a string');
      fail('prefix/suffix match pattern must be a string');
    }
    if ((kind === 'prefix' || kind === 'suffix') && item === '') fail('Null prefix/suffix not allowed');
    return item as string;
  });
  if (keys.length > 1) fail('Too many elements in numeric expression');
  return texts.map((text): Matcher => {
    switch (kind) {
      case 'prefix':
      case 'suffix':
        return { kind, value: text, ignoreCase: false };
      case 'equals-ignore-case':
        return { kind, value: text };
      default:
        return wildcardMatcher(text);
    }
  });
}

// ---- numbers ---------------------------------------------------------------------------

// The source text of the pattern's numbers, by the object or array holding them: Event
// Ruler reads a number from its text and refuses one that no double represents exactly.
const numberLiterals = new WeakMap<object, Map<string, string>>();

function keepNumberLiterals(this: unknown, key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && context?.source !== undefined && this !== null && typeof this === 'object') {
    const literals = numberLiterals.get(this) ?? new Map<string, string>();
    literals.set(key, context.source);
    numberLiterals.set(this, literals);
  }
  return value;
}

function literalOf(holder: object, key: string, value: unknown): string {
  return numberLiterals.get(holder)?.get(key) ?? String(value);
}

/** A decimal in canonical form: sign, significant digits, exponent. */
function canonicalDecimal(text: string): string | undefined {
  const parts = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (parts === null) return undefined;
  const [, sign, whole, fraction = '', exponent = '0'] = parts;
  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  let power = Number(exponent) - fraction.length;
  if (digits === '') return '0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    power += 1;
  }
  return `${sign}${digits}e${power}`;
}

/** Event Ruler compares numbers as IEEE-754 doubles and refuses a number no double holds exactly. */
function comparableNumber(value: number, literal: string): number {
  if (!Number.isFinite(value) || canonicalDecimal(literal) !== canonicalDecimal(String(value))) fail(`Cannot compare number : ${literal}`);
  return value;
}

function numericMatcher(operand: unknown): Matcher {
  if (!Array.isArray(operand)) return fail('Value of numeric must be an array.');
  const [operator, , second, , ...rest] = operand;
  if (typeof operator !== 'string') return fail(`Invalid member in numeric match: ${operand.length === 0 ? ']' : JSON.stringify(operator)}`);
  const numberAt = (name: string, index: number): number => {
    const candidate = operand[index];
    if (typeof candidate !== 'number') fail(`Value of ${name} must be numeric`);
    return comparableNumber(candidate as number, literalOf(operand, String(index), candidate));
  };
  switch (operator) {
    case '=': {
      const exact = numberAt('equals', 1);
      if (operand.length > 2) fail('Too many elements in numeric expression');
      return { kind: 'numeric', lower: { value: exact, open: false }, upper: { value: exact, open: false } };
    }
    case '<':
    case '<=': {
      const upper = numberAt(operator, 1);
      if (operand.length > 2) fail('Too many elements in numeric expression');
      return { kind: 'numeric', upper: { value: upper, open: operator === '<' } };
    }
    case '>':
    case '>=': {
      const lower: Bound = { value: numberAt(operator, 1), open: operator === '>' };
      if (operand.length === 2) return { kind: 'numeric', lower };
      if (typeof second !== 'string') return fail(`Bad value in numeric range: ${JSON.stringify(second)}`);
      if (second !== '<' && second !== '<=') fail(`Bad numeric range operator: ${second}`);
      const upper: Bound = { value: numberAt(second, 3), open: second === '<' };
      if (rest.length > 0) fail('Too many terms in numeric range expression');
      if (lower.value >= upper.value) fail('Bottom must be less than top');
      return { kind: 'numeric', lower, upper };
    }
    default:
      return fail(`Unrecognized numeric range operator: ${operator}`);
  }
}

// ---- IP addresses ----------------------------------------------------------------------

/** An exact string that is an IP address matches that address however it is written, as in Event Ruler. */
function ipMatcher(text: string): Matcher | undefined {
  const family = ipFamily(text);
  if (family === undefined) return undefined;
  const block = new BlockList();
  block.addAddress(text, family);
  return { kind: 'ip', block, family, text };
}

function cidrMatcher(text: string): Matcher {
  const parts = text.split('/');
  while (parts.at(-1) === '') parts.pop(); // as Java's split, which drops trailing empty parts
  if (parts.length !== 2) fail("Malformed CIDR, one '/' required");
  const [address, bits] = parts as [string, string];
  if (!/^[+-]?\d+$/.test(bits)) fail('Malformed CIDR, mask bits must be an integer');
  const prefix = Number(bits);
  if (prefix < 0) fail('Malformed CIDR, mask bits must not be negative');
  const family = ipFamily(address);
  if (family === undefined) {
    fail(looksLikeIp(address) ? `Invalid IP address: ${address}` : `Nonstandard IP address: ${address}`);
  }
  if (family === 'ipv4' && prefix > 31) fail('IPv4 mask bits must be < 32');
  if (family === 'ipv6' && prefix > 127) fail('IPv6 mask bits must be < 128');
  const block = new BlockList();
  block.addSubnet(address, prefix, family);
  return { kind: 'ip', block, family: family!, text };
}

// ---- wildcard complexity ---------------------------------------------------------------

/** The wildcard values of a matcher list (wildcard and anything-but wildcard). */
function wildcardTokens(matchers: readonly Matcher[]): WildcardToken[][] {
  return matchers.flatMap((matcher) => {
    if (matcher.kind === 'wildcard') return [matcher.tokens];
    if (matcher.kind === 'anything-but') return wildcardTokens(matcher.excluded);
    return [];
  });
}

/**
 * Refuses a pattern whose wildcards are too complex. Like Event Ruler's machine, fields
 * are taken in name order and the alternatives of a `$or` share a field's matcher while
 * the fields before it are the same.
 */
function checkComplexity(rules: readonly SubRule[]): void {
  const machines = new Map<string, WildcardToken[][]>();
  for (const rule of rules) {
    let before = '';
    for (const path of [...rule.keys()].sort()) {
      const matchers = rule.get(path)!;
      const tokens = wildcardTokens(matchers);
      if (tokens.length > 0) machines.set(`${before}\u0000${path}`, [...(machines.get(`${before}\u0000${path}`) ?? []), ...tokens]);
      before += `\u0000${path}=${JSON.stringify(matchers, (key, value) => (key === 'block' ? undefined : value))}`;
    }
  }
  for (const tokens of machines.values()) {
    if (wildcardComplexity(tokens, MAX_WILDCARD_COMPLEXITY + 1) > MAX_WILDCARD_COMPLEXITY) fail(TOO_COMPLEX);
  }
}

/** True when the event matches the pattern (compiled, or given as JSON text or a value). */
export function matchesPattern(pattern: CompiledPattern | string | Record<string, unknown>, event: unknown): boolean {
  return (pattern instanceof CompiledPattern ? pattern : compilePattern(pattern)).matches(event);
}
