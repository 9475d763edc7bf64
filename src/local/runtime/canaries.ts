// The simulated clusters' entry points: one small HTTP server per cluster on loopback
// that answers by Host, as a cluster's gateway routes: its canary hostname like the
// httpbin canary a real cluster publishes (`/status/<code>` answers <code>, anything
// else 200), any other name as that app (`<cluster>.<hostname>`, the per-app health
// name, is the app `<hostname>`). Route 53's health checks probe the canary hostname or
// a per-app health name; the runtime maps the name to this server (resolveTarget).
// `fail` makes the whole cluster answer 503 to everything (or refuse connections), or
// with an app only that app; `heal` brings it back.
import { createServer, type Server } from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import { normalizeName } from '../../core/dns-names.ts';
import { UnknownCluster } from '../../core/errors.ts';
import { clusterAddress } from './names.ts';

export const CANARY_MODES = ['healthy', 'failing', 'down'] as const;
/** healthy: answers; failing: HTTP 503 to every request; down: refuses connections. */
export type CanaryMode = (typeof CANARY_MODES)[number];

export interface CanaryInfo {
  cluster: string;
  hostname: string;
  mode: CanaryMode;
  /** Apps failing on this cluster alone (`switchyard local fail <cluster> --app <hostname>`): they answer 503. */
  failingApps: string[];
  /** The simulated load balancer's own loopback address (127.0.1.<n>; 127.0.0.1 where the OS has no other). */
  address: string;
  /** Loopback port the server listens on (0 while down and never started). */
  port: number;
  /** Requests answered since start. */
  requests: number;
}

interface Canary {
  cluster: string;
  hostname: string;
  /** The load balancer name the cluster's records alias to (without `dualstack.` and trailing dot). */
  entryPoint?: string;
  mode: CanaryMode;
  failingApps: Set<string>;
  server: Server;
  address: string;
  port: number;
  requests: number;
  sockets: Set<Socket>;
}

function bareName(name: string): string {
  return normalizeName(name)
    .replace(/\.$/, '')
    .replace(/^dualstack\./, '');
}

/**
 * The app a request is for: its Host without the port, and without a leading `<cluster>.`
 * (the per-app health name). '' for no name (no Host, an IP address, localhost): the canary.
 */
function appOf(canary: Canary, host: string): string {
  const name = host
    .toLowerCase()
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (name === '' || name === 'localhost' || isIP(name) !== 0) return '';
  return name.startsWith(`${canary.cluster}.`) ? name.slice(canary.cluster.length + 1) : name;
}

function answer(canary: Canary, host: string, path: string): { status: number; body: string } {
  if (canary.mode === 'failing') return { status: 503, body: `cluster ${canary.cluster} is failing (switchyard local fail)\n` };
  const app = appOf(canary, host);
  if (app !== '' && app !== canary.hostname) {
    if (canary.failingApps.has(app)) return { status: 503, body: `${app} on cluster ${canary.cluster} is failing (switchyard local fail --app)\n` };
    return { status: 200, body: `${app} on cluster ${canary.cluster}: ok\n` };
  }
  const status = /^\/status\/(\d{3})\/?$/.exec(path);
  if (status) {
    const code = Number(status[1]);
    if (code >= 100 && code <= 599) return { status: code, body: '' };
  }
  return { status: 200, body: `canary of ${canary.cluster}: ok\n` };
}

async function listen(canary: Canary, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    canary.server.once('error', reject);
    canary.server.listen(port, canary.address, () => {
      canary.server.off('error', reject);
      resolve();
    });
  });
  return (canary.server.address() as AddressInfo).port;
}

/**
 * Listens at the canary's own address on the fleet's port (any free port for the first). An OS
 * without the 127.0.1.x loopback addresses (macOS has only 127.0.0.1 unless aliased) gets
 * 127.0.0.1 and a port of its own: health checks still work, DNS-routed traffic cannot tell the
 * clusters apart (docs/local-runtime.md).
 */
async function listenOnSharedPort(canary: Canary, port: number | undefined): Promise<number> {
  try {
    return await listen(canary, port ?? 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw error;
    canary.address = '127.0.0.1';
    return listen(canary, 0);
  }
}

function stop(canary: Canary): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!canary.server.listening) return resolve();
    canary.server.close(() => resolve());
    for (const socket of canary.sockets) socket.destroy();
  });
}

/** Every cluster's canary server, by cluster name. */
export class CanaryFleet {
  readonly #canaries = new Map<string, Canary>();
  readonly #byHostname = new Map<string, Canary>();
  /** The port every simulated load balancer answers HTTP on. */
  #port: number | undefined;

  get httpPort(): number | undefined {
    return this.#port;
  }

  /** The loopback address of a cluster's simulated load balancer. */
  addressOf(cluster: string): string | undefined {
    return this.#canaries.get(cluster)?.address;
  }

