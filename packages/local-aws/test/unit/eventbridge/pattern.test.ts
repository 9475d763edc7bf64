import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidEventPattern, matchesPattern } from '../../../src/eventbridge/pattern.ts';

// The EventBridge user guide's sample event (content filtering page).
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'source-ip6': '2001:db8::1',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
    FileName: 'photo.PNG',
    nothing: null,
    flag: true,
    tags: ['blue', 'green'],
    nested: { deeper: { value: 'x' } },
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  },
};

const cases: Array<[string, Record<string, unknown>, boolean]> = [
  // exact
  ['exact string', { source: ['aws.ec2'] }, true],
  ['exact string, one of several', { detail: { state: ['initializing', 'running'] } }, true],
  ['exact string, wrong value', { source: ['aws.s3'] }, false],
  ['exact is case sensitive', { source: ['AWS.EC2'] }, false],
  ['exact number', { detail: { 'c-count': [5] } }, true],
  ['exact number written differently', { detail: { 'x-limit': [3.018e2] } }, true],
  ['a number does not match its string', { detail: { 'c-count': ['5'] } }, false],
  ['exact null', { detail: { nothing: [null] } }, true],
  ['null does not match a missing field', { detail: { missing: [null] } }, false],
  ['exact boolean', { detail: { flag: [true] } }, true],
  ['missing field', { detail: { missing: ['x'] } }, false],
  ['an event array matches when any element matches', { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'] }, true],
  ['array intersection', { detail: { tags: ['red', 'green'] } }, true],
  ['array without intersection', { detail: { tags: ['red'] } }, false],
  ['fields are ANDed', { source: ['aws.ec2'], detail: { state: ['stopped'] } }, false],
  ['nested fields', { detail: { nested: { deeper: { value: ['x'] } } } }, true],
  ['a leaf pattern against an object does not match', { detail: { nested: ['x'] } }, false],
  // prefix / suffix / equals-ignore-case / wildcard
  ['prefix', { time: [{ prefix: '2017-10-02' }] }, true],
  ['prefix, no match', { time: [{ prefix: '2018' }] }, false],
  ['prefix ignores numbers', { detail: { 'c-count': [{ prefix: '5' }] } }, false],
  ['prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
  ['suffix', { detail: { FileName: [{ suffix: '.PNG' }] } }, true],
  ['suffix is case sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, false],
  ['suffix ignoring case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, true],
  ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, true],
  ['equals-ignore-case, other value', { source: [{ 'equals-ignore-case': 'aws.ec' }] }, false],
  ['wildcard', { 'detail-type': [{ wildcard: 'EC2*State-change*' }] }, true],
  ['wildcard anchored at both ends', { 'detail-type': [{ wildcard: 'State-change*' }] }, false],
  ['wildcard with regex characters taken literally', { source: [{ wildcard: 'aws.e*' }] }, true],
  ['wildcard dot is not any character', { source: [{ wildcard: 'aws?ec2' }] }, false],
  // anything-but
  ['anything-but string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
  ['anything-but the value itself', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
  ['anything-but list', { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, false],
  ['anything-but number', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, true],
  ['anything-but needs the field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
  ['anything-but prefix', { region: [{ 'anything-but': { prefix: 'eu-' } }] }, true],
  ['anything-but prefix, excluded', { region: [{ 'anything-but': { prefix: 'us-' } }] }, false],
  ['anything-but suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.PNG' } }] } }, false],
  ['anything-but equals-ignore-case', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['RUNNING'] } }] } }, false],
  ['anything-but wildcard', { detail: { FileName: [{ 'anything-but': { wildcard: '*.jpg' } }] } }, true],
  ['anything-but over an array: any element outside the set', { detail: { tags: [{ 'anything-but': 'blue' }] } }, true],
  // numeric
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
  ['numeric open upper bound', { detail: { 'c-count': [{ numeric: ['<', 5] }] } }, false],
  ['numeric equals', { detail: { 'x-limit': [{ numeric: ['=', 301.8] }] } }, true],
  ['numeric does not match strings', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
  // exists
  ['exists true', { detail: { 'c-count': [{ exists: true }] } }, true],
  ['exists false on a present field', { detail: { 'c-count': [{ exists: false }] } }, false],
  ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
  ['exists false when the parent is missing', { other: { field: [{ exists: false }] } }, true],
  ['exists looks at leaves only', { detail: { nested: [{ exists: true }] } }, false],
  ['exists true on null', { detail: { nothing: [{ exists: true }] } }, true],
  // cidr
  ['cidr IPv4', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
  ['cidr IPv4 outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
  ['cidr IPv6', { detail: { 'source-ip6': [{ cidr: '2001:db8::/32' }] } }, true],
  ['cidr IPv6 outside', { detail: { 'source-ip6': [{ cidr: '2001:db9::/32' }] } }, false],
  ['cidr family mismatch', { detail: { 'source-ip': [{ cidr: '::/0' }] } }, false],
  // $or
  ['$or, second alternative', { $or: [{ source: ['aws.s3'] }, { region: ['us-east-1'] }] }, true],
  ['$or, no alternative', { $or: [{ source: ['aws.s3'] }, { region: ['eu-west-1'] }] }, false],
  ['$or nested in detail', { detail: { $or: [{ state: ['stopped'] }, { 'c-count': [{ numeric: ['>', 1] }] }] } }, true],
  ['$or ANDed with fields', { source: ['aws.s3'], $or: [{ region: ['us-east-1'] }, { account: ['012345679012'] }] }, false],
  // arrays of objects: array-consistent
  ['field of an object in an array', { detail: { employees: { firstName: ['Anna'] } } }, true],
  ['two fields of the same element', { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } }, true],
  ['two fields of different elements', { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } }, false],
];

