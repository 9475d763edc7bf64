// The local-only control API, under the reserved path /_switchyard/ on the runtime's
// endpoint (no AWS service uses it): what `switchyard local fail|heal|...` call over
// HTTP, and what a test or a script may call too. It simulates the world around
// Switchyard (a cluster's canary failing) and reports the runtime's status; it never
// changes DNS, intents or executions itself — those only change through the AWS APIs.
//
//   GET  /_switchyard/status                   the status view's data (JSON)
//   GET  /_switchyard/ready                    {"ready": true|false}
//   POST /_switchyard/clusters/<name>/fail     the cluster answers 503; body {"mode":"down"} refuses connections instead;
//                                              body {"app":"<hostname>"} fails that app only (503 to it, the rest answers)
//   POST /_switchyard/clusters/<name>/heal     the cluster answers again; body {"app":"<hostname>"}: that app only
//   POST /_switchyard/discover                 read the clusters' manifests again and send what changed
//   POST /_switchyard/traffic                  what `switchyard local traffic` sent and got answered since its last
//                                              report (src/local/traffic/report.ts), for the dashboard's request chart
//
// Every call that changes something (POST) carries the per-run token in X-Switchyard-Token:
// the runtime writes it to the state folder's `control-token` file (state-dir.ts), where
// only its user can read it, so a web page or another user on the machine cannot fail
// clusters over.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { SwitchyardError, errorMessage } from '../../core/errors.ts';
import type { LocalRequest, LocalResponse, LocalService } from '@switchyard/local-aws';
import { CONTROL_TOKEN_HEADER } from './state-dir.ts';
import type { CanaryInfo, CanaryMode } from './canaries.ts';
import type { LocalStatus } from './status-view.ts';

export const CONTROL_PREFIX = '/_switchyard/';

export interface ControlApi {
  status(): Promise<LocalStatus>;
  ready(): boolean;
  fail(cluster: string, mode: Extract<CanaryMode, 'failing' | 'down'>, app?: string): Promise<CanaryInfo>;
  heal(cluster: string, app?: string): Promise<CanaryInfo>;
  discover(): Promise<{ events: number; problems: string[]; unreachable: string[] }>;
  /** A traffic generator's counts (checked by the callee: a bad report is InvalidInput and changes nothing). */
  traffic(body: Record<string, unknown>): Promise<unknown>;
}

class ControlError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** What the control API answers while the runtime is still starting (503). */
export function stillStarting(): never {
  throw new ControlError(503, 'ServiceUnavailable', 'the local runtime is still starting; try again in a moment');
}

function json(status: number, body: unknown): LocalResponse {
  const code = (body as { error?: unknown }).error;
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...(typeof code === 'string' ? { 'x-amzn-errortype': code } : {}) },
    body: `${JSON.stringify(body)}\n`,
  };
}

function sameToken(sent: string | string[] | undefined, token: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function clusterName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ControlError(400, 'InvalidInput', `cluster name "${segment}" in the path: not valid percent-encoding`);
  }
}

function readBody(req: LocalRequest): Record<string, unknown> {
  const text = req.body.toString('utf8').trim();
  if (text === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ControlError(400, 'InvalidInput', 'request body: not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ControlError(400, 'InvalidInput', 'request body: expected a JSON object');
  return body as Record<string, unknown>;
}

function readMode(body: Record<string, unknown>): Extract<CanaryMode, 'failing' | 'down'> {
  const mode = body['mode'] ?? 'failing';
  if (mode !== 'failing' && mode !== 'down')
    throw new ControlError(400, 'InvalidInput', `mode "${String(mode)}": expected "failing" (HTTP 503) or "down" (connections refused)`);
  return mode;
}

function readApp(body: Record<string, unknown>): string | undefined {
  const app = body['app'];
  if (app === undefined) return undefined;
  if (typeof app !== 'string' || app.trim() === '') throw new ControlError(400, 'InvalidInput', `app ${JSON.stringify(app)}: expected the app's hostname`);
  return app;
}

function expect(req: LocalRequest, method: string): void {
  if (req.method !== method) throw new ControlError(405, 'MethodNotAllowed', `${req.url.pathname} takes ${method}, not ${req.method}`);
}

/** `token`: what a changing call must send in X-Switchyard-Token (the runtime's per-run token). */
export function controlService(api: ControlApi, token: string): LocalService {
  return {
    name: 'switchyard-control',
    maxBodyBytes: 64 * 1024,
    matches: (req) => req.url.pathname.startsWith(CONTROL_PREFIX),
    refuse: (_req, status, code, message) => json(status, { error: code, message }),
    async handle(req) {
      const path = req.url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, '');
      try {
        if (req.method !== 'GET' && !sameToken(req.headers[CONTROL_TOKEN_HEADER], token)) {
          const sent = req.headers[CONTROL_TOKEN_HEADER] === undefined ? 'no' : 'a wrong';
          throw new ControlError(
            403,
            'AccessDenied',
            `${req.method} ${req.url.pathname} changes the runtime and needs its token in ${CONTROL_TOKEN_HEADER}; ${sent} token was sent (the switchyard CLI reads it from the state folder, see docs/local-runtime.md)`,
          );
        }
        if (path === 'status') {
          expect(req, 'GET');
          return json(200, await api.status());
        }
        if (path === 'ready') {
          expect(req, 'GET');
          return json(200, { ready: api.ready() });
        }
        if (path === 'discover') {
          expect(req, 'POST');
          return json(200, await api.discover());
        }
        if (path === 'traffic') {
          expect(req, 'POST');
          return json(200, await api.traffic(readBody(req)));
        }
        const cluster = /^clusters\/([^/]+)\/(fail|heal)$/.exec(path);
        if (cluster) {
          expect(req, 'POST');
          const name = clusterName(cluster[1]!);
          const body = readBody(req);
          const app = readApp(body);
          if (app !== undefined && body['mode'] === 'down')
            throw new ControlError(
              400,
              'InvalidInput',
              `mode "down" refuses connections to the whole cluster ${name}; with app ${app}, only "failing" (HTTP 503 to that app)`,
            );
          const canary = cluster[2] === 'fail' ? await api.fail(name, readMode(body), app) : await api.heal(name, app);
          return json(200, { cluster: name, canary });
        }
        throw new ControlError(404, 'NotFound', `no local control operation at ${req.method} ${req.url.pathname} (see docs/local-runtime.md)`);
      } catch (error) {
        if (error instanceof ControlError) return json(error.status, { error: error.code, message: error.message });
        if (error instanceof SwitchyardError) {
          const status = error.name === 'UnknownCluster' ? 404 : error.name === 'InvalidInput' ? 400 : 500;
          return json(status, { error: error.name, message: error.message });
        }
        return json(500, { error: 'InternalFailure', message: errorMessage(error) });
      }
    },
  };
}
