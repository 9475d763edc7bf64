// The local-only control API, under the reserved path /_switchyard/ on the runtime's
// endpoint (no AWS service uses it): what `switchyard local fail|heal|...` call over
// HTTP, and what a test or a script may call too. It simulates the world around
// Switchyard (a cluster's canary failing) and reports the runtime's status; it never
// changes DNS, intents or executions itself — those only change through the AWS APIs.
//
//   GET  /_switchyard/status                   the status view's data (JSON)
//   GET  /_switchyard/ready                    {"ready": true|false}
//   POST /_switchyard/clusters/<name>/fail     canary answers 503; body {"mode":"down"} refuses connections instead
//   POST /_switchyard/clusters/<name>/heal     canary answers again
//   POST /_switchyard/discover                 read the clusters' manifests again and send what changed
import { randomUUID } from 'node:crypto';
import { SwitchyardError, errorMessage } from '../../core/errors.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../http.ts';
import type { CanaryInfo, CanaryMode } from './canaries.ts';
import type { LocalStatus } from './status-view.ts';

export const CONTROL_PREFIX = '/_switchyard/';

export interface ControlApi {
  status(): Promise<LocalStatus>;
  ready(): boolean;
  fail(cluster: string, mode: Extract<CanaryMode, 'failing' | 'down'>): Promise<CanaryInfo>;
  heal(cluster: string): Promise<CanaryInfo>;
  discover(): Promise<{ events: number; problems: string[]; unreachable: string[] }>;
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
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() }, body: `${JSON.stringify(body)}\n` };
}

function readMode(req: LocalRequest): Extract<CanaryMode, 'failing' | 'down'> {
  const text = req.body.toString('utf8').trim();
  if (text === '') return 'failing';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ControlError(400, 'InvalidInput', 'request body: not valid JSON');
  }
  const mode = (body as { mode?: unknown } | null)?.mode ?? 'failing';
  if (mode !== 'failing' && mode !== 'down') throw new ControlError(400, 'InvalidInput', `mode "${String(mode)}": expected "failing" (HTTP 503) or "down" (connections refused)`);
  return mode;
}

function expect(req: LocalRequest, method: string): void {
  if (req.method !== method) throw new ControlError(405, 'MethodNotAllowed', `${req.url.pathname} takes ${method}, not ${req.method}`);
}

export function controlService(api: ControlApi): LocalService {
  return {
    name: 'switchyard-control',
    maxBodyBytes: 64 * 1024,
    matches: (req) => req.url.pathname.startsWith(CONTROL_PREFIX),
    async handle(req) {
      const path = req.url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, '');
      try {
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
        const cluster = /^clusters\/([^/]+)\/(fail|heal)$/.exec(path);
        if (cluster) {
          expect(req, 'POST');
          const name = decodeURIComponent(cluster[1]!);
          const canary = cluster[2] === 'fail' ? await api.fail(name, readMode(req)) : await api.heal(name);
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
