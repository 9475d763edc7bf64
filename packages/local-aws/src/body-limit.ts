// Request bodies read within a size limit: each service says how large a body it takes
// (LocalService.maxBodyBytes), and a larger one is refused before it is held in memory
// (a Content-Length over the limit is refused before anything is read; a body that grows
// past it stops being kept at once). The rest of a refused body is read and dropped, so
// the client sees the refusal rather than a reset connection, up to a bound past which
// the connection is cut.
import type { IncomingMessage } from 'node:http';
import type { LocalRequest, LocalService } from './http.ts';

/** For a request no service claims (it is refused anyway). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** How much of a refused body is read and dropped before the connection is cut. */
const DISCARD_LIMIT_BYTES = 256 * 1024 * 1024;

export const KiB = 1024;
export const MiB = 1024 * KiB;

export class BodyTooLarge extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
    this.limit = limit;
  }
}

/** The body limit of the service that will answer this request (chosen from its method, path and headers). */
export function bodyLimitFor(services: readonly LocalService[], req: IncomingMessage): number {
  try {
    // Matching never reads the Host or the body: a fixed base keeps a bad Host out of it.
    const head: LocalRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://localhost'), headers: req.headers, body: Buffer.alloc(0) };
    return services.find((service) => service.matches(head))?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  } catch {
    return DEFAULT_MAX_BODY_BYTES;
  }
}

/** The whole body, or BodyTooLarge as soon as it is known to be over `limit`. */
export function readBodyWithin(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = () => {
      refused = true;
      chunks.length = 0;
      reject(new BodyTooLarge(limit));
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) refuse();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused) {
        if (size > DISCARD_LIMIT_BYTES) req.destroy();
        return;
      }
      if (size > limit) {
        refuse();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!refused) reject(error);
    });
  });
}
