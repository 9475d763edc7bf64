// A stand-in for one simulated cluster's Kubernetes API server: it serves the cluster's
// manifest folder (examples/fleet/clusters/<cluster>/) as list + watch over HTTPS on
// loopback, so the local runtime's agents run the same code as in a real cluster. Each
// read of the folder is compared with the last one; every object added, changed or
// removed becomes a watch event with its own resourceVersion (a counter). Watches resume
// from a resourceVersion while it is in the recent history, else they get 410 Gone; they
// get bookmarks; a bearer token must equal the one in the cluster's token file.
//
// A folder that cannot be read completely (a file that does not parse, the folder gone)
// makes the stand-in answer 503 to new requests and send nothing on open watches: the
// agent sees an unreachable cluster and withdraws nothing (docs/discovery.md). It serves
// again from the next complete read.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../core/errors.ts';
import { RESOURCE_TYPES, resourcePath, type ResourceType } from '../../k8s/api/resources.ts';
import { apiGroup, namespaceOf, nameOf, type KubeObject } from '../../k8s/kube.ts';
import { manifestFolderPath, readManifestFolder } from '../../k8s/manifests.ts';

const tls = new URL('./tls/', import.meta.url);
/** The CA the stand-ins' certificate is signed by (the agents' ca.crt). */
export const STANDIN_CA = readFileSync(new URL('ca.pem', tls), 'utf8');
const CERT = readFileSync(new URL('server.pem', tls), 'utf8');
const KEY = readFileSync(new URL('server-key.pem', tls), 'utf8');

/** Events kept for watches that resume from a resourceVersion. */
const HISTORY = 5000;

interface Stored {
  key: string;
  object: KubeObject;
  json: string;
}

interface HistoryEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

interface OpenWatch {
  type: ResourceType;
  res: ServerResponse;
  bookmarks: boolean;
}

export interface ManifestApiOptions {
  /** The fleet folder; `manifests` is relative to it (as in fleet.yaml). */
  fleetDir: string;
  manifests: string;
  /** The file holding the token requests must carry (the agent's service account token). */
  tokenFile: string;
  /** Re-read the folder this often even without file events (0 = only on file events). */
  pollMs?: number;
  /** Quiet time after a file event before reading. Default 50 ms. */
  debounceMs?: number;
  /** Events kept for watches that resume from a resourceVersion. Default 5,000. */
  historySize?: number;
  /** Send a bookmark on open watches this often. Default 30 s. */
  bookmarkMs?: number;
  log?: (line: string) => void;
}

/** The resource type a request path names (any served version), or undefined. */
function typeOfPath(path: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((type) => type.versions.some((version) => resourcePath(type, version) === path));
}

function matches(type: ResourceType, object: KubeObject): boolean {
  return object.kind === type.kind && apiGroup(object.apiVersion) === type.group;
}

function keyOf(object: KubeObject): string {
  return `${apiGroup(object.apiVersion)}|${object.kind}|${object.kind === 'Namespace' ? '' : namespaceOf(object)}/${nameOf(object)}`;
}

export class ManifestApiServer {
  url = '';
  readonly #options: ManifestApiOptions;
  readonly #server: Server;
  #objects = new Map<string, Stored>();
  #rv = 1;
  #history: HistoryEvent[] = [];
  readonly #watches = new Set<OpenWatch>();
  /** Why the folder cannot be served right now; undefined while it can. */
  #unavailable: string | undefined = 'not read yet';
  #reading: Promise<void> = Promise.resolve();
  #again = false;
  #fsWatcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #poll: NodeJS.Timeout | undefined;
  #bookmark: NodeJS.Timeout | undefined;
  #dir: string | undefined;
  #closed = false;

