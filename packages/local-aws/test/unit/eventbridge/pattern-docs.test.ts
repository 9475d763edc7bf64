import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidEventPattern, matchesPattern } from '../../../src/eventbridge/pattern.ts';

// Cases from the EventBridge user guide ("Comparison operators for use in event patterns",
// "Content filtering", "Arrays in event patterns", "Matching null values and empty strings")
// and the Event Ruler README, one table per operator or combination.

type Case = [name: string, pattern: Record<string, unknown>, event: Record<string, unknown>, expected: boolean];

const table = (cases: Case[]) =>
  it.each(cases)('%s', (_name, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

describe('anything-but with prefix, suffix, equals-ignore-case and wildcard, single and lists', () => {
  table([
    ['anything-but prefix: other prefix', { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'eu-west-1' }, true],
    ['anything-but prefix: excluded', { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'us-east-1' }, false],
    ['anything-but prefix list: none of them', { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] }, { state: 'running' }, true],
    ['anything-but prefix list: first excluded', { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] }, { state: 'initializing' }, false],
    ['anything-but prefix list: second excluded', { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] }, { state: 'error-42' }, false],
    ['anything-but suffix', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.jpg' }, true],
    ['anything-but suffix list: none of them', { 'instance-id': [{ 'anything-but': { suffix: ['1234', '6789'] } }] }, { 'instance-id': 'i-0000' }, true],
    ['anything-but suffix list: excluded', { 'instance-id': [{ 'anything-but': { suffix: ['1234', '6789'] } }] }, { 'instance-id': 'i-6789' }, false],
    ['anything-but equals-ignore-case', { state: [{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }] }, { state: 'STOPPED' }, false],
    [
      'anything-but equals-ignore-case list',
      { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] },
      { state: 'overloaded' },
      false,
    ],
    [
      'anything-but equals-ignore-case list: other',
      { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] },
      { state: 'running' },
      true,
    ],
    ['anything-but wildcard: outside', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/bin/x' }, true],
    ['anything-but wildcard: inside', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/lib/x' }, false],
    ['anything-but wildcard list: first', { state: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] }, { state: '/a/bin/x.jar' }, false],
    ['anything-but wildcard list: second', { state: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] }, { state: '/a/bin/x.class' }, false],
    ['anything-but wildcard list: neither', { state: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] }, { state: '/a/lib/x.jar' }, true],
    ['anything-but string list matches a number', { n: [{ 'anything-but': ['a', 'b'] }] }, { n: 5 }, true],
    ['anything-but number compares numerically', { n: [{ 'anything-but': [300] }] }, { n: 3.0e2 }, false],
    ['anything-but needs a value', { n: [{ 'anything-but': { prefix: 'x' } }] }, { m: 'y' }, false],
  ]);
});

