// Serves one LocalService on loopback: `switchyard local route53`, and the tests. It is the
// runtime's endpoint with one service mounted, so it answers bad requests and refuses
// foreign callers (Host, Origin) exactly as the runtime does, and never dies of a request.
import { startEndpoint } from '../endpoint.ts';
import type { LocalService } from '../http.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:4566 */
  url: string;
  port: number;
  /** Stops listening; the service stays open (its owner closes it). */
  close(): Promise<void>;
}

export async function serveLocalService(
  service: LocalService,
  options: { port?: number; host?: string; log?: (line: string) => void } = {},
): Promise<RunningServer> {
  // The endpoint closes what it mounts: mount a view without close(), the caller owns the service.
  const mounted: LocalService = {
    name: service.name,
    matches: (req) => service.matches(req),
    handle: (req) => service.handle(req),
    // Its own body limit (Route 53: a 1,000-change batch), not the endpoint's 64 KiB default.
    ...(service.maxBodyBytes === undefined ? {} : { maxBodyBytes: service.maxBodyBytes }),
    ...(service.refuse === undefined ? {} : { refuse: (req, status, code, message) => service.refuse!(req, status, code, message) }),
  };
  const endpoint = await startEndpoint({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    services: [mounted],
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return { url: endpoint.url, port: endpoint.port, close: () => endpoint.close() };
}