describe('matchesPattern (EventBridge semantics)', () => {
  it.each(cases)('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, ec2Event)).toBe(expected);
  });

  it('accepts pattern JSON text and a compiled pattern alike', () => {
    const compiled = compilePattern('{"source":["aws.ec2"]}');
    expect(compiled.matches(ec2Event)).toBe(true);
    expect(matchesPattern(compiled, ec2Event)).toBe(true);
    expect(matchesPattern('{"source":["aws.s3"]}', ec2Event)).toBe(false);
  });
});

describe('compilePattern validation', () => {
  const invalid: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{"source":', /Unrecognized JSON/],
    ['not an object', '["aws.ec2"]', /Filter is not an object/],
    ['a bare value', { source: 'aws.ec2' }, /"source" must be an object or an array/],
    ['an empty array', { source: [] }, /Empty arrays are not allowed/],
    ['an unknown match type', { source: [{ prefiks: 'aws' }] }, /Unrecognized match type prefiks/],
    ['two match types in one object', { source: [{ prefix: 'a', suffix: 'b' }] }, /Only one key allowed in match expression/],
    ['a nested array value', { source: [['aws.ec2']] }, /Match value must be String, number, true, false, or null/],
    ['a prefix that is not a string', { source: [{ prefix: 5 }] }, /prefix match pattern/],
    ['exists with a string', { source: [{ exists: 'yes' }] }, /exists match pattern must be either true or false/],
    ['numeric with an odd list', { n: [{ numeric: ['>', 0, '<'] }] }, /Value of < must be numeric/],
    ['numeric with an unknown operator', { n: [{ numeric: ['!=', 0] }] }, /Unrecognized numeric range operator/],
    ['numeric with an empty range', { n: [{ numeric: ['>', 5, '<', 1] }] }, /Bottom must be less than top/],
    ['numeric with two lower bounds', { n: [{ numeric: ['>', 1, '>=', 2] }] }, /Bad numeric range operator: >=/],
    ['anything-but with mixed types', { n: [{ 'anything-but': ['a', 1] }] }, /either all values are number or string, mixed type is not supported/],
    ['anything-but with an empty list', { n: [{ 'anything-but': [] }] }, /either all values are number or string, mixed type is not supported/],
    ['anything-but with an object', { n: [{ 'anything-but': { numeric: ['>', 1] } }] }, /Unsupported anything-but pattern/],
    ['anything-but with true', { n: [{ 'anything-but': true }] }, /anything-but must be/],
    ['a wildcard with consecutive stars', { n: [{ wildcard: 'a**b' }] }, /Consecutive wildcard characters at pos 2/],
    ['a wildcard with a bad escape', { n: [{ wildcard: 'a\\b' }] }, /Invalid escape character at pos 2/],
    ['a malformed CIDR', { ip: [{ cidr: '10.0.0.0/33' }] }, /IPv4 mask bits must be < 32/],
    ['a CIDR without a prefix', { ip: [{ cidr: '10.0.0.1' }] }, /Malformed CIDR, one '\/' required/],
  ];

  it.each(invalid)('rejects %s', (_name, pattern, message) => {
    const attempt = () => compilePattern(pattern);
    expect(attempt).toThrow(InvalidEventPattern);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/^Event pattern is not valid\. Reason: /);
  });

  it('reads `$or` with fewer than two alternatives as an ordinary field, as Event Ruler does', () => {
    expect(matchesPattern({ $or: { source: ['aws.ec2'] } }, { $or: { source: 'aws.ec2' } })).toBe(true);
  });

  it('escaped wildcard characters match literally', () => {
    expect(matchesPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'a*b' })).toBe(true);
    expect(matchesPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'axb' })).toBe(false);
    expect(matchesPattern({ k: [{ wildcard: 'a\\\\b' }] }, { k: 'a\\b' })).toBe(true);
  });
});

