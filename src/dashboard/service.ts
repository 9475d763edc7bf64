// The dashboard as a service of the local endpoint (and of `switchyard dashboard`'s own
// loopback server): a browser GET of `/` is the page; everything else lives under
// /_dashboard/, a path no AWS API uses, so AWS requests are unaffected.
//
//   GET  /                                        the page (HTML; carries the per-run token)
//   GET  /_dashboard/app.js                       the bundled script
//   GET  /_dashboard/api/snapshot                 the latest Snapshot (JSON)
//   GET  /_dashboard/api/series                   the chart's lines (JSON: SeriesInfo and samples per kind)
//   GET  /_dashboard/events                       server-sent events: init, snapshot, series, sample
//   POST /_dashboard/api/clusters/<name>/<op>     drain | restore | abort | fail | heal (guarded)
import { randomUUID } from 'node:crypto';
import { SwitchyardError, errorMessage } from '../core/errors.ts';
import type { LocalRequest, LocalResponse, LocalService } from '@switchyard/local-aws';
import { webBundle } from './bundle.ts';
import type { DashboardGuard } from './guard.ts';
import { DASHBOARD_PREFIX, type InitMessage, type OperationKind, type PageConfig, type Snapshot, type WorkflowGraph } from './model.ts';
import { SeriesStore } from './series.ts';
import type { DashboardSource } from './source.ts';

export interface DashboardOptions {
  source: DashboardSource;
  guard: DashboardGuard;
  /** How often the snapshot is read while a page is open (ms; default 1000). */
  refreshMs?: number;
  log?: (line: string) => void;
}

export interface Dashboard {
  service: LocalService;
  series: SeriesStore;
  /** Starts sampling now (otherwise at the first request); idempotent. */
  start(): void;
  close(): Promise<void>;
}

const OPERATIONS: readonly OperationKind[] = ['drain', 'restore', 'abort', 'fail', 'heal'];

function json(status: number, body: unknown): LocalResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-amzn-requestid': randomUUID() },
    body: `${JSON.stringify(body)}\n`,
  };
}

