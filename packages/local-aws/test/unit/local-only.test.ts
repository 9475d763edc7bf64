import { describe, expect, it } from 'vitest';
import { exposureWarning, foreignRequest, isLoopbackHostname, parseHostHeader, requestTarget } from '../../src/local-only.ts';

const LOOPBACK = { bindHost: '127.0.0.1', port: 4566 };

describe('isLoopbackHostname', () => {
  it.each(['localhost', 'LOCALHOST', 'localhost.', '127.0.0.1', '127.1.2.3', '[::1]', '::1', '[0:0:0:0:0:0:0:1]'])('%s is loopback', (name) => {
    expect(isLoopbackHostname(name)).toBe(true);
  });

  it.each(['evil.example', 'localhost.evil.example', '128.0.0.1', '10.0.0.1', '0.0.0.0', '[::]', '[::2]', '127.0.0.256', '127.1', '0x7f.0.0.1', ''])(
    '%s is not',
    (name) => {
      expect(isLoopbackHostname(name)).toBe(false);
    },
  );
});

describe('parseHostHeader', () => {
  it('reads names, addresses and ports, and nothing else', () => {
    expect(parseHostHeader('localhost:4566')).toEqual({ hostname: 'localhost', port: 4566 });
    expect(parseHostHeader('[::1]:80')).toEqual({ hostname: '[::1]', port: 80 });
    expect(parseHostHeader('127.0.0.1')).toEqual({ hostname: '127.0.0.1' });
    for (const bad of ['a b', 'localhost:99999', 'localhost:', '[zz]:1', 'user@localhost', 'localhost/x', ''])
      expect(parseHostHeader(bad), bad).toBeUndefined();
  });
});

describe('foreignRequest', () => {
  it.each([
    ['an SDK call to 127.0.0.1', { host: '127.0.0.1:4566' }],
    ['a call to localhost on another port (a port forward)', { host: 'localhost:8080' }],
    ['IPv6 loopback', { host: '[::1]:4566' }],
    ["the endpoint's own page", { host: 'localhost:4566', origin: 'http://localhost:4566' }],
    ["the endpoint's own page by address", { host: '127.0.0.1:4566', origin: 'http://127.0.0.1:4566', 'sec-fetch-site': 'same-origin' }],
    ['a navigation typed by the user', { host: '127.0.0.1:4566', 'sec-fetch-site': 'none' }],
  ])('lets through %s', (_what, headers) => {
    expect(foreignRequest(headers, LOOPBACK)).toBeUndefined();
  });

  it.each([
    ['no Host', {}, /no Host header/],
    ['a bad Host', { host: 'a b' }, /Host header "a b" is not a host name/],
    ['DNS rebinding', { host: 'rebind.evil.example:4566' }, /Host "rebind.evil.example:4566" is not a loopback name/],
    ['a LAN address while bound to loopback', { host: '192.168.1.5:4566' }, /not a loopback name/],
    ['a foreign page', { host: '127.0.0.1:4566', origin: 'http://evil.example' }, /Origin "http:\/\/evil.example" is not the endpoint's own/],
    ['another local web app', { host: '127.0.0.1:4566', origin: 'http://localhost:3000' }, /Origin "http:\/\/localhost:3000"/],
    ['a sandboxed page', { host: '127.0.0.1:4566', origin: 'null' }, /Origin "null"/],
    ['https of the same host', { host: '127.0.0.1:4566', origin: 'https://127.0.0.1:4566' }, /Origin/],
    ['a cross-site fetch without Origin', { host: '127.0.0.1:4566', 'sec-fetch-site': 'cross-site' }, /cross-site request from a web page/],
  ])('refuses %s', (_what, headers, reason) => {
    expect(foreignRequest(headers, LOOPBACK)).toMatch(reason);
  });

  it('when bound to another interface, takes its address and address literals, never another name', () => {
    const lan = { bindHost: '192.168.1.5', port: 4566 };
    expect(foreignRequest({ host: '192.168.1.5:4566' }, lan)).toBeUndefined();
    expect(foreignRequest({ host: '192.168.1.6:4566' }, lan)).toMatch(/not a loopback/);
    const any = { bindHost: '0.0.0.0', port: 4566 };
    expect(foreignRequest({ host: '10.1.2.3:4566' }, any)).toBeUndefined();
    expect(foreignRequest({ host: '10.1.2.3:4566', origin: 'http://10.1.2.3:4566' }, any)).toBeUndefined();
    expect(foreignRequest({ host: 'laptop.lan:4566' }, any)).toMatch(/not a loopback/);
  });
});

describe('requestTarget', () => {
  it('reads the path without the Host header, and refuses what is not a path', () => {
    expect(requestTarget('/2013-04-01/hostedzone?maxitems=1')?.pathname).toBe('/2013-04-01/hostedzone');
    expect(requestTarget('//evil/x')?.pathname).toBe('//evil/x');
    expect(requestTarget('/a/%ZZ')?.pathname).toBe('/a/%ZZ');
    expect(requestTarget('http://elsewhere:1/p?q=1')?.href).toBe('http://localhost/p?q=1');
    expect(requestTarget('*')).toBeUndefined();
    expect(requestTarget('file:///etc/passwd')).toBeUndefined();
  });
});

describe('exposureWarning', () => {
  it('says nothing on loopback and plainly what is exposed otherwise', () => {
    expect(exposureWarning('127.0.0.1', 'http://127.0.0.1:4566')).toBeUndefined();
    expect(exposureWarning('::1', 'http://[::1]:4566')).toBeUndefined();
    expect(exposureWarning('0.0.0.0', 'http://0.0.0.0:4566')).toMatch(/every network interface.*anyone who can reach http:\/\/0\.0\.0\.0:4566.*Route 53 zones/);
  });
});
