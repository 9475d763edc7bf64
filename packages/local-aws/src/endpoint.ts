// The one loopback endpoint (http://127.0.0.1:4566 by default) that serves every local
// AWS service: each request goes to the first mounted service whose matches() accepts
// it. A request nobody serves, or a service that throws, gets an AWS-shaped error; the
// process never goes down because of a request. It serves only this machine's clients
// (local-only.ts): a request with a foreign Host or Origin is refused with a 403 before
// any service sees it.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { errorMessage } from './errors.ts';
import { BodyTooLarge, bodyLimitFor, DEFAULT_MAX_BODY_BYTES, readBodyWithin } from './body-limit.ts';
import type { LocalRequest, LocalResponse, LocalService } from './http.ts';
import { foreignRequest, requestTarget, type LocalOnlyPolicy } from './local-only.ts';

export const DEFAULT_PORT = 4566;

export interface EndpointOptions {
  /** Default: DEFAULT_PORT (4566). 0 picks a free port. */
  port?: number;
  /** Address to listen on (default 127.0.0.1); anything but loopback must be asked for. */
  host?: string;
  services: LocalService[];
  /** Where to report service crashes (default: stderr). */
  log?: (line: string) => void;
}

export interface Endpoint {
  url: string;
  port: number;
  /**
   * Serves a request from this process, without a socket: the same checks (Host and Origin,
   * the service's body limit) and the same services as a request over HTTP. What the
   * runtime's own SDK clients use (in-process.ts).
   */
  handle(request: LocalRequest): Promise<LocalResponse>;
  /** Stops listening, then closes every mounted service. */
  close(): Promise<void>;
}

/** An error in the protocol the caller speaks: JSON for X-Amz-Target calls, XML otherwise. */
export function protocolError(req: Pick<LocalRequest, 'headers'>, status: number, code: string, message: string): LocalResponse {
  const requestId = randomUUID();
  if (req.headers['x-amz-target'] !== undefined) {
    return {
      status,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'x-amzn-errortype': code },
      body: JSON.stringify({ __type: code, message }),
    };
  }
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${escaped}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function serviceFor(services: readonly LocalService[], request: LocalRequest, log: (line: string) => void): LocalService | undefined {
  try {
    return services.find((candidate) => candidate.matches(request));
  } catch (error) {
    log(`local endpoint: matching ${request.method} ${request.url.pathname} failed: ${errorMessage(error)}`);
    return undefined;
  }
}

/** A request refused before any service handled it, in the protocol of the service it was for. */
export function refusal(
  services: readonly LocalService[],
  request: LocalRequest,
  status: number,
  code: string,
  message: string,
  log: (line: string) => void,
): LocalResponse {
  const service = serviceFor(services, request, log);
  try {
    if (service?.refuse !== undefined) return service.refuse(request, status, code, message);
  } catch (error) {
    log(`local endpoint: ${service?.name ?? '?'} could not word a refusal: ${errorMessage(error)}`);
  }
  return protocolError(request, status, code, message);
}

/** The code a refused AWS request carries: JSON services name it AccessDeniedException, XML ones AccessDenied. */
export function accessDeniedCode(req: Pick<LocalRequest, 'headers'>): string {
  return req.headers['x-amz-target'] !== undefined ? 'AccessDeniedException' : 'AccessDenied';
}

export async function dispatch(services: readonly LocalService[], request: LocalRequest, log: (line: string) => void): Promise<LocalResponse> {
  const service = serviceFor(services, request, log);
  if (service === undefined) {
    const target = request.headers['x-amz-target'];
    const what = target === undefined ? `${request.method} ${request.url.pathname}` : `X-Amz-Target ${String(target)}`;
    return protocolError(request, target === undefined ? 404 : 400, 'UnknownOperationException', `no local service handles ${what}`);
  }
  try {
    return await service.handle(request);
  } catch (error) {
    log(
      `local endpoint: ${service.name} failed on ${request.method} ${request.url.pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return protocolError(request, 500, 'InternalFailure', `${service.name}: ${errorMessage(error)}`);
  }
}

/** One request from this process: refused, too large or dispatched as the same request over HTTP would be. */
async function handleInProcess(
  services: readonly LocalService[],
  policy: LocalOnlyPolicy,
  request: LocalRequest,
  log: (line: string) => void,
): Promise<LocalResponse> {
  const foreign = foreignRequest(request.headers, policy);
  if (foreign !== undefined) return refusal(services, { ...request, body: Buffer.alloc(0) }, 403, accessDeniedCode(request), foreign, log);
  const limit = serviceFor(services, { ...request, body: Buffer.alloc(0) }, log)?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (request.body.length > limit) return protocolError(request, 413, 'RequestEntityTooLarge', new BodyTooLarge(limit).message);
  return dispatch(services, request, log);
}

function send(res: ServerResponse, response: LocalResponse): void {
  if (response.stream !== undefined) {
    res.writeHead(response.status, response.headers ?? {});
    const stop = response.stream((chunk) => void res.write(chunk));
    res.once('close', stop);
    return;
  }
  const body = response.body ?? '';
  res.writeHead(response.status, { 'content-length': String(Buffer.byteLength(body)), ...response.headers });
  res.end(body);
}

export async function startEndpoint(options: EndpointOptions): Promise<Endpoint> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Filled in once listening (port 0 picks the port then); no request arrives before.
  const policy: LocalOnlyPolicy = { bindHost: host, port };
  // A request without Host reaches the guard (a 403 with a code) rather than Node's bare 400.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    void (async () => {
      const url = requestTarget(req.url);
      if (url === undefined) {
        send(res, protocolError(req, 400, 'InvalidRequest', `request target ${JSON.stringify(req.url)} is not a path`));
        return;
      }
      // A foreign caller is refused on its headers alone: its body is not even read.
      const foreign = foreignRequest(req.headers, policy);
      if (foreign !== undefined) {
        const headersOnly: LocalRequest = { method: req.method ?? 'GET', url, headers: req.headers, body: Buffer.alloc(0) };
        send(res, refusal(options.services, headersOnly, 403, accessDeniedCode(req), foreign, log));
        return;
      }
      let body: Buffer;
      try {
        body = await readBodyWithin(req, bodyLimitFor(options.services, req));
      } catch (error) {
        const tooLarge = protocolError(req, 413, 'RequestEntityTooLarge', errorMessage(error));
        send(res, { ...tooLarge, headers: { ...tooLarge.headers, connection: 'close' } });
        return;
      }
      send(res, await dispatch(options.services, { method: req.method ?? 'GET', url, headers: req.headers, body }, log));
    })().catch((error: unknown) => {
      log(`local endpoint: could not answer: ${errorMessage(error)}`);
      if (!res.headersSent) send(res, protocolError(req, 500, 'InternalFailure', errorMessage(error)));
      else res.destroy();
    });
  });
  // What Node's HTTP parser refuses (a malformed request line or header) still gets an AWS-shaped 400.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const body = protocolError({ headers: {} }, 400, 'BadRequest', `malformed HTTP request: ${error.code ?? error.message}`).body as string;
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/xml\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  policy.port = bound;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}`,
    port: bound,
    handle: (request) => handleInProcess(options.services, policy, request, log),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const service of options.services) await service.close?.();
    },
  };
}
