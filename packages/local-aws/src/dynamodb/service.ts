// DynamoDB for the local runtime: dynalite (real DynamoDB validation, conditional
// writes, on disk under the state folder), and this LocalService hands
// `X-Amz-Target: DynamoDB_20120810.*` requests to dynalite's request listener in this
// process (no second HTTP hop), so DynamoDB shares the one local endpoint with the other
// services. dynalite's server still listens on a private loopback port: closing it is what
// closes its database.
// dynalite does not implement transactions (TransactWriteItems/TransactGetItems),
// TTL updates, streams or PartiQL; those answer UnknownOperationException. A repeated
// Query of a partition nobody wrote to since is answered from memory (query-cache.ts).
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../aws-json.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../http.ts';
import { operationOf, QueryCache, type CachedAnswer } from './query-cache.ts';

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
  /** dynalite's own address (for diagnostics; clients should use the shared endpoint, which does not go through it: a write sent here directly would not reach the Query cache). */
  readonly backendUrl: string;
  /** Queries answered from memory (hits) and by dynalite (misses) so far. */
  queryCache(): { hits: number; misses: number };
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
  const listener = server.listeners('request')[0] as RequestListener | undefined;
  if (listener === undefined) throw new Error('dynalite: its server has no request listener');
  const inFlight = new Set<Promise<LocalResponse>>();
  let closing: Promise<void> | undefined;
  const call = (req: LocalRequest): Promise<LocalResponse> => {
    if (closing !== undefined) return Promise.reject(new Error('DynamoDB is shutting down'));
    const work = callListener(listener, req).finally(() => inFlight.delete(work));
    inFlight.add(work);
    return work;
  };
  /** The requests in flight, given up to 5 s to finish. */
  const drained = async () => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
  };
  const answer = (req: LocalRequest): Promise<CachedAnswer> =>
    call(req).then((response) => ({ status: response.status, headers: response.headers ?? {}, body: response.body ?? '' }));
  const cache = new QueryCache((table) => describeHashKey(answer, table));

  return {
    name: 'dynamodb',
    // DynamoDB's own limit on a request (BatchWriteItem): 16 MB.
    maxBodyBytes: 16 * 1024 * 1024,
    backendUrl: `http://127.0.0.1:${port}`,
    matches: (req: LocalRequest) => String(req.headers['x-amz-target'] ?? '').startsWith(TARGET_PREFIX),
    queryCache: () => ({ hits: cache.hits, misses: cache.misses }),
    handle: async (req: LocalRequest) => {
      const { refused, parsed, text } = inspectBody(req);
      if (refused !== undefined) return refused;
      return cache.run(operationOf(String(req.headers['x-amz-target'])), parsed, text, () => answer(req));
    },
    close() {
      // Let requests in flight finish first: dynalite closes its database once the server has
      // closed, and a request cut off mid-operation then throws "Database is closed" from
      // inside dynalite, uncaught. Idle keep-alive sockets go now; busy ones get a grace period.
      closing ??= drained().then(
        () =>
          new Promise<void>((resolve, reject) => {
            const force = setTimeout(() => server.closeAllConnections(), 5_000);
            force.unref();
            server.close((error?: Error) => {
              clearTimeout(force);
              if (error) reject(error);
              else resolve();
            });
            server.closeIdleConnections();
          }),
      );
      return closing;
    },
  };
}

/** DynamoDB's limit on nested attribute values (maps and lists in maps and lists). */
export const MAX_ATTRIBUTE_NESTING = 32;

/**
 * What dynalite must not see: a body of `null` throws inside it, uncaught, and takes the
 * process down; deep nesting would recurse through its validation, and dynalite does not
 * hold items to DynamoDB's 32 levels of nested attributes.
 */
function inspectBody(req: LocalRequest): { refused?: LocalResponse; parsed?: Record<string, unknown>; text: string } {
  const text = req.body.toString('utf8').trim();
  if (text === '') return { text };
  if (jsonDepthExceeds(text)) return { text, refused: serializationError(`The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { text }; // dynalite answers malformed JSON itself, as DynamoDB does
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { text, refused: serializationError('Start of structure or map found where not expected') };
  if (attributeNesting(parsed) > MAX_ATTRIBUTE_NESTING) {
    return {
      text,
      refused: {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'ValidationException' },
        body: JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: 'Nesting Levels have exceeded supported limits' }),
      },
    };
  }
  return { text, parsed: parsed as Record<string, unknown> };
}

/** The table's hash key attribute, asked of dynalite itself (undefined when it has no such table). */
async function describeHashKey(send: (req: LocalRequest) => Promise<CachedAnswer>, table: string): Promise<string | undefined> {
  const answer = await send({
    method: 'POST',
    url: new URL('http://127.0.0.1/'),
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `${TARGET_PREFIX}DescribeTable`,
      'x-amz-date': '20260101T000000Z',
      // dynalite checks that a request is signed, not the signature.
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
    },
    body: Buffer.from(JSON.stringify({ TableName: table })),
  });
  if (answer.status !== 200) return undefined;
  const schema = (JSON.parse(answer.body.toString()) as { Table?: { KeySchema?: Array<{ AttributeName: string; KeyType: string }> } }).Table?.KeySchema;
  return schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
}

/** The deepest chain of M and L attribute values anywhere in the request (its JSON depth is bounded already). */
function attributeNesting(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) return Math.max(0, ...value.map(attributeNesting));
  let deepest = 0;
  for (const [key, child] of Object.entries(value)) {
    const below = attributeNesting(child);
    deepest = Math.max(deepest, (key === 'M' || key === 'L') && child !== null && typeof child === 'object' ? below + 1 : below);
  }
  return deepest;
}

function serializationError(message: string): LocalResponse {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'SerializationException' },
    body: JSON.stringify({ __type: 'com.amazon.coral.service#SerializationException', Message: message }),
  };
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * dynalite's own request listener, called in this process: it gets the request as its HTTP
 * server would hand it over (method, URL, the forwarded headers, the body as one 'data'
 * event) and answers through statusCode, setHeader and end, which is all it uses.
 */
function callListener(listener: RequestListener, req: LocalRequest): Promise<LocalResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-length': String(req.body.length) };
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const incoming = Object.assign(new EventEmitter(), { method: req.method, url: req.url.pathname + req.url.search, headers });
    const responseHeaders: Record<string, string> = {};
    const outgoing = {
      statusCode: 200,
      setHeader(name: string, value: string | number) {
        const key = name.toLowerCase();
        if (key !== 'content-length' && key !== 'transfer-encoding') responseHeaders[key] = String(value);
      },
      end(body?: string | Buffer) {
        resolve({ status: outgoing.statusCode, headers: responseHeaders, body: body ?? '' });
      },
    };
    try {
      listener(incoming as unknown as IncomingMessage, outgoing as unknown as ServerResponse);
      if (req.body.length > 0) incoming.emit('data', req.body);
      incoming.emit('end');
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
