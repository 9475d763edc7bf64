// The one loopback endpoint (http://127.0.0.1:4566 by default) that serves every local
// AWS service: each request goes to the first mounted service whose matches() accepts
// it. A request nobody serves, or a service that throws, gets an AWS-shaped error; the
// process never goes down because of a request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../core/errors.ts';
import type { LocalRequest, LocalResponse, LocalService } from './http.ts';

export const DEFAULT_PORT = 4566;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface EndpointOptions {
  /** Default: SWITCHYARD_PORT, else 4566. 0 picks a free port. */
  port?: number;
  host?: string;
  services: LocalService[];
  /** Where to report service crashes (default: stderr). */
  log?: (line: string) => void;
}

export interface Endpoint {
  url: string;
  port: number;
  /** Stops listening, then closes every mounted service. */
  close(): Promise<void>;
}

export function defaultPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['SWITCHYARD_PORT'];
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SWITCHYARD_PORT: must be a port number (0-65535), got "${raw}"`);
  return port;
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

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RangeError(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function dispatch(services: readonly LocalService[], request: LocalRequest, log: (line: string) => void): Promise<LocalResponse> {
  let service: LocalService | undefined;
  try {
    service = services.find((candidate) => candidate.matches(request));
  } catch (error) {
    log(`local endpoint: matching ${request.method} ${request.url.pathname} failed: ${errorMessage(error)}`);
  }
  if (service === undefined) {
    const target = request.headers['x-amz-target'];
    const what = target === undefined ? `${request.method} ${request.url.pathname}` : `X-Amz-Target ${String(target)}`;
    return protocolError(request, target === undefined ? 404 : 400, 'UnknownOperationException', `no local service handles ${what}`);
  }
  try {
    return await service.handle(request);
  } catch (error) {
    log(`local endpoint: ${service.name} failed on ${request.method} ${request.url.pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return protocolError(request, 500, 'InternalFailure', `${service.name}: ${errorMessage(error)}`);
  }
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
  const port = options.port ?? defaultPort();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const server = createServer((req, res) => {
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch (error) {
        send(res, protocolError(req, 413, 'RequestEntityTooLarge', errorMessage(error)));
        return;
      }
      const request: LocalRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', `http://${req.headers.host ?? host}`), headers: req.headers, body };
      send(res, await dispatch(options.services, request, log));
    })().catch((error: unknown) => {
      log(`local endpoint: could not answer: ${errorMessage(error)}`);
      if (!res.headersSent) send(res, protocolError(req, 500, 'InternalFailure', errorMessage(error)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}`,
    port: bound,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const service of options.services) await service.close?.();
    },
  };
}
