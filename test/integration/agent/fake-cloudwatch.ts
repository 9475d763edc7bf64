// A fake CloudWatch endpoint on loopback for the edges' canary tests: it accepts what the
// real SDK v3 sends (JSON 1.0, `X-Amz-Target: GraniteServiceVersion20100801.<Op>`),
// records each request's operation and body, and answers `{}`.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCloudWatch {
  url: string;
  received: Array<{ operation: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

async function read(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

export async function startFakeCloudWatch(): Promise<FakeCloudWatch> {
  const received: FakeCloudWatch['received'] = [];
  const server = createServer(async (req, res) => {
    const operation = String(req.headers['x-amz-target']).replace(/^GraniteServiceVersion20100801\./, '');
    received.push({ operation, body: JSON.parse(await read(req)) as Record<string, unknown> });
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