  /** The cluster whose simulated load balancer listens at `address` (undefined where several share 127.0.0.1). */
  clusterAt(address: string): string | undefined {
    const at = [...this.#canaries.values()].filter((c) => c.address === address);
    return at.length === 1 ? at[0]!.cluster : undefined;
  }

  private constructor() {}

  /** Starts one server per cluster, each in the mode given (default healthy). */
  static async start(
    clusters: ReadonlyArray<{ name: string; canaryHostname: string; entryPoint?: string }>,
    modes: Readonly<Record<string, CanaryMode>> = {},
    failingApps: Readonly<Record<string, readonly string[]>> = {},
    attempt = 1,
  ): Promise<CanaryFleet> {
    const fleet = new CanaryFleet();
    try {
      for (const [index, cluster] of clusters.entries()) {
        const canary: Canary = {
          cluster: cluster.name,
          hostname: normalizeName(cluster.canaryHostname).replace(/\.$/, ''),
          ...(cluster.entryPoint ? { entryPoint: bareName(cluster.entryPoint) } : {}),
          mode: modes[cluster.name] ?? 'healthy',
          failingApps: new Set(failingApps[cluster.name] ?? []),
          server: createServer(),
          address: clusterAddress(index),
          port: 0,
          requests: 0,
          sockets: new Set(),
        };
        canary.server.on('request', (req, res) => {
          canary.requests += 1;
          const { status, body } = answer(canary, req.headers.host ?? '', new URL(req.url ?? '/', 'http://canary').pathname);
          res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) }).end(body);
        });
        canary.server.on('connection', (socket) => {
          canary.sockets.add(socket);
          socket.once('close', () => canary.sockets.delete(socket));
        });
        // Every load balancer answers on one port, as real ones all answer on 80, each at its
        // own address; the port is fixed once picked, so a check keeps probing the same server.
        canary.port = await listenOnSharedPort(canary, fleet.#port);
        fleet.#port ??= canary.port;
        if (canary.mode === 'down') await stop(canary);
        fleet.#canaries.set(canary.cluster, canary);
        fleet.#byHostname.set(canary.hostname, canary);
      }
    } catch (error) {
      await fleet.close();
      // The port the first cluster got may be taken at another cluster's address: pick again.
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) return CanaryFleet.start(clusters, modes, failingApps, attempt + 1);
      throw error;
    }
    return fleet;
  }

  /**
   * Where a health check aimed at `host` should connect: the canary server of the cluster
   * whose canary hostname it is (any port: the check's port is the cluster's, not ours).
   * Undefined for any other name, which Route 53 then reports as a DNS failure.
   */
  resolve(host: string): { host: string; port: number } | undefined {
    const canary = this.#byHostname.get(normalizeName(host).replace(/\.$/, ''));
    return canary === undefined ? undefined : { host: canary.address, port: canary.port };
  }

  /**
   * Where a health check aimed at a name that aliases to `aliasTarget` (a load balancer's
   * DNS name, as the name's record holds it) should connect: the server of the cluster
   * whose entry point that is. Undefined for any other target.
   */
  resolveEntryPoint(aliasTarget: string | undefined): { host: string; port: number } | undefined {
    if (aliasTarget === undefined) return undefined;
    const target = bareName(aliasTarget);
    const canary = [...this.#canaries.values()].find((c) => c.entryPoint === target);
    return canary === undefined ? undefined : { host: canary.address, port: canary.port };
  }

  /** Makes one app fail (503) on one cluster, or answer again; the canary and the other apps are untouched. */
  setAppFailing(cluster: string, hostname: string, failing: boolean): CanaryInfo {
    const canary = this.#canaries.get(cluster);
    if (canary === undefined) throw new UnknownCluster(cluster, [...this.#canaries.keys()]);
    const app = hostname.toLowerCase().replace(/\.$/, '');
    if (failing) canary.failingApps.add(app);
    else canary.failingApps.delete(app);
    return this.#info(canary);
  }

  /** Apps failing alone, by cluster (only clusters with some). */
  failingApps(): Record<string, string[]> {
    return Object.fromEntries([...this.#canaries.values()].filter((c) => c.failingApps.size > 0).map((c) => [c.cluster, [...c.failingApps].sort()]));
  }

  /** Puts a cluster's canary in `mode`; throws UnknownCluster for a name not in the fleet. */
  async setMode(cluster: string, mode: CanaryMode): Promise<CanaryInfo> {
    const canary = this.#canaries.get(cluster);
    if (canary === undefined) throw new UnknownCluster(cluster, [...this.#canaries.keys()]);
    if (mode === 'down' && canary.mode !== 'down') await stop(canary);
    if (mode !== 'down' && !canary.server.listening) await listen(canary, canary.port);
    canary.mode = mode;
    return this.#info(canary);
  }

  list(): CanaryInfo[] {
    return [...this.#canaries.values()].map((c) => this.#info(c));
  }

  modes(): Record<string, CanaryMode> {
    return Object.fromEntries([...this.#canaries.values()].map((c) => [c.cluster, c.mode]));
  }

  #info(canary: Canary): CanaryInfo {
    return {
      cluster: canary.cluster,
      hostname: canary.hostname,
      mode: canary.mode,
      failingApps: [...canary.failingApps].sort(),
      address: canary.address,
      port: canary.port,
      requests: canary.requests,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#canaries.values()].map(stop));
  }
}
