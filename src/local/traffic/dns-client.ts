// A stub resolver's question to the local DNS server: UDP first, TCP when the answer comes
// back truncated (RFC 7766), as dig and system resolvers do.
import dnsPacket from 'dns-packet';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

export interface DnsAnswer {
  rcode: string;
  addresses: string[];
  /** The smallest TTL of the A records (seconds); 0 when there are none. */
  ttl: number;
}

let nextId = 1;

function query(name: string): Buffer {
  nextId = (nextId % 0xffff) + 1;
  return dnsPacket.encode({ type: 'query', id: nextId, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name, class: 'IN' }] });
}

function answerOf(reply: Buffer): DnsAnswer & { truncated: boolean } {
  const packet = dnsPacket.decode(reply) as ReturnType<typeof dnsPacket.decode> & { rcode: string };
  const records = (packet.answers ?? []).flatMap((a) => (a.type === 'A' ? [{ data: a.data, ttl: a.ttl ?? 0 }] : []));
  return {
    rcode: packet.rcode,
    truncated: packet.flag_tc,
    addresses: records.map((a) => a.data),
    ttl: records.length === 0 ? 0 : Math.min(...records.map((a) => a.ttl)),
  };
}

function overUdp(host: string, port: number, message: Buffer, timeoutMs: number): Promise<Buffer> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no DNS answer from ${host}:${port} in ${timeoutMs} ms`)), timeoutMs);
    socket.once('message', (reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.send(message, port, host);
  }).finally(() => socket.close());
}

function overTcp(host: string, port: number, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(message.length);
    const socket = connect(port, host, () => socket.write(Buffer.concat([prefix, message])));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no DNS answer over TCP from ${host}:${port} in ${timeoutMs} ms`)));
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        socket.end();
        resolve(buffer.subarray(2, 2 + buffer.readUInt16BE(0)));
      }
    });
    socket.on('error', reject);
  });
}

/** The A records of `name` from the DNS server at host:port. */
export async function resolveA(host: string, port: number, name: string, timeoutMs = 2000): Promise<DnsAnswer> {
  const message = query(name);
  const { truncated, ...udp } = answerOf(await overUdp(host, port, message, timeoutMs));
  if (!truncated) return udp;
  const { truncated: _, ...tcp } = answerOf(await overTcp(host, port, message, timeoutMs));
  return tcp;
}
