// A narrow Kubernetes API client: paged lists and watch streams over node:https,
// trusting exactly the cluster's CA and sending a bearer token per request. Plain
// https (not @kubernetes/client-node) keeps TLS, auth, timeouts and the watch
// stream's framing explicit and testable against a loopback server.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { errorMessage } from '../../core/errors.ts';
import { isRecord, type KubeObject } from '../kube.ts';

export interface KubeApiOptions {
  /** The API server, e.g. https://ABC.gr7.us-east-1.eks.amazonaws.com */
  server: string;
  /** PEM of the CA that signed the server's certificate; the only one trusted. */
  caData?: string;
  /** Bearer token, asked for before each request (so a cache can refresh it). */
  token?: () => Promise<string>;
  /** Per-request timeout for lists, and the idle timeout of watch streams. Default 30 s. */
  timeoutMs?: number;
  /** Objects per list page. Default 500. */
  pageSize?: number;
}

/** A non-2xx answer from the API server; `status` is the HTTP status (410 = Gone). */
export class KubeApiError extends Error {
  readonly status: number;
  readonly path: string;

  constructor(status: number, path: string, message: string) {
    super(`${path}: HTTP ${status}: ${message}`);
    this.name = 'KubeApiError';
    this.status = status;
    this.path = path;
  }
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

export interface WatchOptions {
  resourceVersion: string;
  /** Server-side timeout of one watch request; the stream then ends normally. Default 300. */
  timeoutSeconds?: number;
  signal?: AbortSignal;
  onEvent(event: WatchEvent): void;
}

export class KubeApi {
  readonly server: string;
  readonly #options: KubeApiOptions;
  /** Reuses TLS connections across a cluster's lists (idle sockets do not hold the process). */
  readonly #agent: HttpsAgent | undefined;

  constructor(options: KubeApiOptions) {
    const url = new URL(options.server);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`server ${options.server}: expected an https:// URL`);
    this.server = url.origin;
    this.#options = options;
    this.#agent =
      url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 16, ...(options.caData ? { ca: options.caData } : {}) }) : undefined;
  }

  /** Closes idle connections. */
  close(): void {
    this.#agent?.destroy();
  }

  /**
   * All objects at `path` (every page), and the list's resourceVersion to watch from. Each
   * page's objects pass through `keep` as the page arrives, so what is dropped of them is
   * never held for the whole list.
   */
  async list(path: string, signal?: AbortSignal, keep?: (object: KubeObject) => KubeObject): Promise<ListResult> {
    const items: KubeObject[] = [];
    let cont: string | undefined;
    for (;;) {
      const query: Record<string, string> = { limit: String(this.#options.pageSize ?? 500) };
      if (cont) query['continue'] = cont;
      let page: Record<string, unknown>;
      try {
        page = await this.#json(path, query, signal);
      } catch (error) {
        // An expired continue token: start the list again from a fresh snapshot.
        if (cont && error instanceof KubeApiError && error.status === 410) {
          items.length = 0;
          cont = undefined;
          continue;
        }
        throw error;
      }
      const metadata = isRecord(page['metadata']) ? page['metadata'] : {};
      if (Array.isArray(page['items'])) for (const item of page['items']) if (isRecord(item)) items.push(keep ? keep(item) : item);
      cont = typeof metadata['continue'] === 'string' && metadata['continue'] !== '' ? metadata['continue'] : undefined;
      if (!cont) return { items, resourceVersion: typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : '' };
    }
  }

  /**
   * One watch request from `resourceVersion`. Resolves when the server ends the
   * stream; rejects with KubeApiError(410) when that version is too old (re-list),
   * including when the server says so in an ERROR event.
   */
  async watch(path: string, options: WatchOptions): Promise<void> {
    const query = {
      watch: '1',
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(options.timeoutSeconds ?? 300),
    };
    const response = await this.#request(path, query, options.signal, true);
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        response.destroy();
        reject(error);
      };
      const line = (text: string) => {
        if (text.trim() === '') return;
        let event: unknown;
        try {
          event = JSON.parse(text);
        } catch {
          return fail(new KubeApiError(response.statusCode ?? 0, path, `watch stream sent a line that is not JSON: ${text.slice(0, 80)}`));
        }
        if (!isRecord(event) || typeof event['type'] !== 'string' || !isRecord(event['object'])) {
          return fail(new KubeApiError(response.statusCode ?? 0, path, 'watch stream sent an event without type and object'));
        }
        const object = event['object'] as KubeObject;
        if (event['type'] === 'ERROR') {
          const code = typeof object['code'] === 'number' ? object['code'] : 500;
          return fail(new KubeApiError(code, path, typeof object['message'] === 'string' ? object['message'] : 'watch error'));
        }
        try {
          options.onEvent({ type: event['type'] as WatchEventType, object });
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
        }
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let newline;
        while (!failed && (newline = buffer.indexOf('\n')) !== -1) {
          line(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
        }
      });
      response.on('end', () => {
        if (!failed) line(buffer);
        if (!failed) resolve();
      });
      response.on('error', (error) => fail(error));
      response.on('aborted', () => fail(new Error(`${path}: watch stream aborted`)));
      options.signal?.addEventListener('abort', () => fail(new Error(`${path}: watch stopped`)), { once: true });
    });
  }

  async #json(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const response = await this.#request(path, query, signal, false);
    const text = await readBody(response);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new KubeApiError(response.statusCode ?? 0, path, `response is not JSON: ${text.slice(0, 80)}`);
    }
    if (!isRecord(body)) throw new KubeApiError(response.statusCode ?? 0, path, 'response is not a JSON object');
    return body;
  }

  /** Sends a GET; resolves with a 2xx response, rejects with KubeApiError otherwise. */
  async #request(path: string, query: Record<string, string>, signal: AbortSignal | undefined, stream: boolean): Promise<IncomingMessage> {
    const url = new URL(path, this.server);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'switchyard-discovery' };
    if (this.#options.token) headers['authorization'] = `Bearer ${await this.#options.token()}`;
    const timeout = this.#options.timeoutMs ?? 30_000;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, {
        method: 'GET',
        headers,
        ...(this.#agent ? { agent: this.#agent } : {}),
        ...(signal ? { signal } : {}),
        timeout: stream ? timeout + Number(query['timeoutSeconds'] ?? 0) * 1000 : timeout,
      });
      req.on('response', resolve);
      req.on('timeout', () => req.destroy(new Error(`${url.pathname}: no answer from ${this.server} within ${timeout} ms`)));
      req.on('error', (error) => reject(new Error(`${url.pathname}: cannot reach ${this.server}: ${errorMessage(error)}`, { cause: error })));
      req.end();
    });
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return response;
    throw new KubeApiError(status, url.pathname, statusMessage(await readBody(response).catch(() => '')) ?? response.statusMessage ?? 'request failed');
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.on('end', () => resolve(text));
    response.on('error', reject);
  });
}

/** The message of a Kubernetes `Status` body, if the body is one. */
function statusMessage(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    return isRecord(body) && typeof body['message'] === 'string' ? body['message'] : undefined;
  } catch {
    return text.trim() === '' ? undefined : text.trim().slice(0, 200);
  }
}
