// An AWS SDK v3 request handler that hands each request to a local endpoint in this
// process instead of sending it over a socket: the SDK still builds and parses the same
// HTTP messages (method, path, query, headers, body) and the endpoint serves them with the
// same checks and services as over HTTP, without TCP and Node's HTTP client and server in
// between. For clients that live in the endpoint's own process (the local runtime's
// handlers); everything else talks HTTP. Such a client may also skip SigV4 (inProcessSigner):
// the endpoint checks no signature. See docs/local-platform.md.
import type { HttpHandlerOptions, HttpRequest, HttpResponse, QueryParameterBag, RequestHandler, RequestSigner } from '@smithy/types';
import type { IncomingHttpHeaders } from 'node:http';
import type { LocalRequest, LocalResponse } from './http.ts';

/** What serves the requests: Endpoint.handle. */
export type InProcessServer = (request: LocalRequest) => Promise<LocalResponse>;

/** RFC 3986 escaping, as the SDK's query-string builder writes it. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query string the SDK's node handler would send for `query` ("" or "?a=b&c"). */
export function queryString(query: QueryParameterBag | undefined): string {
  const parts: string[] = [];
  for (const key of Object.keys(query ?? {})) {
    const value = query![key];
    const name = escapeUri(key);
    if (Array.isArray(value)) for (const one of value) parts.push(`${name}=${escapeUri(one)}`);
    else if (value === null || value === undefined) parts.push(name);
    else parts.push(`${name}=${escapeUri(value)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error(`the in-process handler takes string or byte bodies, not ${Object.prototype.toString.call(body)}`);
}

/** The SDK request as the endpoint sees a request over HTTP: lower-case header names, the path and query as sent. */
export function localRequestOf(request: HttpRequest): LocalRequest {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const body = bodyBytes(request.body);
  headers['content-length'] ??= String(body.length);
  return { method: request.method, url: new URL(`http://localhost${request.path}${queryString(request.query)}`), headers, body };
}

function responseOf(response: LocalResponse): HttpResponse {
  if (response.stream !== undefined) throw new Error('the in-process handler does not take streamed responses');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = response.body === undefined ? Buffer.alloc(0) : typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  headers['content-length'] ??= String(body.length);
  return { statusCode: response.status, headers, body };
}

/** A request handler for an AWS SDK v3 client (`requestHandler`) that serves its requests through `serve`. */
export function inProcessRequestHandler(serve: InProcessServer): RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: HttpRequest) {
      return { response: responseOf(await serve(localRequestOf(request))) };
    },
    destroy() {},
  };
}

/** What inProcessSigner writes where SigV4's signature goes. */
export const PLACEHOLDER_SIGNATURE = 'in-process';

/**
 * An AWS SDK v3 `signer` for in-process clients of `service` (its SigV4 signing name:
 * `route53`, `dynamodb`, `states`, ...). The endpoint's services check no signature, only
 * (dynalite, as DynamoDB does) that a request carries a well-formed Authorization header and
 * a date: this writes both, with the credential scope SigV4 would use and a placeholder
 * signature, and skips SigV4's work (the body's SHA-256, the canonical request, four HMACs).
 * Over HTTP, clients sign as usual.
 */
export function inProcessSigner(credentials: { accessKeyId: string; service: string; region: string }): RequestSigner {
  return {
    async sign(request, options) {
      const http = request as HttpRequest;
      // 20261203T221500Z, as SigV4's X-Amz-Date.
      const date = new Date(options?.signingDate ?? Date.now()).toISOString().replace(/[-:]|\.\d{3}/g, '');
      const scope = `${date.slice(0, 8)}/${options?.signingRegion ?? credentials.region}/${options?.signingService ?? credentials.service}/aws4_request`;
      http.headers['x-amz-date'] = date;
      http.headers['authorization'] =
        `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=host;x-amz-date, Signature=${PLACEHOLDER_SIGNATURE}`;
      return http;
    },
  };
}
