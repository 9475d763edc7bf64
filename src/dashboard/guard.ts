// Who may use the dashboard, in one place. The page is served only to a loopback Host
// (so a DNS-rebinding page cannot read it, nor the token it carries); an operation (POST)
// must also come from the page's own origin and carry the per-run token the page was given.
// The local endpoint refuses foreign Hosts and Origins for every service as well
// (docs/dashboard.md, "Who may press the buttons"); this guard holds the same line on its own
// for `switchyard dashboard`, which has no other service in front of it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { LocalRequest } from '@switchyard/local-aws';
import { CONTROL_TOKEN_HEADER as TOKEN_HEADER } from '../local/runtime/state-dir.ts';

export interface DashboardGuard {
  /** The per-run token the page sends back with each operation. */
  readonly token: string;
  /** Why this request may not read the dashboard, or undefined when it may. */
  refuseRead(req: Pick<LocalRequest, 'headers'>): string | undefined;
  /** Why this request may not operate (drain, fail, …), or undefined when it may. */
  refuseWrite(req: Pick<LocalRequest, 'headers' | 'method'>): string | undefined;
}

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

function header(req: Pick<LocalRequest, 'headers'>, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function sameToken(sent: string | undefined, token: string): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `token`: the runtime's per-run token when it has one; otherwise a fresh random one for this run. */
export function dashboardGuard(token: string = randomBytes(24).toString('base64url')): DashboardGuard {
  const refuseRead = (req: Pick<LocalRequest, 'headers'>): string | undefined => {
    const host = header(req, 'host');
    if (host === undefined || !LOOPBACK_HOST.test(host))
      return `the dashboard answers only to a loopback Host (localhost, 127.x.x.x, [::1]), not ${host === undefined ? 'a request without Host' : `"${host}"`}`;
    return undefined;
  };
  return {
    token,
    refuseRead,
    refuseWrite(req) {
      const read = refuseRead(req);
      if (read !== undefined) return read;
      if (req.method !== 'POST') return `operations take POST, not ${req.method}`;
      // A browser says where a request comes from: Origin (a cross-origin POST always carries
      // it) and Sec-Fetch-Site (every current browser; a same-origin fetch may omit Origin).
      // A client that sends neither is not a browser a foreign page can drive; the token still applies.
      const origin = header(req, 'origin');
      const own = `http://${header(req, 'host')!}`;
      if (origin !== undefined && origin.toLowerCase() !== own.toLowerCase())
        return `operations are accepted only from the dashboard's own page (Origin ${own}), not from "${origin}"`;
      const site = header(req, 'sec-fetch-site');
      if (site !== undefined && site !== 'same-origin') return `operations are accepted only from the dashboard's own page, not from a ${site} request`;
      if (!sameToken(header(req, TOKEN_HEADER), token))
        return `operations need this run's token in ${TOKEN_HEADER} (the dashboard page carries it); ${header(req, TOKEN_HEADER) === undefined ? 'none' : 'a wrong one'} was sent`;
      return undefined;
    },
  };
}
