// The agent's HTTP port: /healthz (the process serves), /readyz (the first full sync was
// sent; 503 before, and while shutting down), /metrics (Prometheus text). GET only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentMetricsSnapshot } from './metrics.ts';
import { renderMetrics } from './metrics.ts';

export interface AgentHttp {
  port: number;
  close(): Promise<void>;
}

export interface AgentHttpOptions {
  host?: string;
  port: number;
  metrics(): AgentMetricsSnapshot;
  /** False once shutdown started. */
  serving(): boolean;
}

export async function startAgentHttp(options: AgentHttpOptions): Promise<AgentHttp> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://agent').pathname;
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path === '/readyz') {
      const ready = options.serving() && options.metrics().ready;
      return reply(ready ? 200 : 503, ready ? 'ready\n' : 'not ready: the first full sync has not been sent\n');
    }
    if (path === '/metrics') return reply(200, renderMetrics(options.metrics()), 'text/plain; version=0.0.4; charset=utf-8');
    return reply(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