function refused(status: number, code: string, message: string): LocalResponse {
  return json(status, { error: code, message });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function page(config: PageConfig, style: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard · ${escapeHtml(config.mode === 'local' ? 'local runtime' : `stage ${config.stage}`)}</title>
<meta name="switchyard-config" content="${escapeHtml(JSON.stringify(config))}">
<style>${style}</style></head>
<body><div id="app"><p class="loading">Loading…</p></div><script src="${DASHBOARD_PREFIX}app.js"></script></body></html>
`;
}

export function createDashboard(options: DashboardOptions): Dashboard {
  const { source, guard } = options;
  const log = options.log ?? (() => {});
  const series = new SeriesStore();
  const streams = new Set<(chunk: string) => void>();
  let latest: Snapshot | undefined;
  let latestText = '';
  let graphs: Record<string, WorkflowGraph> = {};
  let stopSampling: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> | undefined;

  const broadcast = (event: string, data: unknown) => {
    const chunk = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const write of streams) write(chunk);
  };
  const readSnapshot = (): Promise<void> => {
    reading ??= (async () => {
      try {
        if (Object.keys(graphs).length === 0) graphs = await source.graphs();
        const next = await source.snapshot();
        const text = JSON.stringify({ ...next, at: '' });
        latest = next;
        if (text !== latestText) {
          latestText = text;
          broadcast('snapshot', next);
        }
      } catch (error) {
        const message = `reading the ${source.mode === 'local' ? 'local runtime' : `stage ${source.stage}`} failed: ${errorMessage(error)}`;
        log(`dashboard: ${message}`);
        // The page says so rather than showing stale data as if it were current.
        broadcast('failure', { message });
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };
  const start = () => {
    if (stopSampling !== undefined) return;
    stopSampling = source.sample(series);
    series.onSample((kind, sample) => broadcast('sample', { kind, sample }));
    series.onDefine((info) => broadcast('series', info));
    timer = setInterval(() => {
      if (streams.size > 0) void readSnapshot();
    }, options.refreshMs ?? 1000);
    timer.unref();
  };
  const config = (): PageConfig => ({
    mode: source.mode,
    stage: source.stage,
    operations: OPERATIONS.filter((op) => source.operations[op] !== undefined),
    token: guard.token,
  });

  const operate = async (req: LocalRequest, cluster: string, op: string): Promise<LocalResponse> => {
    const why = guard.refuseWrite(req);
    if (why !== undefined) return refused(403, 'AccessDenied', why);
    const run = (OPERATIONS as readonly string[]).includes(op) ? source.operations[op as OperationKind] : undefined;
    if (run === undefined) {
      const allowed = config().operations;
      return refused(
        403,
        'OperationNotAllowed',
        `${op}: not an operation of this dashboard (${allowed.length === 0 ? 'it is read-only; `switchyard dashboard --allow-operations` enables drain, restore and abort' : `it offers ${allowed.join(', ')}`})`,
      );
    }
    try {
      const result = await run(cluster);
      log(`dashboard: ${op} ${cluster}`);
      void readSnapshot();
      return json(200, { operation: op, cluster, ...result });
    } catch (error) {
      if (error instanceof SwitchyardError)
        return refused(error.name === 'UnknownCluster' ? 404 : error.name === 'InvalidInput' ? 400 : 409, error.name, error.message);
      return refused(500, 'InternalFailure', errorMessage(error));
    }
  };

  const service: LocalService = {
    name: 'dashboard',
    // What the endpoint refuses for the dashboard (a foreign Host or Origin) is JSON, as the dashboard's own refusals.
    refuse: (_req, status, code, message) => refused(status, code, message),
    matches: (req) =>
      (req.url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD') && req.headers['x-amz-target'] === undefined) ||
      req.url.pathname.startsWith(DASHBOARD_PREFIX),
    async handle(req) {
      const path = req.url.pathname;
      const post = /^\/_dashboard\/api\/clusters\/([^/]+)\/([a-z]+)$/.exec(path);
      if (post) {
        let cluster: string;
        try {
          cluster = decodeURIComponent(post[1]!);
        } catch {
          return refused(400, 'InvalidInput', `cluster "${post[1]}" in the path: not valid percent-encoding`);
        }
        return operate(req, cluster, post[2]!);
      }
      const why = guard.refuseRead(req);
      if (why !== undefined) return refused(403, 'AccessDenied', why);
      if (req.method !== 'GET' && req.method !== 'HEAD') return refused(405, 'MethodNotAllowed', `${path} takes GET, not ${req.method}`);
      start();
      if (path === '/') {
        const { style } = await webBundle();
        return {
          status: 200,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'x-frame-options': 'DENY',
            'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'",
          },
          body: page(config(), style),
        };
      }
      if (path === `${DASHBOARD_PREFIX}app.js`) {
        const { script } = await webBundle();
        return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }, body: script };
      }
      if (path === `${DASHBOARD_PREFIX}api/snapshot`) {
        await readSnapshot();
        return latest === undefined ? refused(503, 'ServiceUnavailable', 'no snapshot could be read yet (see the log)') : json(200, latest);
      }
      if (path === `${DASHBOARD_PREFIX}api/series`) return json(200, series.list());
      if (path === `${DASHBOARD_PREFIX}events`) {
        await readSnapshot();
        const init: InitMessage = { snapshot: latest, series: series.list(), graphs };
        return {
          status: 200,
          headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' },
          stream: (write) => {
            write(`retry: 2000\nevent: init\ndata: ${JSON.stringify(init)}\n\n`);
            streams.add(write);
            return () => streams.delete(write);
          },
        };
      }
      return refused(404, 'NotFound', `no dashboard resource at ${path}`);
    },
    async close() {
      clearInterval(timer);
      stopSampling?.();
      streams.clear();
      await reading;
      await source.close?.();
    },
  };
  return { service, series, start, close: () => service.close!() };
}