// ---- properties ------------------------------------------------------------------------

const key = fc.constantFrom('source', 'detail-type', 'state', 'cluster', 'weight', 'ip', 'a', 'b');
const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null));
const flatEvent = fc.dictionary(key, leaf, { minKeys: 1, maxKeys: 6 });
const nestedEvent = fc.record({ source: fc.string({ maxLength: 6 }), detail: flatEvent });

/** A pattern that names every field of the event with its own value (nested objects recursed). */
function selfPattern(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).map(([field, value]) => [
      field,
      value !== null && typeof value === 'object' ? selfPattern(value as Record<string, unknown>) : [value],
    ]),
  );
}

describe('pattern properties', () => {
  it('an event always matches the pattern built from its own values', () => {
    fc.assert(fc.property(nestedEvent, (event) => matchesPattern(selfPattern(event), event)));
  });

  it('an exact pattern of a different value never matches', () => {
    fc.assert(
      fc.property(flatEvent, key, leaf, leaf, (event, field, value, other) => {
        fc.pre(value !== other);
        return !matchesPattern({ [field]: [other] }, { ...event, [field]: value });
      }),
    );
  });

  it('$or matches exactly when one of its alternatives matches', () => {
    const smallPattern = fc.dictionary(key, fc.array(leaf, { minLength: 1, maxLength: 3 }), { minKeys: 1, maxKeys: 2 });
    fc.assert(
      fc.property(flatEvent, smallPattern, smallPattern, (event, first, second) => {
        const union = matchesPattern({ $or: [first, second] }, event);
        return union === (matchesPattern(first, event) || matchesPattern(second, event));
      }),
    );
  });

  it('anything-but is the complement of exact matching on a present field', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -50, max: 50 }));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 4 }),
          fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 4 }),
        ),
        scalar,
        (values, value) => {
          const event = { field: value };
          return matchesPattern({ field: [{ 'anything-but': values }] }, event) === !matchesPattern({ field: values }, event);
        },
      ),
    );
  });

  it('prefix and suffix agree with startsWith and endsWith', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 4 }), (value, affix) => {
        return (
          matchesPattern({ v: [{ prefix: affix }] }, { v: value }) === value.startsWith(affix) &&
          matchesPattern({ v: [{ suffix: affix }] }, { v: value }) === value.endsWith(affix)
        );
      }),
    );
  });

  it('a numeric range agrees with arithmetic', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: -1000, max: 0 }),
        fc.integer({ min: 1, max: 1000 }),
        (value, low, high) => {
          return matchesPattern({ n: [{ numeric: ['>=', low, '<', high] }] }, { n: value }) === (value >= low && value < high);
        },
      ),
    );
  });

  it('a wildcard without stars is an exact string match', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 8 }).filter((text) => !text.includes('*') && !text.includes('\\')),
        fc.string({ maxLength: 8 }),
        (pattern, value) => {
          return matchesPattern({ v: [{ wildcard: pattern }] }, { v: value }) === (pattern === value);
        },
      ),
    );
  });

  it('an IPv4 address is inside its own /31, inside 0.0.0.0/0, and matched by itself as an exact value', () => {
    fc.assert(
      fc.property(
        fc.ipV4(),
        (ip) =>
          matchesPattern({ ip: [{ cidr: `${ip}/31` }] }, { ip }) &&
          matchesPattern({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip }) &&
          matchesPattern({ ip: [ip] }, { ip }),
      ),
    );
  });
});
