// Matching compiled EventBridge patterns against events, pure, as Event Ruler does it
// (docs/local-runtime.md, "Event patterns"):
// - the event is flattened to fields named by their path joined with "." (so a key that
//   contains a dot and the same keys nested are one field), one field per leaf value
//   (string, number, true, false, null); objects and empty arrays hold no field;
// - a field inside an object that is an array element remembers which element it came
//   from; the fields one match uses must agree on every array they share;
// - `exists: false` holds when no field of that path agrees with the elements chosen so far.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { globMatches, type Glob } from './wildcard.ts';

export type Leaf = string | number | boolean | null;

export interface Bound {
  value: number;
  open: boolean;
}

export type Matcher =
  | { kind: 'exact'; value: Leaf }
  | { kind: 'prefix'; value: string; ignoreCase: boolean }
  | { kind: 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; glob: Glob; tokens: number[] }
  | { kind: 'numeric'; lower?: Bound; upper?: Bound }
  | { kind: 'exists'; value: boolean }
  | { kind: 'ip'; block: BlockList; family: 'ipv4' | 'ipv6'; text: string }
  | { kind: 'anything-but'; excluded: Matcher[] };

/** One alternative of a pattern: field path → the matchers of which one must match. */
export type SubRule = Map<string, Matcher[]>;

/** array id → element index: the elements a match has chosen so far. */
type Membership = ReadonlyMap<number, number>;

/** The array elements a field sits in, innermost first (shared between fields). */
interface Element {
  array: number;
  index: number;
  outer: Element | undefined;
}

interface Field {
  value: Leaf;
  elements: Element | undefined;
}

// The shapes Event Ruler treats as IP address literals.
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

export const looksLikeIp = (text: string): boolean => IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);

export function ipFamily(text: string): 'ipv4' | 'ipv6' | undefined {
  if (IPV4_SHAPE.test(text) && isIPv4(text)) return 'ipv4';
  if (IPV6_SHAPE.test(text) && isIPv6(text)) return 'ipv6';
  return undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The event's fields by path (iterative: an event of any depth is flattened without recursion). */
export function flattenEvent(event: unknown): Map<string, Field[]> {
  const fields = new Map<string, Field[]>();
  if (!isPlainObject(event)) return fields;
  let arrays = 0;
  const pending: Array<{ value: unknown; path: string; elements: Element | undefined }> = [{ value: event, path: '', elements: undefined }];
  while (pending.length > 0) {
    const { value, path, elements } = pending.pop()!;
    if (Array.isArray(value)) {
      const array = arrays++;
      value.forEach((item, index) => {
        // Elements that are objects or arrays remember their index; leaves do not (as in Event Ruler).
        const inside = item !== null && typeof item === 'object' ? { array, index, outer: elements } : elements;
        pending.push({ value: item, path, elements: inside });
      });
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) pending.push({ value: item, path: path === '' ? key : `${path}.${key}`, elements });
    } else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      const list = fields.get(path) ?? [];
      list.push({ value: value as Leaf, elements });
      fields.set(path, list);
    }
  }
  return fields;
}

/** The memberships of both, or undefined when they disagree on an array. */
function consistent(soFar: Membership, field: Element | undefined): Membership | undefined {
  let merged: Map<number, number> | undefined;
  for (let element = field; element !== undefined; element = element.outer) {
    const previous = soFar.get(element.array);
    if (previous === undefined) (merged ??= new Map(soFar)).set(element.array, element.index);
    else if (previous !== element.index) return undefined;
  }
  return merged ?? soFar;
}

/** Each rule's paths, sorted once (compiled rules never change). */
const sortedEntries = new WeakMap<SubRule, Array<[string, Matcher[]]>>();

function entriesOf(rule: SubRule): Array<[string, Matcher[]]> {
  let entries = sortedEntries.get(rule);
  if (entries === undefined) {
    entries = [...rule.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    sortedEntries.set(rule, entries);
  }
  return entries;
}

/** An event flattened once, to be matched against many patterns (a bus routes one event to all its rules). */
export class FlattenedEvent {
  readonly fields: Map<string, Field[]>;

  constructor(event: unknown) {
    this.fields = flattenEvent(event);
  }
}

/** True when one of the alternatives matches the event. */
export function matchRules(rules: readonly SubRule[], event: unknown): boolean {
  const { fields } = event instanceof FlattenedEvent ? event : new FlattenedEvent(event);
  return rules.some((rule) => matchFrom(entriesOf(rule), 0, new Map(), fields));
}

function matchFrom(entries: Array<[string, Matcher[]]>, index: number, membership: Membership, fields: Map<string, Field[]>): boolean {
  if (index === entries.length) return true;
  const [path, matchers] = entries[index]!;
  const candidates = fields.get(path) ?? [];
  for (const field of candidates) {
    const next = consistent(membership, field.elements);
    if (next !== undefined && matchers.some((matcher) => matchLeaf(matcher, field.value)) && matchFrom(entries, index + 1, next, fields)) return true;
  }
  const absent =
    matchers.some((matcher) => matcher.kind === 'exists' && !matcher.value) &&
    !candidates.some((field) => consistent(membership, field.elements) !== undefined);
  return absent && matchFrom(entries, index + 1, membership, fields);
}

export function matchLeaf(matcher: Matcher, leaf: Leaf): boolean {
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
      return typeof leaf === 'string' && globMatches(matcher.glob, leaf);
    case 'numeric':
      return typeof leaf === 'number' && withinBounds(leaf, matcher.lower, matcher.upper);
    case 'ip':
      return typeof leaf === 'string' && ipFamily(leaf) === matcher.family && matcher.block.check(leaf, matcher.family);
    case 'anything-but':
      return !matcher.excluded.some((excluded) => matchLeaf(excluded, leaf));
    case 'exists':
      // exists: true holds for any value; exists: false is decided by the field's absence.
      return matcher.value;
  }
}

function withinBounds(value: number, lower: Bound | undefined, upper: Bound | undefined): boolean {
  if (lower !== undefined && (lower.open ? value <= lower.value : value < lower.value)) return false;
  if (upper !== undefined && (upper.open ? value >= upper.value : value > upper.value)) return false;
  return true;
}
