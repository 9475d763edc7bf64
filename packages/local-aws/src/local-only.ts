// Who may talk to a local endpoint: only this machine's own clients. A web page the
// engineer visits can send requests to 127.0.0.1 too (simple POSTs need no preflight),
// or reach it under a name of its own through DNS rebinding. Both carry a tell: the Host
// header names the attacker's site, or the Origin header names a page that is not the
// endpoint's own. AWS SDKs, the AWS CLI and the switchyard CLI send neither.
// See docs/local-runtime.md, "Who may call the endpoint".
import { isIPv4, isIPv6 } from 'node:net';

export interface LocalOnlyPolicy {
  /** The address the endpoint listens on (what --host says). */
  bindHost: string;
  /** The port it listens on: the only port its own pages' Origin can carry. */
  port: number;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** localhost, 127.0.0.0/8 or ::1 (an IPv6 literal with or without brackets). */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost') return true;
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIPv4(bare)) return bare.startsWith('127.');
  // The URL parser writes an IPv6 address in its shortest form: ::1 however it was spelled.
  return isIPv6(bare) && new URL(`http://[${bare}]/`).hostname === '[::1]';
}

/** True when listening on `bindHost` serves only this machine. */
export function bindsLoopbackOnly(bindHost: string): boolean {
  return isLoopbackHostname(bindHost);
}

/** Splits a Host header value ("name", "name:port", "[v6]:port"); undefined when it is not one. */
export function parseHostHeader(value: string): { hostname: string; port?: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(value);
  if (match === null) return undefined;
  const hostname = match[1]!;
  if (hostname.startsWith('[') && !isIPv6(hostname.slice(1, -1))) return undefined;
  if (match[2] === undefined) return { hostname };
  const port = Number(match[2]);
  return port > 65535 ? undefined : { hostname, port };
}

/** Whether a request may name `hostname` (in Host or Origin) under this policy. */
function allowedHostname(hostname: string, policy: LocalOnlyPolicy): boolean {
  if (isLoopbackHostname(hostname)) return true;
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  // Bound to another interface (an explicit --host): its own address, and with a wildcard any
  // address literal. Never another name: a name is what DNS rebinding points at this machine.
  if (bare.toLowerCase() === policy.bindHost.toLowerCase()) return true;
  return WILDCARDS.has(policy.bindHost) && (isIPv4(bare) || isIPv6(bare));
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Why a request must be refused, or undefined when it comes from this machine's own
 * clients: a Host that is not a loopback name or address (DNS rebinding, or a bad header),
 * an Origin other than the endpoint's own, or a browser's cross-site fetch.
 */
export function foreignRequest(headers: Record<string, string | string[] | undefined>, policy: LocalOnlyPolicy): string | undefined {
  const host = header(headers, 'host');
  if (host === undefined || host === '') return 'the request has no Host header; the local endpoint serves only clients on this machine';
  const parsed = parseHostHeader(host);
  if (parsed === undefined) return `Host header ${JSON.stringify(host)} is not a host name; the local endpoint serves only clients on this machine`;
  if (!allowedHostname(parsed.hostname, policy)) {
    return `Host ${JSON.stringify(host)} is not a loopback name or address (localhost, 127.0.0.0/8, [::1]); the local endpoint serves only clients on this machine`;
  }
  const origin = header(headers, 'origin');
  if (origin !== undefined && !ownOrigin(origin, policy)) {
    return `Origin ${JSON.stringify(origin)} is not the endpoint's own (http://127.0.0.1:${policy.port} or http://localhost:${policy.port}); web pages may not call the local endpoint`;
  }
  const site = header(headers, 'sec-fetch-site');
  if (origin === undefined && site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `a ${site} request from a web page (Sec-Fetch-Site); web pages may not call the local endpoint`;
  }
  return undefined;
}

/** http://<loopback or the bound address>:<the endpoint's port>. */
function ownOrigin(origin: string, policy: LocalOnlyPolicy): boolean {
  const match = /^http:\/\/([^/]+)$/i.exec(origin.trim());
  if (match === null) return false;
  const parsed = parseHostHeader(match[1]!);
  return parsed !== undefined && (parsed.port ?? 80) === policy.port && allowedHostname(parsed.hostname, policy);
}

/**
 * The request target as a URL, read without the Host header (which may be anything a
 * client sends): origin-form ("/path?query") and absolute-form targets; undefined otherwise.
 */
export function requestTarget(raw: string | undefined): URL | undefined {
  const target = raw ?? '/';
  try {
    if (target.startsWith('/')) return new URL(`http://localhost${target}`);
    const absolute = new URL(target);
    return absolute.protocol === 'http:' || absolute.protocol === 'https:' ? new URL(`http://localhost${absolute.pathname}${absolute.search}`) : undefined;
  } catch {
    return undefined;
  }
}

/** What listening on `bindHost` exposes, in one sentence for the log; undefined for loopback. */
export function exposureWarning(bindHost: string, url: string): string | undefined {
  if (bindsLoopbackOnly(bindHost)) return undefined;
  const who = WILDCARDS.has(bindHost) ? 'every network interface of this machine' : `the interface with address ${bindHost}`;
  return (
    `warning: listening on ${who} (--host ${bindHost || '""'}): anyone who can reach ${url} over the network can read and change ` +
    'its Route 53 zones, state machines, event rules, tables and alarms (requests are not authenticated). ' +
    'Requests must name an address, not a host name.'
  );
}
