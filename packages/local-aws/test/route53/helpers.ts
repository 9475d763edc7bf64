// Shared set-up for the local Route 53 tests: the emulator on a loopback port, a
// real SDK v3 client pointed at it, and small loopback servers to health-check.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client, type Change, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { RetryStrategyV2 } from '@smithy/types';
import { createRoute53Service, serveLocalService, type Route53Service, type Route53ServiceOptions, type RunningServer } from '../../src/route53/index.ts';

export interface Emulator {
  service: Route53Service;
  server: RunningServer;
  client: Route53Client;
  /** A client that does not retry, to see injected errors as they are. */
  clientWithoutRetries: Route53Client;
  close(): Promise<void>;
}

export function clientFor(url: string, maxAttempts = 3): Route53Client {
  return new Route53Client({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts,
  });
}

/**
 * A client that retries throttling errors (as the SDK classifies them) every 10 ms,
 * up to `maxAttempts`: the SDK's own backoff starts at 500 ms for throttling.
 */
export function quickRetryingClientFor(url: string, maxAttempts: number): Route53Client {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 10 });
  const retryStrategy: RetryStrategyV2 = {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const next = previous.getRetryCount() + 1;
      if (info.errorType !== 'THROTTLING' || next >= maxAttempts) throw new Error('no more retries');
      return token(next);
    },
    recordSuccess: () => undefined,
  };
  return new Route53Client({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, retryStrategy });
}

export async function startEmulator(options: Route53ServiceOptions = {}): Promise<Emulator> {
  const service = createRoute53Service({ insyncDelayMs: 0, ...options });
  const server = await serveLocalService(service);
  const client = clientFor(server.url);
  const clientWithoutRetries = clientFor(server.url, 1);
  return {
    service,
    server,
    client,
    clientWithoutRetries,
    close: async () => {
      client.destroy();
      clientWithoutRetries.destroy();
      await server.close();
      await service.close();
    },
  };
}

let references = 0;
export function uniqueReference(prefix = 'ref'): string {
  references += 1;
  return `${prefix}-${process.pid}-${references}-${Date.now()}`;
}

/** Creates a zone and returns its bare id. */
export async function createZone(client: Route53Client, name = 'example.com'): Promise<string> {
  const out = await client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: uniqueReference('zone') }));
  return out.HostedZone!.Id!.replace('/hostedzone/', '');
}

export function simple(name: string, type: string, values: string[], ttl = 300): ResourceRecordSet {
  return { Name: name, Type: type as ResourceRecordSet['Type'], TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) };
}

export function change(action: Change['Action'], set: ResourceRecordSet): Change {
  return { Action: action, ResourceRecordSet: set };
}

export async function apply(client: Route53Client, zoneId: string, ...changes: Change[]) {
  return client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
}

/** The error a call fails with (fails the test when the call succeeds). */
export async function failure(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number }; Type?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Polls until `probe` returns true, or fails after `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean> | boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A loopback HTTP server whose answer tests can change, recording what it was asked. */
export interface Canary {
  port: number;
  requests: { path: string; host: string | undefined; userAgent: string | undefined }[];
  respondWith(status: number, body?: string): void;
  /** Stop answering (hold requests open) until respondWith is called again. */
  hang(): void;
  close(): Promise<void>;
}

export async function startCanary(status = 200, body = 'ok'): Promise<Canary> {
  let current: { status: number; body: string } | undefined = { status, body };
  const requests: Canary['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', host: req.headers.host, userAgent: req.headers['user-agent'] });
    if (current === undefined) return; // hang
    res.writeHead(current.status, { 'content-type': 'text/plain' }).end(current.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    respondWith: (s, b = 'ok') => {
      current = { status: s, body: b };
    },
    hang: () => {
      current = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
