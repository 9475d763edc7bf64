// DNS messages in and out, with dns-packet: a query becomes a Query for the resolver, a
// Resolution becomes a response (authoritative, TC over UDP when it does not fit). Record
// values are converted from Route 53's text form (`"a" "b"` for TXT, `10 mx.example.com`).
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import type { AnswerRecord, Query, Resolution, ResponseCode } from './resolver.ts';
import { regionOfAddress } from './region-latency.ts';

const RCODES: Readonly<Record<ResponseCode | 'FORMERR' | 'NOTIMP', number>> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
/** Without EDNS a UDP answer must fit in 512 bytes (RFC 1035). */
const CLASSIC_UDP_SIZE = 512;
/** The payload size this server advertises and honours at most (the DNS flag day value). */
const EDNS_UDP_SIZE = 1232;

/** Types whose Route 53 text form is converted to wire data here. */
export const ANSWERED_TYPES = new Set(['A', 'AAAA', 'CNAME', 'NS', 'PTR', 'TXT', 'SPF', 'MX', 'SOA', 'SRV', 'CAA']);

const bare = (name: string) => (name.endsWith('.') && name.length > 1 ? name.slice(0, -1) : name);

/** `"v=spf1 -all" "second"` → ['v=spf1 -all', 'second'], with Route 53's `\"`, `\\` and `\ddd` escapes. */
export function characterStrings(value: string): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < value.length) {
    while (value[i] === ' ') i++;
    if (i >= value.length) break;
    const quoted = value[i] === '"';
    if (quoted) i++;
    const bytes: number[] = [];
    while (i < value.length && (quoted ? value[i] !== '"' : value[i] !== ' ')) {
      if (value[i] === '\\' && /^\d{3}$/.test(value.slice(i + 1, i + 4))) {
        bytes.push(Number(value.slice(i + 1, i + 4)) & 0xff);
        i += 4;
      } else if (value[i] === '\\' && i + 1 < value.length) {
        bytes.push(...Buffer.from(value[i + 1]!, 'utf8'));
        i += 2;
      } else {
        bytes.push(...Buffer.from(value[i]!, 'utf8'));
        i++;
      }
    }
    if (quoted) i++;
    out.push(Buffer.from(bytes));
  }
  return out;
}

function fields(value: string): string[] {
  return value.trim().split(/\s+/);
}

/** One answer record in dns-packet's form; undefined for a type this server does not encode. */
export function toWire(record: AnswerRecord): Answer | undefined {
  const base = { name: bare(record.name), ttl: record.ttl, class: 'IN' as const };
  const f = fields(record.data);
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { ...base, type: record.type, data: record.data.trim() };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { ...base, type: record.type, data: bare(record.data.trim()) };
    case 'TXT':
    case 'SPF':
      return { ...base, type: 'TXT', data: characterStrings(record.data) };
    case 'MX':
      return { ...base, type: 'MX', data: { preference: Number(f[0]), exchange: bare(f[1] ?? '') } };
    case 'SRV':
      return { ...base, type: 'SRV', data: { priority: Number(f[0]), weight: Number(f[1]), port: Number(f[2]), target: bare(f[3] ?? '') } };
    case 'SOA':
      return {
        ...base,
        type: 'SOA',
        data: {
          mname: bare(f[0] ?? ''),
          rname: bare(f[1] ?? ''),
          serial: Number(f[2]),
          refresh: Number(f[3]),
          retry: Number(f[4]),
          expire: Number(f[5]),
          minimum: Number(f[6]),
        },
      };
    case 'CAA': {
      const [flags, tag] = f;
      const rest = record.data.trim().slice(`${flags} ${tag} `.length);
      return { ...base, type: 'CAA', data: { flags: Number(flags), tag: (tag ?? '') as 'issue', value: characterStrings(rest)[0]?.toString('utf8') ?? '' } };
    }
    default:
      return undefined;
  }
}

export type Decoded =
  | { kind: 'query'; packet: Packet; query: Query; udpSize: number; edns: boolean }
  | { kind: 'error'; id: number; rcode: 'FORMERR' | 'NOTIMP' | 'REFUSED'; packet?: Packet }
  | { kind: 'drop' };

/** Reads a query; the client's region comes from EDNS Client Subnet (region-latency.ts), else `defaultRegion`. */
export function decodeQuery(message: Buffer, defaultRegion: string): Decoded {
  if (message.length < 12) return { kind: 'drop' };
  const id = message.readUInt16BE(0);
  if (message[2]! & 0x80) return { kind: 'drop' }; // a response: never answer one (no loops)
  let packet: ReturnType<typeof dnsPacket.decode>;
  try {
    packet = dnsPacket.decode(message);
  } catch {
    return { kind: 'error', id, rcode: 'FORMERR' };
  }
  // dns-packet decodes the opcode but its types omit it.
  if ((packet as { opcode?: string }).opcode !== 'QUERY') return { kind: 'error', id, rcode: 'NOTIMP', packet };
  const question = packet.questions?.[0];
  if (question === undefined || (packet.questions?.length ?? 0) !== 1) return { kind: 'error', id, rcode: 'FORMERR', packet };
  if (question.class !== 'IN') return { kind: 'error', id, rcode: 'REFUSED', packet };
  const opt = packet.additionals?.find((a) => a.type === 'OPT');
  const subnet = opt?.type === 'OPT' ? opt.options.find((o) => o.code === 8) : undefined;
  const clientIp = subnet !== undefined && 'ip' in subnet ? subnet.ip : undefined;
  const region = (clientIp !== undefined ? regionOfAddress(clientIp) : undefined) ?? defaultRegion;
  const udpSize = opt?.type === 'OPT' ? Math.max(CLASSIC_UDP_SIZE, Math.min(opt.udpPayloadSize, EDNS_UDP_SIZE)) : CLASSIC_UDP_SIZE;
  return { kind: 'query', packet, query: { name: question.name, type: question.type, clientRegion: region }, udpSize, edns: opt !== undefined };
}

function header(packet: Packet | undefined, id: number, rcode: number, extra = 0): Packet {
  const rd = (packet?.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  return { type: 'response', id, flags: rd | extra | rcode, questions: packet?.questions ?? [], answers: [], authorities: [], additionals: [] };
}

export function encodeError(decoded: Extract<Decoded, { kind: 'error' }>): Buffer {
  return dnsPacket.encode(header(decoded.packet, decoded.id, RCODES[decoded.rcode]));
}

/** The response to a query; over UDP, one that does not fit `udpSize` is sent empty with TC set. */
export function encodeResponse(decoded: Extract<Decoded, { kind: 'query' }>, resolution: Resolution, transport: 'udp' | 'tcp'): Buffer {
  const id = decoded.packet.id ?? 0;
  const answers = resolution.answers.map(toWire).filter((a): a is Answer => a !== undefined);
  const authorities = resolution.authority.map(toWire).filter((a): a is Answer => a !== undefined);
  const opt: Answer[] = decoded.edns
    ? [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
    : [];
  const authoritative = resolution.rcode === 'REFUSED' ? 0 : dnsPacket.AUTHORITATIVE_ANSWER;
  const full = dnsPacket.encode({ ...header(decoded.packet, id, RCODES[resolution.rcode], authoritative), answers, authorities, additionals: opt });
  if (transport === 'tcp' || full.length <= decoded.udpSize) return full;
  return dnsPacket.encode({ ...header(decoded.packet, id, RCODES[resolution.rcode], authoritative | dnsPacket.TRUNCATED_RESPONSE), additionals: opt });
}
