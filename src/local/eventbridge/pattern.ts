// EventBridge event pattern matching, pure: compile a pattern once (validating it the
// way EventBridge does), then test events against it. Semantics follow the EventBridge
// user guide ("Content filtering in Amazon EventBridge event patterns") and the Event
// Ruler library it runs on:
// - pattern fields are ANDed, the values in a field's array are ORed, `$or` ORs objects;
// - an array in the event matches when any of its elements matches; objects inside
//   arrays are matched element by element (array-consistent matching);
// - matchers: exact (string, number, true, false, null), prefix, suffix,
//   equals-ignore-case, wildcard, anything-but (values, prefix, suffix,
//   equals-ignore-case, wildcard), numeric ranges, exists, cidr (IPv4 and IPv6);
// - `exists` looks at leaf values only: a field holding an object does not "exist".
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../aws-json.ts';

/** Raised for an invalid pattern; `message` is what EventBridge answers. */
export class InvalidEventPattern extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternException';
    this.reason = reason;
  }
}

type Leaf = string | number | boolean | null;

type Matcher =
  | { kind: 'exact'; value: Leaf }
  | { kind: 'prefix'; value: string; ignoreCase: boolean }
  | { kind: 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; regex: RegExp }
  | { kind: 'numeric'; conditions: Array<[NumericOperator, number]> }
  | { kind: 'exists'; value: boolean }
  | { kind: 'cidr'; block: BlockList; family: 'ipv4' | 'ipv6' }
  | { kind: 'anything-but'; excluded: Matcher[] };

type NumericOperator = '=' | '<' | '<=' | '>' | '>=';

interface FieldRule {
  key: string;
  rule: { nested: PatternNode } | { matchers: Matcher[] };
}

interface PatternNode {
  fields: FieldRule[];
  /** Each entry is one `$or`: at least one of its alternatives must match. */
  ors: PatternNode[][];
}

/** A validated pattern, ready to match many events. */
export class CompiledPattern {
  readonly source: Record<string, unknown>;
  readonly root: PatternNode;

  constructor(source: Record<string, unknown>, root: PatternNode) {
    this.source = source;
    this.root = root;
  }

  matches(event: unknown): boolean {
    return matchNode(this.root, event);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isLeaf = (value: unknown): value is Leaf => value === null || ['string', 'number', 'boolean'].includes(typeof value);

// Keys that make an object a matcher rather than a nested field (Event Ruler's reserved names).
const MATCHER_KEYS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr']);

/** Parses and validates pattern JSON text (or an already parsed value). */
export function compilePattern(pattern: string | unknown): CompiledPattern {
  let value = pattern;
  if (typeof pattern === 'string') {
    if (jsonDepthExceeds(pattern)) throw new InvalidEventPattern(`Filter nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`);
    try {
      value = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPattern(`Unrecognized JSON: ${(error as Error).message}`);
    }
  }
  if (!isPlainObject(value)) throw new InvalidEventPattern('Filter is not an object');
  return new CompiledPattern(value, compileNode(value));
}

function isOrPrimitive(value: unknown): value is Record<string, unknown>[] {
  // Event Ruler reads `$or` as OR only for an array of two or more objects free of matcher keys.
  return Array.isArray(value) && value.length >= 2 && value.every((item) => isPlainObject(item) && !Object.keys(item).some((key) => MATCHER_KEYS.has(key)));
}

function compileNode(pattern: Record<string, unknown>): PatternNode {
  const node: PatternNode = { fields: [], ors: [] };
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or' && isOrPrimitive(value)) {
      node.ors.push(value.map(compileNode));
    } else if (isPlainObject(value)) {
      node.fields.push({ key, rule: { nested: compileNode(value) } });
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidEventPattern(`Empty arrays are not allowed ("${key}")`);
      node.fields.push({ key, rule: { matchers: value.map((item) => compileMatcher(item)) } });
    } else {
      throw new InvalidEventPattern(`"${key}" must be an object or an array`);
    }
  }
  return node;
}

