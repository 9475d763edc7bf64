// A fake Kubernetes API server on loopback, for tests: TLS with the test CA, a bearer
// token check, paged list responses and chunked watch streams the test drives.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const fixtures = new URL('./fixtures/', import.meta.url);
export const TEST_CA = readFileSync(new URL('ca.pem', fixtures), 'utf8');
export const OTHER_CA = readFileSync(new URL('other-ca.pem', fixtures), 'utf8');
const SERVER_CERT = readFileSync(new URL('server.pem', fixtures), 'utf8');
const SERVER_KEY = readFileSync(new URL('server-key.pem', fixtures), 'utf8');

export interface SeenRequest {
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}

export interface WatchSession {
  path: string;
  resourceVersion: string;
  /** Sends one event, split across two chunks to exercise the client's framing. */
  send(type: string, object: unknown): void;
  /** The watch's resourceVersion is too old: an ERROR event with a 410 Status, then the end. */
  gone(): void;
  end(): void;
}

interface ListEntry {
  items: unknown[];
  resourceVersion: string;
}

export class FakeApiServer {
  readonly requests: SeenRequest[] = [];
  url = '';
  /** Returns true when the bearer token is acceptable; default: any token. */
  acceptToken: (token: string) => boolean = () => true;
  /** Items per page when the client asks for more. */
  pageLimit = Infinity;
  readonly #server: Server;
  readonly #lists = new Map<string, ListEntry>();
  readonly #watchStatus = new Map<string, number>();
  readonly #waiting = new Map<string, ((session: WatchSession) => void)[]>();
  readonly #sessions = new Map<string, WatchSession[]>();
  readonly #open = new Set<ServerResponse>();

  constructor() {
    this.#server = createServer({ cert: SERVER_CERT, key: SERVER_KEY }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const query = Object.fromEntries(url.searchParams);
      this.requests.push({ path: url.pathname, query, authorization: req.headers.authorization });
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !this.acceptToken(auth.slice('Bearer '.length))) {
        return status(res, 401, 'Unauthorized');
      }
      if (query['watch'] === '1') return this.#watch(url.pathname, query, res);
      const entry = this.#lists.get(url.pathname);
      if (!entry) return status(res, 404, 'the server could not find the requested resource');
      const start = query['continue'] ? Number(query['continue']) : 0;
      const limit = Math.min(Number(query['limit'] ?? Infinity), this.pageLimit);
      const page = entry.items.slice(start, start + limit);
      const next = start + page.length < entry.items.length ? String(start + page.length) : undefined;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'List',
          apiVersion: 'v1',
          metadata: { resourceVersion: entry.resourceVersion, ...(next ? { continue: next } : {}) },
          items: page,
        }),
      );
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.#open) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** What a list of `path` returns. Items are sent without apiVersion/kind, as real lists do. */
  setList(path: string, items: readonly { [key: string]: unknown }[], resourceVersion: string): void {
    this.#lists.set(path, { items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest), resourceVersion });
  }

  /** Makes watch requests for `path` answer with an HTTP status instead of a stream. */
  failWatch(path: string, code: number | undefined): void {
    if (code === undefined) this.#watchStatus.delete(path);
    else this.#watchStatus.set(path, code);
  }

  /** The next watch request for `path` (already open, or the next to arrive). */
  nextWatch(path: string): Promise<WatchSession> {
    const open = this.#sessions.get(path);
    if (open && open.length > 0) return Promise.resolve(open.shift() as WatchSession);
    return new Promise((resolve) => this.#waiting.set(path, [...(this.#waiting.get(path) ?? []), resolve]));
  }

  #watch(path: string, query: Record<string, string>, res: ServerResponse): void {
    const code = this.#watchStatus.get(path);
    if (code !== undefined) return status(res, code, code === 410 ? 'too old resource version' : 'failing');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    this.#open.add(res);
    res.on('close', () => this.#open.delete(res));
    const session: WatchSession = {
      path,
      resourceVersion: query['resourceVersion'] ?? '',
      send(type, object) {
        const line = `${JSON.stringify({ type, object })}\n`;
        const cut = Math.floor(line.length / 2);
        res.write(line.slice(0, cut));
        res.write(line.slice(cut));
      },
      gone() {
        session.send('ERROR', { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 });
        res.end();
      },
      end() {
        res.end();
      },
    };
    const waiter = this.#waiting.get(path)?.shift();
    if (waiter) waiter(session);
    else this.#sessions.set(path, [...(this.#sessions.get(path) ?? []), session]);
  }
}

function status(res: ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code }));
}
