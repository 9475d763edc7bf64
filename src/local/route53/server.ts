// Serves one LocalService on loopback: `switchyard local route53`, and the tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalRequest, LocalService } from '../http.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:4566 */
  url: string;
  port: number;
  close(): Promise<void>;
}

export function serveLocalService(service: LocalService, options: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const req: LocalRequest = {
        method: incoming.method ?? 'GET',
        url: new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? host}`),
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      try {
        if (!service.matches(req)) {
          outgoing.writeHead(404, { 'content-type': 'text/plain' }).end(`${service.name} does not serve ${req.method} ${req.url.pathname}\n`);
          return;
        }
        const response = await service.handle(req);
        outgoing.writeHead(response.status, response.headers).end(response.body);
      } catch (error) {
        outgoing.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