function compileMatcher(item: unknown): Matcher {
  if (isLeaf(item)) return { kind: 'exact', value: item };
  if (!isPlainObject(item)) throw new InvalidEventPattern('Match value must be String, number, true, false, or null');
  const keys = Object.keys(item);
  if (keys.length !== 1) throw new InvalidEventPattern(`Match object must have exactly one match type, found ${keys.length}`);
  const kind = keys[0]!;
  const operand = item[kind];
  switch (kind) {
    case 'prefix':
    case 'suffix': {
      if (typeof operand === 'string') return { kind, value: operand, ignoreCase: false };
      if (isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') {
        return { kind, value: operand['equals-ignore-case'], ignoreCase: true };
      }
      throw new InvalidEventPattern(`${kind} match pattern must be a string or an equals-ignore-case object`);
    }
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw new InvalidEventPattern('equals-ignore-case match pattern must be a string');
      return { kind, value: operand };
    case 'wildcard':
      if (typeof operand !== 'string') throw new InvalidEventPattern('wildcard match pattern must be a string');
      return { kind, regex: wildcardRegex(operand) };
    case 'numeric':
      return { kind, conditions: numericConditions(operand) };
    case 'exists':
      if (typeof operand !== 'boolean') throw new InvalidEventPattern('exists match pattern must be either true or false.');
      return { kind, value: operand };
    case 'cidr':
      return cidrMatcher(operand);
    case 'anything-but':
      return { kind, excluded: anythingBut(operand) };
    default:
      throw new InvalidEventPattern(`Unrecognized match type ${kind}`);
  }
}

function anythingBut(operand: unknown): Matcher[] {
  if (typeof operand === 'string' || typeof operand === 'number') return [{ kind: 'exact', value: operand }];
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new InvalidEventPattern('Inside anything-but list, an empty list is not allowed');
    const allStrings = operand.every((value) => typeof value === 'string');
    const allNumbers = operand.every((value) => typeof value === 'number');
    if (!allStrings && !allNumbers) throw new InvalidEventPattern('Inside anything but list, values must be all strings or all numbers');
    return operand.map((value: string | number) => ({ kind: 'exact', value }));
  }
  if (isPlainObject(operand) && Object.keys(operand).length === 1) {
    const [kind, value] = Object.entries(operand)[0]!;
    const strings = (allowList: boolean): string[] => {
      if (typeof value === 'string') return [value];
      if (allowList && Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string')) return value as string[];
      throw new InvalidEventPattern(`Value of anything-but ${kind} must be a string${allowList ? ' or a list of strings' : ''}`);
    };
    switch (kind) {
      case 'prefix':
      case 'suffix': {
        const [text] = strings(false);
        if (text === '') throw new InvalidEventPattern(`Null ${kind} not allowed for anything-but`);
        return [{ kind, value: text!, ignoreCase: false }];
      }
      case 'equals-ignore-case':
        return strings(true).map((text) => ({ kind: 'equals-ignore-case', value: text }));
      case 'wildcard':
        return strings(true).map((text) => ({ kind: 'wildcard', regex: wildcardRegex(text) }));
      default:
        throw new InvalidEventPattern(`Unsupported anything-but pattern: ${kind}`);
    }
  }
  throw new InvalidEventPattern('Value of anything-but must be an array or single string/number value.');
}

/** `*` is any run of characters; `\*` a literal star and `\\` a literal backslash. */
function wildcardRegex(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '\\') {
      const next = pattern[index + 1];
      if (next !== '*' && next !== '\\') throw new InvalidEventPattern(`Invalid escape character at pos ${index}`);
      source += `\\${next}`;
      index += 1;
    } else if (char === '*') {
      if (pattern[index + 1] === '*') throw new InvalidEventPattern(`Consecutive wildcard characters at pos ${index + 1}`);
      source += '.*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function numericConditions(operand: unknown): Array<[NumericOperator, number]> {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new InvalidEventPattern('Value of numeric must be an array of operator and number pairs.');
  }
  const conditions: Array<[NumericOperator, number]> = [];
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    const value = operand[index + 1];
    if (!['=', '<', '<=', '>', '>='].includes(operator as string)) throw new InvalidEventPattern(`Unrecognized numeric range operator: ${JSON.stringify(operator)}`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidEventPattern(`Value of ${String(operator)} must be numeric`);
    conditions.push([operator as NumericOperator, value]);
  }
  const equals = conditions.filter(([operator]) => operator === '=');
  const lower = conditions.filter(([operator]) => operator === '>' || operator === '>=');
  const upper = conditions.filter(([operator]) => operator === '<' || operator === '<=');
  if (equals.length > 0 && conditions.length > 1) throw new InvalidEventPattern('"=" cannot be combined with other numeric operators');
  if (lower.length > 1 || upper.length > 1) throw new InvalidEventPattern('Numeric range may have at most one lower and one upper bound');
  if (lower.length === 1 && upper.length === 1 && lower[0]![1] >= upper[0]![1]) throw new InvalidEventPattern('Bottom must be less than top');
  return conditions;
}

