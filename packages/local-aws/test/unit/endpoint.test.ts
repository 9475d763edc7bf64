import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startEndpoint } from '../../src/endpoint.ts';
import type { LocalService } from '../../src/http.ts';

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
        service(
          'echo',
          (path) => path.startsWith('/echo'),
          async (req) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: `${req.method} ${req.url.pathname} ${req.body.toString()}` }),
          closed,
        ),
        service(
          'shadowed',
          (path) => path.startsWith('/echo'),
          async () => ({ status: 500 }),
          closed,
        ),
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

  it("answers what no service handles with an AWS-shaped error in the caller's protocol", async () => {
    const endpoint = await startEndpoint({ port: 0, services: [] });
    try {
      const json = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'x-amz-target': 'AWSFoo.Bar', 'content-type': 'application/x-amz-json-1.1' },
        body: '{}',
      });
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
        service(
          'broken',
          (path) => path === '/boom',
          async () => {
            throw new Error('kaboom');
          },
        ),
        service(
          'fine',
          () => true,
          async () => ({ status: 204 }),
        ),
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

/** A request as a browser or a broken client sends it: any Host and headers, no fetch rules. */
function rawRequest(
  url: string,
  init: { method?: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method: init.method ?? 'POST', path: init.path, headers: init.headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(init.body ?? '');
  });
}

describe('startEndpoint serves only this machine', () => {
  it("refuses a foreign Host or Origin with a 403 in the service's own error format, before the service runs", async () => {
    // Prepare
    const handled: string[] = [];
    const endpoint = await startEndpoint({
      port: 0,
      services: [
        {
          name: 'xml',
          matches: (req) => req.url.pathname.startsWith('/xml'),
          handle: async (req) => (handled.push(req.url.pathname), { status: 200 }),
          refuse: (_req, status, code, message) => ({ status, body: `<Code>${code}</Code><Message>${message}</Message>` }),
        },
        service(
          'json',
          () => true,
          async (req) => (handled.push(req.url.pathname), { status: 200 }),
        ),
      ],
    });
    const port = String(endpoint.port);
    try {
      // Act
      const rebound = await rawRequest(endpoint.url, { path: '/xml/zone', headers: { host: `rebind.evil.example:${port}`, 'content-type': 'text/plain' } });
      const badHost = await rawRequest(endpoint.url, { path: '/xml/zone', headers: { host: 'a b' } });
      const page = await rawRequest(endpoint.url, {
        path: '/json',
        headers: { host: `127.0.0.1:${port}`, origin: 'http://evil.example', 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'text/plain' },
        body: '{}',
      });
      const own = await rawRequest(endpoint.url, {
        path: '/json',
        headers: { host: `127.0.0.1:${port}`, origin: `http://localhost:${port}`, 'x-amz-target': 'AWSEvents.PutEvents' },
        body: '{}',
      });

      // Assess
      expect([rebound.status, rebound.text]).toEqual([
        403,
        expect.stringMatching(/^<Code>AccessDenied<\/Code><Message>Host "rebind\.evil\.example:\d+" is not a loopback name/),
      ]);
      expect([badHost.status, badHost.text]).toEqual([403, expect.stringContaining('Host header "a b" is not a host name')]);
      expect(page.status).toBe(403);
      expect(JSON.parse(page.text)).toMatchObject({ __type: 'AccessDeniedException', message: expect.stringContaining('Origin "http://evil.example"') });
      expect(page.headers['x-amzn-errortype']).toBe('AccessDeniedException');
      expect(own.status).toBe(200);
      expect(handled).toEqual(['/json']);
    } finally {
      await endpoint.close();
    }
  });

  it('answers a request target that is not a path with a 400, and keeps serving', async () => {
    const endpoint = await startEndpoint({
      port: 0,
      services: [
        service(
          'any',
          () => true,
          async () => ({ status: 204 }),
        ),
      ],
    });
    try {
      const star = await rawRequest(endpoint.url, { method: 'OPTIONS', path: '*', headers: { host: `127.0.0.1:${endpoint.port}` } });
      const after = await fetch(`${endpoint.url}/x`);
      expect(star.status).toBe(400);
      expect(star.text).toContain('<Code>InvalidRequest</Code>');
      expect(after.status).toBe(204);
    } finally {
      await endpoint.close();
    }
  });
});

/** Writes bytes on a fresh connection and reads until the server closes it. */
function rawBytes(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('startEndpoint and broken HTTP', () => {
  it('answers a request without Host, and one HTTP cannot parse, with an error code of its own', async () => {
    const endpoint = await startEndpoint({
      port: 0,
      services: [
        service(
          'any',
          () => true,
          async () => ({ status: 204 }),
        ),
      ],
    });
    try {
      const noHost = await rawBytes(endpoint.port, 'GET /2013-04-01/hostedzone HTTP/1.1\r\nconnection: close\r\n\r\n');
      const garbage = await rawBytes(endpoint.port, 'NOT HTTP AT ALL\r\n\r\n');
      const after = await fetch(`${endpoint.url}/x`);
      expect(noHost).toMatch(/^HTTP\/1\.1 403 /);
      expect(noHost).toContain('<Code>AccessDenied</Code>');
      expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request/);
      expect(garbage).toContain('<Code>BadRequest</Code>');
      expect(after.status).toBe(204);
    } finally {
      await endpoint.close();
    }
  });
});
