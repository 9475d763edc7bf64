// The local DNS server: UDP and TCP on one loopback port, answering every query from the
// resolver (resolver.ts) as Route 53's authoritative name servers would. `dig @127.0.0.1 -p
// 4567 shop.example.com` works against it; see docs/local-runtime.md ("DNS answers").
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { decodeQuery, encodeError, encodeResponse } from './dns-wire.ts';
import type { Query, Resolution } from './resolver.ts';

export interface DnsServerOptions {
  /** Loopback by default; the runtime serves only its own machine. */
  host?: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port?: number;
  resolve(query: Query): Resolution;
  /** The client's region when a query carries no EDNS Client Subnet (latency records). */
  defaultRegion?: string;
  log?: (line: string) => void;
}

export interface DnsServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** A TCP connection idle this long is closed (RFC 7766 suggests seconds, not minutes). */
const TCP_IDLE_MS = 10_000;

function answer(message: Buffer, options: DnsServerOptions, transport: 'udp' | 'tcp'): Buffer | undefined {
  const decoded = decodeQuery(message, options.defaultRegion ?? 'us-east-1');
  if (decoded.kind === 'drop') return undefined;
  if (decoded.kind === 'error') return encodeError(decoded);
  let resolution: Resolution;
  try {
    resolution = options.resolve(decoded.query);
  } catch (error) {
    options.log?.(`dns: ${decoded.query.name} ${decoded.query.type}: ${error instanceof Error ? error.message : String(error)}`);
    resolution = { rcode: 'SERVFAIL', answers: [], authority: [] };
  }
  return encodeResponse(decoded, resolution, transport);
}

function serveTcpConnection(socket: TcpSocket, options: DnsServerOptions): void {
  let pending = Buffer.alloc(0);
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    // Each message is prefixed with its two-byte length (RFC 1035 4.2.2); several may be pipelined.
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) return;
      const message = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      const reply = answer(Buffer.from(message), options, 'tcp');
      if (reply === undefined) continue;
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(reply.length);
      socket.write(Buffer.concat([prefix, reply]));
    }
  });
}

async function bindUdp(host: string, port: number, options: DnsServerOptions): Promise<Socket> {
  const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (message, remote) => {
    const reply = answer(message, options, 'udp');
    if (reply !== undefined) udp.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  udp.on('error', (error) => options.log?.(`dns (udp): ${error.message}`));
  return udp;
}

async function listenTcp(host: string, port: number, options: DnsServerOptions): Promise<Server> {
  const tcp = createServer((socket) => serveTcpConnection(socket, options));
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  return tcp;
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const host = options.host ?? '127.0.0.1';
  // With port 0 the UDP port is picked first and TCP must get the same one: retry if taken.
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(host, options.port ?? 0, options);
    const port = udp.address().port;
    let tcp: Server;
    try {
      tcp = await listenTcp(host, port, options);
    } catch (error) {
      udp.close();
      if ((options.port ?? 0) !== 0 || attempt >= 10) throw error;
      continue;
    }
    const connections = new Set<TcpSocket>();
    tcp.on('connection', (socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
    });
    let closing: Promise<void> | undefined;
    return {
      host,
      port,
      close() {
        closing ??= new Promise<void>((resolve) => {
          for (const socket of connections) socket.destroy();
          udp.close(() => tcp.close(() => resolve()));
        });
        return closing;
      },
    };
  }
}