function cidrMatcher(operand: unknown): Matcher {
  if (typeof operand !== 'string') throw new InvalidEventPattern('cidr match pattern must be a string');
  const [address, bits, ...rest] = operand.split('/');
  const family = isIPv4(address ?? '') ? 'ipv4' : isIPv6(address ?? '') ? 'ipv6' : undefined;
  const prefix = Number(bits);
  const max = family === 'ipv4' ? 32 : 128;
  if (family === undefined || rest.length > 0 || bits === undefined || !/^\d+$/.test(bits) || prefix > max) {
    throw new InvalidEventPattern(`Nonsensical CIDR: ${operand}`);
  }
  const block = new BlockList();
  block.addSubnet(address!, prefix, family);
  return { kind: 'cidr', block, family };
}

// ---- matching ------------------------------------------------------------------------

/** True when the event matches the pattern (compiled, or given as JSON text or a value). */
export function matchesPattern(pattern: CompiledPattern | string | Record<string, unknown>, event: unknown): boolean {
  return (pattern instanceof CompiledPattern ? pattern : compilePattern(pattern)).matches(event);
}

/** Array elements (nested arrays flattened). */
function flatten(value: unknown[]): unknown[] {
  return value.flatMap((item) => (Array.isArray(item) ? flatten(item) : [item]));
}

function matchNode(node: PatternNode, value: unknown): boolean {
  if (Array.isArray(value)) {
    const objects = flatten(value).filter(isPlainObject);
    // No object inside: the nested fields are all absent.
    if (objects.length === 0) return matchObject(node, {});
    return objects.some((object) => matchObject(node, object));
  }
  return matchObject(node, isPlainObject(value) ? value : {});
}

function matchObject(node: PatternNode, object: Record<string, unknown>): boolean {
  for (const { key, rule } of node.fields) {
    const value = Object.hasOwn(object, key) ? object[key] : undefined;
    const matched = 'nested' in rule ? matchNode(rule.nested, value) : matchField(rule.matchers, value);
    if (!matched) return false;
  }
  return node.ors.every((alternatives) => alternatives.some((alternative) => matchObject(alternative, object)));
}

/** The leaf values a field holds: itself, or the leaves of its array; objects hold none. */
function leavesOf(value: unknown): Leaf[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return flatten(value).filter(isLeaf);
  return isLeaf(value) ? [value] : [];
}

function matchField(matchers: Matcher[], value: unknown): boolean {
  const leaves = leavesOf(value);
  return matchers.some((matcher) => {
    if (matcher.kind === 'exists') return matcher.value === (leaves.length > 0);
    return leaves.some((leaf) => matchLeaf(matcher, leaf));
  });
}

function matchLeaf(matcher: Matcher, leaf: Leaf): boolean {
  switch (matcher.kind) {
    case 'exact':
      return leaf === matcher.value;
    case 'prefix':
      if (typeof leaf !== 'string') return false;
      return matcher.ignoreCase ? leaf.toLowerCase().startsWith(matcher.value.toLowerCase()) : leaf.startsWith(matcher.value);
    case 'suffix':
      if (typeof leaf !== 'string') return false;
      return matcher.ignoreCase ? leaf.toLowerCase().endsWith(matcher.value.toLowerCase()) : leaf.endsWith(matcher.value);
    case 'equals-ignore-case':
      return typeof leaf === 'string' && leaf.toLowerCase() === matcher.value.toLowerCase();
    case 'wildcard':
      return typeof leaf === 'string' && matcher.regex.test(leaf);
    case 'numeric':
      return typeof leaf === 'number' && matcher.conditions.every(([operator, bound]) => compare(leaf, operator, bound));
    case 'cidr':
      return typeof leaf === 'string' && (matcher.family === 'ipv4' ? isIPv4(leaf) : isIPv6(leaf)) && matcher.block.check(leaf, matcher.family);
    case 'anything-but':
      return !matcher.excluded.some((excluded) => matchLeaf(excluded, leaf));
    case 'exists':
      return matcher.value;
  }
}

function compare(value: number, operator: NumericOperator, bound: number): boolean {
  switch (operator) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}
