import { describe, expect, it } from 'vitest';
import { defaultPort, startEndpoint } from '../../../src/local/endpoint.ts';
import type { LocalService } from '../../../src/local/http.ts';

function service(name: string, matches: (path: string) => boolean, handle: LocalService['handle'], closed?: string[]): LocalService {
  return { name, matches: (req) => matches(req.url.pathname), handle, close: async () => void closed?.push(name) };
}

describe('startEndpoint', () => {
  it('sends each request to the first service that matches it, with its body', async () => {
    // Prepare
    const closed: string[] = [];
    const endpoint = await startEndpoint({
      port: 0,
      services: [
        service('echo', (path) => path.startsWith('/echo'), async (req) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: `${req.method} ${req.url.pathname} ${req.body.toString()}` }), closed),
        service('shadowed', (path) => path.startsWith('/echo'), async () => ({ status: 500 }), closed),
      ],
    });

    // Act
    const response = await fetch(`${endpoint.url}/echo/x?y=1`, { method: 'POST', body: 'hello' });
    const text = await response.text();
    await endpoint.close();

    // Assess
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(response.status).toBe(200);
    expect(text).toBe('POST /echo/x hello');
    expect(closed).toEqual(['echo', 'shadowed']);
  });

  it('answers what no service handles with an AWS-shaped error in the caller\'s protocol', async () => {
    const endpoint = await startEndpoint({ port: 0, services: [] });
    try {
      const json = await fetch(endpoint.url, { method: 'POST', headers: { 'x-amz-target': 'AWSFoo.Bar', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
      const xml = await fetch(`${endpoint.url}/2013-04-01/hostedzone`);

      expect(json.status).toBe(400);
      expect(await json.json()).toMatchObject({ __type: 'UnknownOperationException', message: expect.stringContaining('AWSFoo.Bar') });
      expect(xml.status).toBe(404);
      expect(await xml.text()).toMatch(/<Code>UnknownOperationException<\/Code>/);
    } finally {
      await endpoint.close();
    }
  });

  it('turns a crashing service into a 500 InternalFailure and keeps serving', async () => {
    // Prepare
    const logged: string[] = [];
    const endpoint = await startEndpoint({
      port: 0,
      log: (line) => logged.push(line),
      services: [
        service('broken', (path) => path === '/boom', async () => {
          throw new Error('kaboom');
        }),
        service('fine', () => true, async () => ({ status: 204 })),
      ],
    });
    try {
      // Act
      const crashed = await fetch(`${endpoint.url}/boom`, { method: 'POST', headers: { 'x-amz-target': 'X.Y' }, body: '{}' });
      const after = await fetch(`${endpoint.url}/other`);

      // Assess
      expect(crashed.status).toBe(500);
      expect(await crashed.json()).toMatchObject({ __type: 'InternalFailure', message: 'broken: kaboom' });
      expect(after.status).toBe(204);
      expect(logged.join('\n')).toContain('kaboom');
    } finally {
      await endpoint.close();
    }
  });

  it('refuses a port that is taken, without crashing', async () => {
    const first = await startEndpoint({ port: 0, services: [] });
    try {
      await expect(startEndpoint({ port: first.port, services: [] })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});

describe('defaultPort', () => {
  it('reads SWITCHYARD_PORT, else 4566', () => {
    expect(defaultPort({})).toBe(4566);
    expect(defaultPort({ SWITCHYARD_PORT: '5000' })).toBe(5000);
    expect(() => defaultPort({ SWITCHYARD_PORT: 'abc' })).toThrow(/SWITCHYARD_PORT: must be a port number/);
  });
});
