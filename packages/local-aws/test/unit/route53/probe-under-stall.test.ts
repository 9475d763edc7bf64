// A probe's timeout counts only the time the process could run (src/route53/runnable-timeout.ts):
// an endpoint in the same process that answered while the process was stalled is healthy,
// and an endpoint that never answers still times out.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../../src/route53/prober.ts';
import { runnableTimeout } from '../../../src/route53/runnable-timeout.ts';

/** Blocks the event loop, as a process starved of CPU is (no timer and no I/O runs meanwhile). */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: nothing else in this process runs
  }
}

let answering: http.Server;
let silent: http.Server;
const port = (server: http.Server) => (server.address() as AddressInfo).port;

beforeAll(async () => {
  answering = http.createServer((_request, response) => response.end('ok'));
  silent = http.createServer(() => undefined);
  await Promise.all([answering, silent].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
});

afterAll(async () => {
  silent.closeAllConnections();
  await Promise.all([answering, silent].map((server) => new Promise((resolve) => server.close(resolve))));
});

const target = (server: http.Server) => ({
  kind: 'http' as const,
  host: '127.0.0.1',
  port: port(server),
  hostHeader: 'shop.example.com',
  path: '/',
  sni: false,
});

describe('a probe while the process is stalled', () => {
  it('reads an endpoint that answered while the process was stopped (SIGSTOP) for three times its timeout as healthy', async () => {
    // Prepare: a child process probing an endpoint it serves itself
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'fixtures', 'probe-child.ts'), '200'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const probing = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('probing')) resolve();
      }),
    );
    const ended = new Promise((resolve) => child.on('exit', resolve));
    // Act: descheduled while the probe waits, then running again
    await probing;
    child.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 600));
    child.kill('SIGCONT');
    await ended;
    // Assess
    expect(JSON.parse(output.split('\n')[1]!)).toEqual({ ok: true, status: 'Success: HTTP Status Code 200, OK' });
  });

  it('still times out an endpoint that never answers', async () => {
    // Act
    const result = await probe(target(silent), 200, new AbortController().signal);
    // Assess
    expect(result).toEqual({ ok: false, status: 'Failure: The endpoint did not send a response in time.' });
  });
});

describe('runnableTimeout', () => {
  it('expires after its time in a process that runs, and charges a stall at most two ticks', async () => {
    // Act: a stall far longer than the timeout, then a look right after it
    let expired = false;
    const timeout = runnableTimeout(500, () => (expired = true), 50);
    stall(1500);
    await new Promise((resolve) => setImmediate(resolve));
    const afterStall = expired;
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (expired) (clearInterval(check), resolve());
      }, 10);
    });
    timeout.clear();
    // Assess
    expect(afterStall).toBe(false);
    expect(expired).toBe(true);
  });
});
