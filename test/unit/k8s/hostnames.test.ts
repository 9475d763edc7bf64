import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intersectHostnames, normalizeHostname } from '../../../src/k8s/parse/hostnames.ts';

describe('normalizeHostname', () => {
  it.each([
    ['Shop.Example.COM.', 'shop.example.com'],
    ['  api.example.com ', 'api.example.com'],
    ['*.example.com', '*.example.com'],
    ['_acme.example.com', '_acme.example.com'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeHostname(raw)).toEqual({ hostname: expected });
  });

  it.each(['', '*', '*.*.example.com', 'a.*.example.com', 'foo*.example.com', '-bad.example.com', 'a..b', `${'a'.repeat(64)}.example.com`])(
    'refuses %j',
    (raw) => {
      expect(normalizeHostname(raw)).toHaveProperty('reason');
    },
  );
});

describe('intersectHostnames (Gateway API listener × route)', () => {
  it.each([
    [undefined, 'a.example.com', 'a.example.com'],
    ['a.example.com', 'a.example.com', 'a.example.com'],
    ['*.example.com', 'a.example.com', 'a.example.com'],
    ['*.example.com', 'a.b.example.com', 'a.b.example.com'],
    ['*.example.com', 'example.com', undefined],
    ['a.example.com', '*.example.com', 'a.example.com'],
    ['*.example.com', '*.b.example.com', '*.b.example.com'],
    ['*.b.example.com', '*.example.com', '*.b.example.com'],
    ['a.example.com', 'b.example.com', undefined],
    ['*.example.org', 'a.example.com', undefined],
  ])('listener %s, route %s → %s', (listener, route, expected) => {
    expect(intersectHostnames(listener, route)).toBe(expected);
  });

  it('property: the result is one of the two, and is matched by both', () => {
    const label = fc.constantFrom('a', 'b', 'example', 'com');
    const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
    const host = fc.tuple(fc.boolean(), name).map(([wild, n]) => (wild ? `*.${n}` : n));
    const matches = (pattern: string, h: string) => pattern === h || (pattern.startsWith('*.') && h.endsWith(pattern.slice(1)));
    fc.assert(
      fc.property(host, host, (listener, route) => {
        const result = intersectHostnames(listener, route);
        if (result === undefined) return;
        expect([listener, route]).toContain(result);
        expect(matches(listener, result)).toBe(true);
        expect(matches(route, result)).toBe(true);
      }),
    );
  });
});
