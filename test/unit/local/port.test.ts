import { describe, expect, it } from 'vitest';
import { defaultPort } from '../../../src/local/port.ts';

describe('defaultPort', () => {
  it('reads SWITCHYARD_PORT, else 4566', () => {
    expect(defaultPort({})).toBe(4566);
    expect(defaultPort({ SWITCHYARD_PORT: '5000' })).toBe(5000);
    expect(() => defaultPort({ SWITCHYARD_PORT: 'abc' })).toThrow(/SWITCHYARD_PORT: must be a port number/);
  });
});