  private constructor(options: ManifestApiOptions) {
    this.#options = options;
    this.#server = createServer({ cert: CERT, key: KEY }, (req, res) => {
      void this.#handle(req.url ?? '/', req.headers.authorization, res).catch((error: unknown) => {
        if (!res.headersSent) status(res, 500, errorMessage(error));
        else res.destroy();
      });
    });
  }

  static async start(options: ManifestApiOptions): Promise<ManifestApiServer> {
    const server = new ManifestApiServer(options);
    await server.reload();
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    server.url = `https://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    server.#watchFolder();
    if ((options.pollMs ?? 0) > 0) {
      server.#poll = setInterval(() => {
        server.#watchFolder();
        void server.reload();
      }, options.pollMs);
      server.#poll.unref();
    }
    server.#bookmark = setInterval(() => server.#sendBookmarks(), options.bookmarkMs ?? 30_000);
    server.#bookmark.unref();
    return server;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** The current resourceVersion (the last event's). */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** Why the folder is not served, or undefined. */
  get unavailable(): string | undefined {
    return this.#unavailable;
  }

  /** Reads the folder now and sends what changed; one read at a time (a request during one runs once after it). */
  reload(): Promise<void> {
    if (this.#closed) return this.#reading;
    this.#again = true;
    this.#reading = this.#reading.then(async () => {
      if (!this.#again || this.#closed) return;
      this.#again = false;
      await this.#read();
    });
    return this.#reading;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#debounce);
    clearInterval(this.#poll);
    clearInterval(this.#bookmark);
    this.#fsWatcher?.close();
    for (const open of this.#watches) open.res.destroy();
    this.#watches.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.#reading;
  }

  async #read(): Promise<void> {
    let objects: KubeObject[];
    try {
      this.#dir = await manifestFolderPath(this.#options.fleetDir, this.#options.manifests);
      objects = await readManifestFolder(this.#dir);
    } catch (error) {
      const reason = errorMessage(error);
      if (this.#unavailable !== reason) this.#options.log?.(`stand-in API of ${this.#options.manifests}: not serving until the folder reads again: ${reason}`);
      this.#unavailable = reason;
      return;
    }
    if (this.#unavailable !== undefined && this.#unavailable !== 'not read yet')
      this.#options.log?.(`stand-in API of ${this.#options.manifests}: serving again`);
    this.#unavailable = undefined;
    const next = new Map<string, Stored>();
    for (const object of objects) {
      const key = keyOf(object);
      const { resourceVersion: _rv, ...metadata } = object.metadata ?? {};
      const clean: KubeObject = { ...object, metadata: { ...metadata, ...(object.kind === 'Namespace' ? {} : { namespace: namespaceOf(object) }) } };
      next.set(key, { key, object: clean, json: JSON.stringify(clean) });
    }
    const events: HistoryEvent[] = [];
    for (const [key, stored] of next) {
      const before = this.#objects.get(key);
      if (before !== undefined && before.json === stored.json) {
        next.set(key, before);
        continue;
      }
      this.#rv += 1;
      const object = { ...stored.object, metadata: { ...stored.object.metadata, resourceVersion: String(this.#rv) } };
      next.set(key, { ...stored, object });
      events.push({ rv: this.#rv, type: before === undefined ? 'ADDED' : 'MODIFIED', object });
    }
    for (const [key, before] of this.#objects) {
      if (next.has(key)) continue;
      this.#rv += 1;
      events.push({ rv: this.#rv, type: 'DELETED', object: { ...before.object, metadata: { ...before.object.metadata, resourceVersion: String(this.#rv) } } });
    }
    this.#objects = next;
    if (events.length === 0) return;
    this.#history.push(...events);
    const keep = this.#options.historySize ?? HISTORY;
    if (this.#history.length > keep) this.#history.splice(0, this.#history.length - keep);
    for (const open of this.#watches) for (const event of events) if (matches(open.type, event.object)) write(open.res, event.type, event.object);
  }

  #watchFolder(): void {
    if (this.#fsWatcher !== undefined || this.#closed) return;
    const dir = this.#dir;
    if (dir === undefined) return;
    try {
      this.#fsWatcher = watch(dir, { recursive: true }, () => {
        clearTimeout(this.#debounce);
        this.#debounce = setTimeout(() => void this.reload(), this.#options.debounceMs ?? 50);
      });
      this.#fsWatcher.on('error', () => {
        // The folder went away or was replaced: the next poll (or reload) watches it again.
        this.#fsWatcher?.close();
        this.#fsWatcher = undefined;
        void this.reload();
      });
    } catch {
      this.#fsWatcher = undefined;
    }
  }

  #sendBookmarks(): void {
    for (const open of this.#watches)
      if (open.bookmarks) write(open.res, 'BOOKMARK', { kind: open.type.kind, metadata: { resourceVersion: String(this.#rv) } });
  }

  async #handle(rawUrl: string, authorization: string | undefined, res: ServerResponse): Promise<void> {
    const url = new URL(rawUrl, 'https://127.0.0.1');
    const expected = (await readFile(this.#options.tokenFile, 'utf8').catch(() => '')).trim();
    if (expected === '' || authorization !== `Bearer ${expected}`) return status(res, 401, 'Unauthorized');
    const type = typeOfPath(url.pathname);
    if (type === undefined) return status(res, 404, 'the server could not find the requested resource');
    if (this.#unavailable !== undefined) return status(res, 503, `the manifests folder cannot be read: ${this.#unavailable}`);
    const query = url.searchParams;
    if (query.get('watch') === '1' || query.get('watch') === 'true') return this.#watch(type, query, res);
    const items = [...this.#objects.values()].filter((s) => matches(type, s.object)).map((s) => s.object);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: `${type.kind}List`, apiVersion: 'v1', metadata: { resourceVersion: String(this.#rv) }, items }));
  }

  #watch(type: ResourceType, query: URLSearchParams, res: ServerResponse): void {
    const from = Number(query.get('resourceVersion') ?? '0');
    if (!Number.isInteger(from) || from < 0)
      return status(res, 400, `resourceVersion "${query.get('resourceVersion')}": not a resource version of this server`);
    const oldest = this.#history[0]?.rv ?? this.#rv + 1;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    // Events after `from` are needed; if some of them are no longer kept, the watch is too old.
    if (from !== 0 && from < this.#rv && from + 1 < oldest) {
      write(res, 'ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: `too old resource version: ${from} (${oldest - 1})`,
        reason: 'Expired',
        code: 410,
      });
      res.end();
      return;
    }
    for (const event of this.#history) if (event.rv > from && matches(type, event.object)) write(res, event.type, event.object);
    const open: OpenWatch = { type, res, bookmarks: query.get('allowWatchBookmarks') === 'true' };
    this.#watches.add(open);
    const timeout = Number(query.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.#watches.delete(open);
    });
  }
}

function write(res: ServerResponse, type: string, object: unknown): void {
  if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
}

function status(res: ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code }));
}
