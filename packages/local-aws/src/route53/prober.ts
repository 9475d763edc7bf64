// One probe of an endpoint, as a Route 53 health checker makes it: HTTP(S) GET that
// must answer 2xx/3xx (and, for *_STR_MATCH, hold the search string in the first
// 5,120 bytes of the body), or a TCP connection that must open.
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { runnableTimeout } from './runnable-timeout.ts';

export interface ProbeTarget {
  kind: 'http' | 'https' | 'tcp';
  /** Where to connect (after resolveTarget). */
  host: string;
  port: number;
  /** The Host header and TLS server name: the check's FullyQualifiedDomainName, else its IP address. */
  hostHeader: string;
  path: string;
  searchString?: string;
  sni: boolean;
}

export interface ProbeResult {
  ok: boolean;
  /** The StatusReport text GetHealthCheckStatus shows. */
  status: string;
}

const FIREWALL_HINT =
  'The endpoint or the internet connection is down, or requests are being blocked by your firewall. See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-router-firewall-rules.html';
const BODY_BYTES_SEARCHED = 5120;
const USER_AGENT = 'Amazon-Route53-Health-Check-Service (ref local-aws; report http://amzn.to/1vsZADi)';

export function probe(target: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  return target.kind === 'tcp' ? probeTcp(target, timeoutMs, signal) : probeHttp(target, timeoutMs, signal);
}

function failure(reason: string): ProbeResult {
  return { ok: false, status: `Failure: ${reason}` };
}

function socketFailure(error: NodeJS.ErrnoException): ProbeResult {
  if (error.code === 'ECONNREFUSED') return failure(`Connection refused. ${FIREWALL_HINT}`);
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return failure('DNS resolution failed.');
  if (error.code === 'ETIMEDOUT') return failure(`Connection timed out. ${FIREWALL_HINT}`);
  return failure(`Connection failed (${error.code ?? error.message}). ${FIREWALL_HINT}`);
}

function probeTcp(target: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const done = settleOnce(resolve, () => {
      timer.clear();
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
    });
    const timer = runnableTimeout(timeoutMs, () => done(failure(`Connection timed out. ${FIREWALL_HINT}`)));
    const onAbort = () => done(failure('Probe cancelled.'));
    signal.addEventListener('abort', onAbort);
    socket.once('connect', () => done({ ok: true, status: 'Success: TCP connection established.' }));
    socket.on('error', (error) => done(socketFailure(error)));
  });
}

function probeHttp(target: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let connected = false;
    const request = (target.kind === 'https' ? https : http).request({
      host: target.host,
      port: target.port,
      path: target.path,
      method: 'GET',
      agent: false,
      headers: { Host: target.hostHeader, 'User-Agent': USER_AGENT },
      // Route 53 does not validate certificates, and sends SNI only when asked to.
      ...(target.kind === 'https' ? { rejectUnauthorized: false, servername: target.sni && net.isIP(target.hostHeader) === 0 ? target.hostHeader : '' } : {}),
    });
    const done = settleOnce(resolve, () => {
      timer.clear();
      signal.removeEventListener('abort', onAbort);
      request.destroy();
    });
    const timer = runnableTimeout(timeoutMs, () =>
      done(failure(connected ? 'The endpoint did not send a response in time.' : `Connection timed out. ${FIREWALL_HINT}`)),
    );
    const onAbort = () => done(failure('Probe cancelled.'));
    signal.addEventListener('abort', onAbort);
    request.on('socket', (socket) => socket.once(target.kind === 'https' ? 'secureConnect' : 'connect', () => (connected = true)));
    request.on('error', (error) => done(socketFailure(error)));
    request.on('response', (response) => {
      const code = response.statusCode ?? 0;
      const line = `HTTP Status Code ${code}, ${response.statusMessage || STATUS_CODES[code] || ''}`.trimEnd();
      const success = code >= 200 && code < 400;
      if (!success) return done(failure(line));
      if (target.searchString === undefined) return done({ ok: true, status: `Success: ${line}` });
      let body = Buffer.alloc(0);
      const judge = () => {
        const found = body.subarray(0, BODY_BYTES_SEARCHED).includes(target.searchString!);
        done(
          found
            ? { ok: true, status: `Success: ${line}` }
            : failure(`String "${target.searchString}" was not found in the first ${BODY_BYTES_SEARCHED} bytes of the response body.`),
        );
      };
      response.on('data', (chunk: Buffer) => {
        body = Buffer.concat([body, chunk]);
        if (body.length >= BODY_BYTES_SEARCHED) judge();
      });
      response.on('end', judge);
      response.on('error', (error) => done(socketFailure(error)));
    });
    request.end();
  });
}

/** Resolves once and then runs the clean-up; later calls are ignored. */
function settleOnce(resolve: (r: ProbeResult) => void, cleanUp: () => void): (r: ProbeResult) => void {
  let settled = false;
  return (result) => {
    if (settled) return;
    settled = true;
    cleanUp();
    resolve(result);
  };
}
