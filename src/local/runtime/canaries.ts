// The simulated clusters' canaries: one small HTTP server per cluster on loopback,
// answering like the httpbin canary a real cluster publishes under its canary hostname
// (`/status/<code>` answers <code>, anything else 200). Route 53's health checks probe
// the canary hostname; the runtime maps that name to this server (resolveTarget).
// `fail` makes a canary answer 503 to everything (or refuse connections), `heal` brings it back.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { normalizeName } from '../../core/dns-names.ts';
import { UnknownCluster } from '../../core/errors.ts';

export const CANARY_MODES = ['healthy', 'failing', 'down'] as const;
/** healthy: answers; failing: HTTP 503 to every request; down: refuses connections. */
export type CanaryMode = (typeof CANARY_MODES)[number];

export interface CanaryInfo {
  cluster: string;
  hostname: string;
  mode: CanaryMode;
  /** Loopback port the server listens on (0 while down and never started). */
  port: number;
  /** Requests answered since start. */
  requests: number;
}

interface Canary {
  cluster: string;
  hostname: string;
  mode: CanaryMode;
  server: Server;
  port: number;
  requests: number;
  sockets: Set<Socket>;
}

function answer(canary: Canary, path: string): { status: number; body: string } {
  if (canary.mode === 'failing') return { status: 503, body: `canary of ${canary.cluster} is failing (switchyard local fail)\n` };
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
    canary.server.listen(port, '127.0.0.1', () => {
      canary.server.off('error', reject);
      resolve();
    });
  });
  return (canary.server.address() as AddressInfo).port;
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

  private constructor() {}

  /** Starts one server per cluster, each in the mode given (default healthy). */
  static async start(clusters: ReadonlyArray<{ name: string; canaryHostname: string }>, modes: Readonly<Record<string, CanaryMode>> = {}): Promise<CanaryFleet> {
    const fleet = new CanaryFleet();
    try {
      for (const cluster of clusters) {
        const canary: Canary = {
          cluster: cluster.name,
          hostname: normalizeName(cluster.canaryHostname).replace(/\.$/, ''),
          mode: modes[cluster.name] ?? 'healthy',
          server: createServer(),
          port: 0,
          requests: 0,
          sockets: new Set(),
        };
        canary.server.on('request', (req, res) => {
          canary.requests += 1;
          const { status, body } = answer(canary, new URL(req.url ?? '/', 'http://canary').pathname);
          res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) }).end(body);
        });
        canary.server.on('connection', (socket) => {
          canary.sockets.add(socket);
          socket.once('close', () => canary.sockets.delete(socket));
        });
        // The port is fixed once picked, so a check that probed it keeps probing the same server.
        canary.port = await listen(canary, 0);
        if (canary.mode === 'down') await stop(canary);
        fleet.#canaries.set(canary.cluster, canary);
        fleet.#byHostname.set(canary.hostname, canary);
      }
    } catch (error) {
      await fleet.close();
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
    return canary === undefined ? undefined : { host: '127.0.0.1', port: canary.port };
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
    return { cluster: canary.cluster, hostname: canary.hostname, mode: canary.mode, port: canary.port, requests: canary.requests };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#canaries.values()].map(stop));
  }
}
