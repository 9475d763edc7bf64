// `switchyard local traffic`: a steady, bounded request rate per app. Each request
// resolves the app through the local DNS server (answers cached for their TTL × the time
// scale, as behind a caching resolver), then sends HTTP to the address it got, with the
// app's name as Host, and counts which cluster answered. See docs/local-runtime.md.
import { request } from 'node:http';
import { DnsCache } from './dns-cache.ts';
import { resolveA } from './dns-client.ts';
import { TrafficTally, type Outcome } from './tally.ts';

export interface TrafficOptions {
  apps: readonly string[];
  /** The local DNS server. */
  dns: { host: string; port: number };
  /** Port the simulated clusters' load balancers answer HTTP on (their address comes from DNS). */
  httpPort: number;
  /** The cluster a load balancer address belongs to (127.0.1.n). */
  clusterOf(address: string): string | undefined;
  /** Requests per second per app. */
  rate: number;
  durationMs: number;
  /** TTLs are multiplied by this (the runtime's --time-scale). */
  timeScale: number;
  signal?: AbortSignal;
  onTick?: (tally: TrafficTally, nowMs: number) => void;
  now?: () => number;
}

export const MAX_RATE = 1000;
export const MAX_DURATION_MS = 3_600_000;

function get(address: string, port: number, host: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path: '/', headers: { host }, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`no HTTP answer from ${address} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** One request for `app`: DNS (cached), then HTTP. */
async function sendOne(app: string, cache: DnsCache, options: TrafficOptions, now: () => number): Promise<Outcome> {
  let addresses = cache.get(app, now());
  if (addresses === undefined) {
    const answer = await resolveA(options.dns.host, options.dns.port, app);
    if (answer.rcode !== 'NOERROR' || answer.addresses.length === 0)
      return { error: `DNS ${answer.rcode}${answer.addresses.length === 0 ? ' (no address)' : ''}` };
    addresses = answer.addresses;
    cache.put(app, addresses, answer.ttl, now());
  }
  const address = addresses[0]!;
  const cluster = options.clusterOf(address);
  if (cluster === undefined) return { error: `no simulated cluster at ${address}` };
  const status = await get(address, options.httpPort, app, 2000);
  return status >= 200 && status < 400 ? { cluster } : { error: `HTTP ${status} from ${cluster}` };
}

/** Sends the traffic until the duration runs out (or the signal aborts); resolves with the tally. */
export async function runTraffic(options: TrafficOptions): Promise<TrafficTally> {
  if (!(options.rate > 0 && options.rate <= MAX_RATE))
    throw new RangeError(`rate ${options.rate}: must be more than 0 and at most ${MAX_RATE} requests per second per app`);
  if (!(options.durationMs > 0 && options.durationMs <= MAX_DURATION_MS))
    throw new RangeError(`duration ${options.durationMs} ms: must be more than 0 and at most ${MAX_DURATION_MS / 1000} s`);
  const now = options.now ?? Date.now;
  const cache = new DnsCache(options.timeScale);
  const tally = new TrafficTally();
  const started = now();
  const interval = 1000 / options.rate;
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  const tick = setInterval(() => options.onTick?.(tally, now()), 1000);
  try {
    // Each round sends one request per app; rounds are spaced so each app gets `rate` per second.
    while (!options.signal?.aborted && now() - started < options.durationMs) {
      for (const app of options.apps) {
        const done = sendOne(app, cache, options, now)
          .catch((error: unknown): Outcome => ({ error: error instanceof Error ? error.message : String(error) }))
          .then((outcome) => tally.record(app, outcome, now()));
        inFlight.add(done);
        void done.finally(() => inFlight.delete(done));
      }
      sent += 1;
      const next = started + sent * interval;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - now())));
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(tick);
  }
  options.onTick?.(tally, now());
  return tally;
}
