// DynamoDB for the local runtime: dynalite (real DynamoDB validation, conditional
// writes, on disk under the state folder) runs on a private loopback port, and this
// LocalService forwards `X-Amz-Target: DynamoDB_20120810.*` requests to it, so DynamoDB
// shares the one local endpoint with the other services.
// dynalite does not implement transactions (TransactWriteItems/TransactGetItems),
// TTL updates, streams or PartiQL; those answer UnknownOperationException.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { LocalRequest, LocalResponse, LocalService } from '../http.ts';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

const TARGET_PREFIX = 'DynamoDB_20120810.';
const FORWARDED_HEADERS = ['content-type', 'x-amz-target', 'authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'accept-encoding'];

export interface DynamoDbOptions {
  /** Folder for persistent state; tables live in `<stateDir>/dynamodb`. None keeps them in memory. */
  stateDir?: string;
  /** How long tables stay CREATING / DELETING / UPDATING (default 0: at once). */
  tableStatusMs?: number;
}

export interface LocalDynamoDb extends LocalService {
  /** dynalite's own address (for diagnostics; clients should use the shared endpoint). */
  readonly backendUrl: string;
  close(): Promise<void>;
}

export async function startDynamoDb(options: DynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const path = options.stateDir === undefined ? undefined : join(options.stateDir, 'dynamodb');
  if (path !== undefined) await mkdir(path, { recursive: true });
  const statusMs = options.tableStatusMs ?? 0;
  const server = dynalite({ ...(path === undefined ? {} : { path }), createTableMs: statusMs, deleteTableMs: statusMs, updateTableMs: statusMs });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    name: 'dynamodb',
    backendUrl: `http://127.0.0.1:${port}`,
    matches: (req: LocalRequest) => String(req.headers['x-amz-target'] ?? '').startsWith(TARGET_PREFIX),
    handle: (req: LocalRequest) => forward(port, req),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        // Let requests in flight finish: dynalite closes its database once the server has
        // closed, and a request cut off mid-operation then throws "Database is closed" from
        // inside dynalite, uncaught. Idle keep-alive sockets go now; busy ones get a grace period.
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        force.unref();
        server.close((error?: Error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function forward(port: number, req: LocalRequest): Promise<LocalResponse> {
  const headers: Record<string, string> = { 'content-length': String(req.body.length) };
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url.pathname + req.url.search, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === 'string' && name !== 'content-length' && name !== 'connection' && name !== 'date') responseHeaders[name] = value;
        }
        resolve({ status: response.statusCode ?? 500, headers: responseHeaders, body: Buffer.concat(chunks) });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}
