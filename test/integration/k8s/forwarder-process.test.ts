// The forwarder as an operator runs it: `switchyard discover --watch` in its own
// process, sending to a local EventBridge, stopped by SIGTERM or SIGINT. It must send
// what changed, then stop cleanly: exit 0, nothing left holding the process open.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEndpoint, type Endpoint } from '@switchyard/local-aws';
import { LocalEventBus, eventBridgeService } from '@switchyard/local-aws/eventbridge';
import { EXAMPLE_FLEET, eventually } from './helpers.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const NODE = join(ROOT, 'node_modules/.bin/node');

let bus: LocalEventBus;
let endpoint: Endpoint;
let fleet: string;

beforeEach(async () => {
  bus = await LocalEventBus.open();
  endpoint = await startEndpoint({ port: 0, services: [eventBridgeService(bus)], log: () => undefined });
  fleet = await mkdtemp(join(tmpdir(), 'switchyard-forwarder-process-'));
  await cp(EXAMPLE_FLEET, fleet, { recursive: true });
});
afterEach(async () => {
  await endpoint.close();
  await rm(fleet, { recursive: true, force: true });
});

function startCli(endpointUrl = endpoint.url) {
  // No AWS settings from the machine: the loopback endpoint gets placeholder credentials.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  const child = spawn(NODE, ['src/cli/main.ts', 'discover', '--fleet', fleet, '--watch', '--source', 'files', '--endpoint-url', endpointUrl], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? null : -1))));
  return { child, output, exited };
}

describe('switchyard discover --watch (a real process)', () => {
  it('sends a change, then stops on SIGTERM: exit 0 within seconds', async () => {
    const { child, output, exited } = startCli();
    try {
      await eventually(() => (output.stderr.match(/: watching \(/g) ?? []).length === 3, 15_000);

      await writeFile(
        join(fleet, 'clusters/eu/blog.yaml'),
        `apiVersion: gateway.tsb.tetrate.io/v2
kind: Gateway
metadata: { name: blog, namespace: blog }
spec:
  workloadSelector: { namespace: tetrate-gw, labels: { app: eu-gateway } }
  http: [{ name: blog, port: 80, hostname: blog.example.com }]
`,
      );
      await eventually(() => output.stdout.includes('sent Gateway Published eu TetrateGateway blog/blog: blog.example.com ['), 10_000);
      const stoppedAt = Date.now();
      child.kill('SIGTERM');
      const code = await exited;

      expect(code).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(5000);
      expect(output.stderr.trim().split('\n').slice(-2)).toEqual([
        'stopping: closing watches and sending what is pending',
        'stopped: 1 event(s) sent, 0 not sent',
      ]);
      expect(bus.recentEvents().map((r) => `${r.event.source} ${r.event['detail-type']}`)).toEqual(['switchyard Gateway Published']);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('ends at once on a second signal while the first is still flushing', async () => {
    // An EventBridge that throttles every request: the flush would wait its full 10 s
    const throttling = createServer((req, res) => {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' });
      res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
    });
    await new Promise<void>((resolve) => throttling.listen(0, '127.0.0.1', resolve));
    const { child, output, exited } = startCli(`http://127.0.0.1:${(throttling.address() as AddressInfo).port}`);
    try {
      await eventually(() => (output.stderr.match(/: watching \(/g) ?? []).length === 3, 15_000);
      await writeFile(
        join(fleet, 'clusters/east/blog.yaml'),
        'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: blog, namespace: blog }\nspec: { selector: { istio: ingressgateway }, servers: [{ hosts: [blog.example.com] }] }\n',
      );
      await eventually(() => output.stderr.includes('EventBridge: Rate exceeded; retry'), 10_000);

      child.kill('SIGINT'); // Ctrl-C: stopping starts, the flush waits for the throttled send
      await eventually(() => output.stderr.includes('stopping: '), 5000);
      const secondAt = Date.now();
      child.kill('SIGINT');
      const code = await exited;

      expect(code).toBe(-1); // ended by the signal itself
      expect(Date.now() - secondAt).toBeLessThan(2000);
      expect(output.stderr).not.toContain('stopped: ');
    } finally {
      child.kill('SIGKILL');
      throttling.closeAllConnections();
      await new Promise((resolve) => throttling.close(resolve));
    }
  });
});
