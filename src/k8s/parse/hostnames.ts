// Hostnames as Gateway resources write them → names Route 53 can publish. Pure.

export type HostnameResult = { hostname: string } | { reason: string };

const DNS_NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Lower-cases and drops a trailing dot. `*.example.com` is a wildcard record and
 * publishable; a bare `*` matches every name and is not.
 */
export function normalizeHostname(raw: string): HostnameResult {
  const host = raw.trim().toLowerCase().replace(/\.$/, '');
  if (host === '') return { reason: 'empty hostname' };
  if (host === '*') return { reason: `host "${raw}" matches every name and cannot be published` };
  if (host.includes('*') && !(host.startsWith('*.') && !host.slice(2).includes('*'))) {
    return { reason: `host "${raw}": a wildcard must be the whole first label (like *.example.com)` };
  }
  if (host.length > 253 || !DNS_NAME.test(host)) return { reason: `host "${raw}" is not a valid DNS name` };
  return { hostname: host };
}

export function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.');
}

/**
 * The hostname a route serves through a listener (Gateway API rules): the more
 * specific of the two when one covers the other, nothing when they are disjoint.
 * A missing listener hostname accepts every route hostname. Both normalized.
 */
export function intersectHostnames(listener: string | undefined, route: string): string | undefined {
  if (listener === undefined || listener === route) return route;
  const covers = (wildcard: string, name: string) => isWildcard(wildcard) && name.endsWith(wildcard.slice(1));
  if (covers(listener, route)) return route;
  if (covers(route, listener)) return listener;
  return undefined;
}
