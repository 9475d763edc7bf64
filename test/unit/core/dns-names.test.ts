import { describe, expect, it } from 'vitest';
import {
  decodeEscapes,
  hostnameOf,
  isWithinZone,
  markerNameFor,
  nameOfMarker,
  normalizeName,
  recordKey,
  toRoute53Name,
  zonesForName,
} from '../../../src/core/dns-names.ts';

describe('normalizeName', () => {
  it.each([
    ['Shop.Example.COM', 'shop.example.com.'],
    ['shop.example.com.', 'shop.example.com.'],
    ['\\052.example.com.', '*.example.com.'],
    ['_switchyard.\\052.example.com', '_switchyard.*.example.com.'],
    ['a\\040b.example.com', 'a b.example.com.'],
    ['  spaced.example.com  ', 'spaced.example.com.'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });
});

describe('toRoute53Name', () => {
  it('keeps a wildcard as is and escapes other special characters as octal', () => {
    expect(toRoute53Name('*.Example.com')).toBe('*.example.com.');
    expect(toRoute53Name('a b.example.com')).toBe('a\\040b.example.com.');
  });

  it('round-trips through normalizeName', () => {
    for (const name of ['*.example.com.', '_switchyard.*.example.com.', 'a b.example.com.', 'x/y.example.com.']) {
      expect(normalizeName(toRoute53Name(name))).toBe(name);
    }
  });

  it('decodes escapes of any character', () => {
    expect(decodeEscapes('a\\.b')).toBe('a.b');
    expect(decodeEscapes('\\052')).toBe('*');
  });
});

describe('zone membership', () => {
  it('is label-wise, not a string suffix', () => {
    expect(isWithinZone('shop.example.com', 'example.com.')).toBe(true);
    expect(isWithinZone('example.com.', 'example.com')).toBe(true);
    expect(isWithinZone('badexample.com', 'example.com')).toBe(false);
  });

  it('picks the most specific zone, and every zone sharing that name (split horizon)', () => {
    const zones = [
      { id: 'ZPARENT', name: 'example.com.' },
      { id: 'ZPUBLIC', name: 'apps.example.com.' },
      { id: 'ZPRIVATE', name: 'apps.example.com.', private: true },
    ];
    expect(zonesForName('shop.apps.example.com', zones).map((z) => z.id)).toEqual(['ZPRIVATE', 'ZPUBLIC']);
    expect(zonesForName('www.example.com', zones).map((z) => z.id)).toEqual(['ZPARENT']);
    expect(zonesForName('www.example.org', zones)).toEqual([]);
  });
});

describe('marker names', () => {
  it('puts the marker under _switchyard. and maps it back', () => {
    expect(markerNameFor('Shop.example.com')).toBe('_switchyard.shop.example.com.');
    expect(nameOfMarker('_switchyard.shop.example.com.')).toBe('shop.example.com.');
    expect(nameOfMarker('_switchyard.\\052.example.com.')).toBe('*.example.com.');
    expect(nameOfMarker('shop.example.com.')).toBeUndefined();
  });

  it('keys records by canonical name, type and SetIdentifier', () => {
    expect(recordKey({ name: '\\052.Example.com', type: 'a', setIdentifier: 'east' })).toBe('*.example.com.|A|east');
    expect(recordKey({ name: 'x.example.com.', type: 'AAAA' })).toBe('x.example.com.|AAAA|');
    expect(hostnameOf('Shop.example.com.')).toBe('shop.example.com');
  });
});