describe('prefix, suffix and equals-ignore-case', () => {
  table([
    ['prefix', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
    ['prefix equals-ignore-case', { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { service: 'eventbridge' }, true],
    ['suffix', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }, true],
    ['suffix equals-ignore-case', { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { FileName: 'IMAGE.PNG' }, true],
    ['equals-ignore-case', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alice' }, true],
    ['empty prefix matches any string', { s: [{ prefix: '' }] }, { s: 'anything' }, true],
  ]);
});

describe('numeric', () => {
  table([
    ['range', { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'c-count': 5 }, true],
    ['range, open top', { 'c-count': [{ numeric: ['>', 0, '<', 5] }] }, { 'c-count': 5 }, false],
    ['less than', { 'd-count': [{ numeric: ['<', 10] }] }, { 'd-count': 3 }, true],
    ['equals with exponent', { 'x-limit': [{ numeric: ['=', 3.018e2] }] }, { 'x-limit': 301.8 }, true],
    ['negative and fractions', { n: [{ numeric: ['>=', -1.5, '<', 0] }] }, { n: -1.5 }, true],
    ['a numeric string is not a number', { n: [{ numeric: ['>', 0] }] }, { n: '5' }, false],
  ]);
});

describe('IP addresses', () => {
  table([
    ['cidr IPv4', { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }, { sourceIPAddress: '10.0.0.255' }, true],
    ['cidr IPv4 outside', { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }, { sourceIPAddress: '10.0.1.0' }, false],
    ['cidr IPv6', { sourceIPAddress: [{ cidr: '2001:db8::/64' }] }, { sourceIPAddress: '2001:db8::ff00:42:8329' }, true],
    ['an exact IP matches the same address written differently', { ip: ['2001:db8::1'] }, { ip: '2001:0db8:0:0:0:0:0:1' }, true],
    ['a non-IP string is not in a CIDR', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 'localhost' }, false],
  ]);
});

describe('exists, null and empty strings', () => {
  table([
    ['exists true', { detail: { state: [{ exists: true }] } }, { detail: { state: 'pending' } }, true],
    ['exists true on an object is false (leaves only)', { detail: { 'c-count': [{ exists: true }] } }, { detail: { 'c-count': { c1: 100 } } }, false],
    ['exists false on an object is true (leaves only)', { detail: { 'c-count': [{ exists: false }] } }, { detail: { 'c-count': { c1: 100 } } }, true],
    ['exists false on a missing field', { detail: { 'c-count': [{ exists: false }] } }, { detail: { state: 'x' } }, true],
    ['null matches null', { responseElements: [null] }, { responseElements: null }, true],
    ['null does not match a missing field', { responseElements: [null] }, { other: 1 }, false],
    ['empty string matches empty string', { LastName: [''] }, { LastName: '' }, true],
    ['empty string does not match null', { LastName: [''] }, { LastName: null }, false],
    ['exists true holds for null', { v: [{ exists: true }] }, { v: null }, true],
    ['exists false: an empty array holds no value', { v: [{ exists: false }] }, { v: [] }, true],
  ]);
});

describe('wildcard', () => {
  table([
    [
      'leading and trailing',
      { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
      { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
      true,
    ],
    ['star matches empty', { f: [{ wildcard: 'a*b' }] }, { f: 'ab' }, true],
    ['escaped star is literal', { f: [{ wildcard: 'a\\*b' }] }, { f: 'axb' }, false],
    ['no wildcard on numbers', { f: [{ wildcard: '*' }] }, { f: 5 }, false],
  ]);
});

describe('$or, arrays and nested objects', () => {
  table([
    [
      '$or of fields',
      { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] },
      { source: 'aws.cloudwatch', namespace: 'AWS/EC2' },
      true,
    ],
    [
      '$or inside a nested object',
      { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } },
      { detail: { 'd-count': 3 } },
      true,
    ],
    ['nested $or', { source: ['s'], $or: [{ a: ['1'] }, { b: ['2'], $or: [{ c: ['3'] }, { d: ['4'] }] }] }, { source: 's', b: '2', d: '4' }, true],
    [
      'nested $or, inner fails',
      { source: ['s'], $or: [{ a: ['1'] }, { b: ['2'], $or: [{ c: ['3'] }, { d: ['4'] }] }] },
      { source: 's', b: '2', d: '5' },
      false,
    ],
    ['resources intersection', { resources: ['arn:1', 'arn:2'] }, { resources: ['arn:0', 'arn:2'] }, true],
    [
      'array of arrays',
      { employees: { firstName: ['Anna'] } },
      { employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] },
      true,
    ],
    [
      'array-consistent: different elements',
      { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      {
        employees: [
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      },
      false,
    ],
    ['array-consistent: exists false looks at the same element', { d: { a: ['1'], b: [{ exists: false }] } }, { d: [{ a: '1' }, { b: '2' }] }, true],
    ['array-consistent: exists false fails in the element that has it', { d: { a: ['1'], b: [{ exists: false }] } }, { d: [{ a: '1', b: '2' }] }, false],
  ]);
});

describe('events of any shape', () => {
  it('matches events nested deeper than the call stack', () => {
    let deep: unknown = 'x';
    for (let level = 0; level < 100_000; level += 1) deep = { a: deep };
    let arrays: unknown = 1;
    for (let level = 0; level < 100_000; level += 1) arrays = [arrays];
    expect(matchesPattern({ a: { a: ['x'] } }, deep)).toBe(false);
    expect(matchesPattern({ b: [1] }, { b: arrays })).toBe(true);
  });
});

describe('keys with dots, as Event Ruler joins paths', () => {
  table([
    ['a dotted pattern key matches nested event keys', { 'detail.state': ['running'] }, { detail: { state: 'running' } }, true],
    ['nested pattern keys match a dotted event key', { detail: { state: ['running'] } }, { 'detail.state': 'running' }, true],
    ['dotted on both sides', { detail: { 'state.status': ['running'] } }, { detail: { 'state.status': 'running' } }, true],
    ['dotted event key, mixed nesting', { detail: { state: { status: ['running'] } } }, { detail: { 'state.status': 'running' } }, true],
    ['a dotted key with another value does not match', { 'detail.state': ['running'] }, { detail: { state: 'stopped' } }, false],
    ['exists false sees a dotted event key', { detail: { state: [{ exists: false }] } }, { 'detail.state': 'x' }, false],
    ['the last of two spellings of one path wins', { detail: { state: ['a'] }, 'detail.state': ['b'] }, { detail: { state: 'b' } }, true],
    [
      'the last of two spellings of one path wins (earlier value ignored)',
      { detail: { state: ['a'] }, 'detail.state': ['b'] },
      { detail: { state: 'a' } },
      false,
    ],
  ]);
});

describe('validation as EventBridge words it', () => {
  const invalid: Array<[string, unknown, string]> = [
    ['an empty pattern', {}, 'Empty objects are not allowed'],
    ['an empty nested object', { detail: {} }, 'Empty objects are not allowed'],
    ['an empty match object', { a: [{}] }, 'Match expression name not found'],
    ['anything-but with an unknown operator', { a: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'Unsupported anything-but pattern: numeric'],
    ['anything-but prefix with an empty string', { a: [{ 'anything-but': { prefix: '' } }] }, 'Null prefix/suffix not allowed'],
    ['anything-but suffix list with an empty string', { a: [{ 'anything-but': { suffix: ['x', ''] } }] }, 'Null prefix/suffix not allowed'],
    ['anything-but prefix list with a number', { a: [{ 'anything-but': { prefix: ['x', 1] } }] }, 'prefix/suffix match pattern must be a string'],
    ['anything-but wildcard list with a number', { a: [{ 'anything-but': { wildcard: ['x*', 1] } }] }, 'wildcard match pattern must be a string'],
    ['anything-but wildcard list with a bad value', { a: [{ 'anything-but': { wildcard: ['x*', 'a**'] } }] }, 'Consecutive wildcard characters at pos 2'],
    [
      'anything-but ignore-case list with null',
      { a: [{ 'anything-but': { 'equals-ignore-case': [null] } }] },
      'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
    ],
    ['anything-but list with null', { a: [{ 'anything-but': ['x', null] }] }, 'Inside anything but list, start|null|boolean is not supported.'],
    ['anything-but with true', { a: [{ 'anything-but': true }] }, 'Value of anything-but must be an array or single string/number value.'],
    ['prefix with an unknown operator', { a: [{ prefix: { wildcard: 'x' } }] }, 'Unsupported prefix pattern: wildcard'],
    ['a cidr that is not a string', { a: [{ cidr: 10 }] }, 'prefix match pattern must be a string'],
    ['a cidr with bad mask bits', { a: [{ cidr: '10.0.0.0/x' }] }, 'Malformed CIDR, mask bits must be an integer'],
    ['a cidr on a host name', { a: [{ cidr: 'example.com/8' }] }, 'Nonstandard IP address: example.com'],
    ['numeric that is not an array', { a: [{ numeric: 5 }] }, 'Value of numeric must be an array.'],
    ['numeric equals with more', { a: [{ numeric: ['=', 5, '<', 6] }] }, 'Too many elements in numeric expression'],
    ['numeric upper bound first', { a: [{ numeric: ['<', 5, '>', 1] }] }, 'Too many elements in numeric expression'],
    ['numeric with an empty range', { a: [{ numeric: ['>=', 5, '<=', 5] }] }, 'Bottom must be less than top'],
    ['numeric with too many terms', { a: [{ numeric: ['>', 1, '<', 5, 6] }] }, 'Too many terms in numeric range expression'],
    ['numeric equals with a string', { a: [{ numeric: ['=', '5'] }] }, 'Value of equals must be numeric'],
    [
      'a reserved name inside $or',
      { $or: [{ a: ['1'] }, { b: ['2'], c: { numeric: ['x'] } }] },
      'numeric is Ruler reserved fieldName which cannot be used inside $or.',
    ],
    ['a numeric bound no double holds', '{"a":[{"numeric":[">",0,"<",1e400]}]}', 'Cannot compare number : 1e400'],
    ['a numeric bound a double only approximates', '{"a":[{"numeric":["=",0.30000000000000001]}]}', 'Cannot compare number : 0.30000000000000001'],
    ['an anything-but number no double holds', '{"a":[{"anything-but":[1,2e999]}]}', 'Cannot compare number : 2e999'],
  ];
  it.each(invalid)('rejects %s', (_name, pattern, reason) => {
    const attempt = () => compilePattern(pattern);
    expect(attempt).toThrow(InvalidEventPattern);
    expect(attempt).toThrow(`Event pattern is not valid. Reason: ${reason}`);
  });

  it('takes numbers a double holds exactly, however they are written', () => {
    expect(matchesPattern('{"a":[{"numeric":["=",3.018e2]}]}', { a: 301.8 })).toBe(true);
    expect(matchesPattern('{"a":[{"numeric":[">",-1.0E-3,"<=",1e300]}]}', { a: 0 })).toBe(true);
    expect(matchesPattern('{"a":[{"anything-but":[100.0,200]}]}', { a: 100 })).toBe(false);
  });

  it('accepts every documented operator combination in one pattern', () => {
    expect(() =>
      compilePattern({
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': { prefix: ['init', 'error'] } }, { 'anything-but': { suffix: ['ing'] } }],
          file: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          ip: [{ cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }],
          missing: [{ exists: false }],
          $or: [{ a: [{ 'equals-ignore-case': 'x' }] }, { b: [{ wildcard: 'a*b' }] }],
        },
      }),
    ).not.toThrow();
  });
});

describe('wildcard complexity', () => {
  const stacks = (count: number) => ({ detail: { 'stack-id': Array.from({ length: count }, (_, index) => ({ wildcard: `*:stack/Stack${index}/*` })) } });

  it('accepts three "*:stack/<name>/*" wildcards on one field and refuses four, as EventBridge does', () => {
    expect(() => compilePattern(stacks(3))).not.toThrow();
    expect(() => compilePattern(stacks(4))).toThrow(
      'Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  });

  it('refuses a wildcard of many repeated sequences after stars', () => {
    expect(() => compilePattern({ f: [{ wildcard: '*a*a*a*a*a*' }] })).toThrow(/Rule is too complex/);
    expect(() => compilePattern({ f: [{ wildcard: '*a*b*c*' }] })).not.toThrow();
  });

  it('counts anything-but wildcards and $or alternatives on the same field together', () => {
    expect(() => compilePattern({ f: [{ 'anything-but': { wildcard: ['*:stack/A/*', '*:stack/B/*', '*:stack/C/*', '*:stack/D/*'] } }] })).toThrow(
      /Rule is too complex/,
    );
    const alternatives = ['A', 'B', 'C', 'D'].map((name) => ({ f: [{ wildcard: `*:stack/${name}/*` }] }));
    expect(() => compilePattern({ $or: alternatives })).toThrow(/Rule is too complex/);
  });

  it('keeps wildcards on different fields apart', () => {
    expect(() => compilePattern({ f: stacks(3).detail['stack-id'], g: stacks(3).detail['stack-id'] })).not.toThrow();
  });
});

// ---- a brute-force reference ------------------------------------------------------------

/**
 * An independent reading of the documented semantics for events without arrays: walk the
 * pattern and the event side by side, treating "a.b" and {"a":{"b"}} alike by first
 * rewriting every key into its dotted path.
 */
function referencePaths(value: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const paths = new Map<string, unknown>();
  for (const [key, item] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (item !== null && typeof item === 'object' && !Array.isArray(item))
      for (const [inner, leaf] of referencePaths(item as Record<string, unknown>, path)) paths.set(inner, leaf);
    else paths.set(path, item);
  }
  return paths;
}

function referenceMatch(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  const values = referencePaths(event);
  return [...referencePaths(pattern)].every(([path, options]) => {
    const present = values.has(path);
    const value = values.get(path);
    return (options as unknown[]).some((option) => {
      if (option === null || typeof option !== 'object') return present && value === option;
      const [[kind, operand]] = Object.entries(option as Record<string, unknown>) as [[string, unknown]];
      if (kind === 'exists') return operand === present;
      if (!present) return false;
      const text = typeof value === 'string' ? value : undefined;
      if (kind === 'prefix') return text !== undefined && text.startsWith(operand as string);
      if (kind === 'suffix') return text !== undefined && text.endsWith(operand as string);
      if (kind === 'numeric') {
        const [, low, , high] = operand as [string, number, string, number];
        return typeof value === 'number' && value >= low && value < high;
      }
      if (kind === 'anything-but') {
        const set = operand as { prefix: string[] } | string[];
        if (Array.isArray(set)) return !set.includes(value as string);
        return !(text !== undefined && set.prefix.some((affix) => text.startsWith(affix)));
      }
      throw new Error(`reference does not know ${kind}`);
    });
  });
}

describe('pattern matching agrees with a brute-force reference', () => {
  const segment = fc.constantFrom('a', 'b', 'c');
  const key = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
  const text = fc.constantFrom('', 'x', 'xy', 'yx', 'y');
  const leaf = fc.oneof(text, fc.integer({ min: -3, max: 3 }), fc.constant(null), fc.boolean());
  const option = fc.oneof(
    leaf,
    text.map((affix) => ({ prefix: affix })),
    text.map((affix) => ({ suffix: affix })),
    fc.boolean().map((value) => ({ exists: value })),
    fc.integer({ min: -3, max: 2 }).map((low) => ({ numeric: ['>=', low, '<', low + 2] })),
    fc.array(fc.constantFrom('x', 'y'), { minLength: 1, maxLength: 2 }).map((list) => ({ 'anything-but': list })),
    fc.array(fc.constantFrom('x', 'y'), { minLength: 1, maxLength: 2 }).map((list) => ({ 'anything-but': { prefix: list } })),
  );
  // Dotted keys and nesting are both generated; paths that are a prefix of another are avoided
  // (a field is either a leaf or an object, never both).
  const leafPaths = fc
    .uniqueArray(key, { minLength: 1, maxLength: 4 })
    .filter((paths) => paths.every((path) => paths.every((other) => other === path || !other.startsWith(`${path}.`))));
  const build = <T>(paths: string[], make: (path: string) => T, nest: boolean[]): Record<string, unknown> => {
    const root: Record<string, unknown> = {};
    paths.forEach((path, index) => {
      if (!nest[index % nest.length]) {
        root[path] = make(path);
        return;
      }
      const parts = path.split('.');
      let node = root;
      for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[parts.at(-1)!] = make(path);
    });
    return root;
  };

  it('for exact, prefix, suffix, exists, numeric and anything-but (plain and prefix lists) over dotted and nested keys', () => {
    fc.assert(
      fc.property(
        leafPaths,
        leafPaths,
        fc.array(leaf, { minLength: 4, maxLength: 4 }),
        fc.array(fc.array(option, { minLength: 1, maxLength: 3 }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
        (eventPaths, patternPaths, leaves, options, nestEvent, nestPattern) => {
          // A dotted key and a nested key for the same path would collide in the reference's rewrite.
          fc.pre(new Set(eventPaths.map((path) => path.split('.')[0])).size === eventPaths.length || nestEvent.every(Boolean));
          const event = build(eventPaths, (path) => leaves[eventPaths.indexOf(path)]!, nestEvent);
          const pattern = build(patternPaths, (path) => options[patternPaths.indexOf(path)]!, nestPattern);
          fc.pre(referencePaths(event).size === eventPaths.length && referencePaths(pattern).size === patternPaths.length);
          return matchesPattern(pattern, event) === referenceMatch(pattern, event);
        },
      ),
      { numRuns: 500 },
    );
  });
});
