// The local Route 53's answers on the wire: the DNS server over UDP and TCP (truncation and
// the TCP fallback, EDNS Client Subnet for latency records) and TestDNSAnswer through the AWS
// SDK, both from the same resolver.
import { TestDNSAnswerCommand } from '@aws-sdk/client-route-53';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from '../../src/route53/dns-server.ts';
import { regionSubnet } from '../../src/route53/region-latency.ts';
import { apply, change, createZone, simple, startEmulator, type Emulator } from './helpers.ts';

const LB = { east: 'east-lb.elb.us-east-1.amazonaws.com', west: 'west-lb.elb.us-west-2.amazonaws.com', eu: 'eu-lb.elb.eu-west-1.amazonaws.com' };
const ADDRESS: Record<string, string> = { [`${LB.east}.`]: '127.0.1.1', [`${LB.west}.`]: '127.0.1.2', [`${LB.eu}.`]: '127.0.1.3' };

let emulator: Emulator;
let dns: DnsServer;
let zoneId: string;

beforeAll(async () => {
  emulator = await startEmulator({ externalTarget: (name) => (ADDRESS[name] === undefined ? undefined : { addresses: [ADDRESS[name]!], healthy: true }) });
  zoneId = await createZone(emulator.client, 'example.com');
  const latency = (cluster: keyof typeof LB, region: string) => ({
    Name: 'lat.example.com',
    Type: 'A' as const,
    SetIdentifier: cluster,
    Region: region as 'us-east-1',
    AliasTarget: { HostedZoneId: 'Z26RNL4JYFTOTI', DNSName: LB[cluster], EvaluateTargetHealth: true },
  });
  await apply(
    emulator.client,
    zoneId,
    change('CREATE', { Name: 'shop.example.com', Type: 'A', AliasTarget: { HostedZoneId: 'Z26RNL4JYFTOTI', DNSName: LB.east, EvaluateTargetHealth: true } }),
    change('CREATE', latency('east', 'us-east-1')),
    change('CREATE', latency('west', 'us-west-2')),
    change('CREATE', latency('eu', 'eu-west-1')),
    // 40 long TXT strings: far more than 512 bytes, so UDP without EDNS must truncate
    change(
      'CREATE',
      simple(
        'big.example.com',
        'TXT',
        Array.from({ length: 40 }, (_, i) => `"${String(i).padStart(2, '0')}-${'x'.repeat(60)}"`),
      ),
    ),
    change('CREATE', simple('www.example.com', 'CNAME', ['shop.example.com'])),
  );
  dns = await startDnsServer({ port: 0, resolve: (q) => emulator.service.resolve(q) });
}, 60_000);

afterAll(async () => {
  await dns?.close();
  await emulator?.close();
});

/** dns-packet decodes the response code too, but its types omit it. */
type Reply = ReturnType<typeof dnsPacket.decode> & { rcode: string };

function udpQuery(packet: Packet): Promise<Reply> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('message', (message) => {
      socket.close();
      resolve(dnsPacket.decode(message) as Reply);
    });
    socket.once('error', reject);
    socket.send(dnsPacket.encode(packet), dns.port, '127.0.0.1');
  });
}

function tcpQuery(packet: Packet): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(dns.port, '127.0.0.1', () => socket.write(dnsPacket.streamEncode(packet)));
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        socket.end();
        resolve(dnsPacket.streamDecode(buffer) as unknown as Reply);
      }
    });
    socket.on('error', reject);
  });
}

const question = (name: string, type: 'A' | 'TXT' | 'AAAA' = 'A', additionals: Answer[] = []): Packet => ({
  type: 'query',
  id: 4242,
  flags: dnsPacket.RECURSION_DESIRED,
  questions: [{ type, name, class: 'IN' }],
  additionals,
});
const data = (packet: ReturnType<typeof dnsPacket.decode>) => (packet.answers ?? []).map((a) => ('data' in a ? a.data : undefined));

describe('local DNS server', () => {
  it('answers an alias A record over UDP, authoritative, with the query id', async () => {
    const reply = await udpQuery(question('shop.example.com'));
    expect(reply.id).toBe(4242);
    expect(reply.flag_aa).toBe(true);
    expect(reply.rcode).toBe('NOERROR');
    expect(reply.answers).toEqual([expect.objectContaining({ name: 'shop.example.com', type: 'A', ttl: 60, data: '127.0.1.1' })]);
  });

  it('answers the same over TCP', async () => {
    const reply = await tcpQuery(question('shop.example.com'));
    expect(data(reply)).toEqual(['127.0.1.1']);
  });

  it('follows a CNAME to the alias', async () => {
    const reply = await udpQuery(question('www.example.com'));
    expect(data(reply)).toEqual(['shop.example.com', '127.0.1.1']);
  });

  it('NXDOMAIN with the SOA in the authority section', async () => {
    const reply = await udpQuery(question('nope.example.com'));
    expect(reply.rcode).toBe('NXDOMAIN');
    expect(reply.authorities?.[0]?.type).toBe('SOA');
  });

  it('REFUSED outside its zones, not authoritative', async () => {
    const reply = await udpQuery(question('example.org'));
    expect(reply.rcode).toBe('REFUSED');
    expect(reply.flag_aa).toBe(false);
  });

  it('truncates an answer that does not fit 512 bytes over UDP, and answers it whole over TCP', async () => {
    const udp = await udpQuery(question('big.example.com', 'TXT'));
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers).toEqual([]);
    const tcp = await tcpQuery(question('big.example.com', 'TXT'));
    expect(tcp.flag_tc).toBe(false);
    expect(tcp.answers).toHaveLength(40);
  });

  it('takes the client region from EDNS Client Subnet for latency records', async () => {
    const subnet = (region: string): Answer[] => [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        options: [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: regionSubnet(region)!.replace('0/16', '1') }],
      },
    ];
    expect(data(await udpQuery(question('lat.example.com', 'A', subnet('eu-central-1'))))).toEqual(['127.0.1.3']);
    expect(data(await udpQuery(question('lat.example.com', 'A', subnet('us-west-1'))))).toEqual(['127.0.1.2']);
    // without the option: the default region, us-east-1
    expect(data(await udpQuery(question('lat.example.com')))).toEqual(['127.0.1.1']);
  });

  it('answers FORMERR to a query it cannot parse, and keeps serving', async () => {
    const socket = createSocket('udp4');
    const reply = await new Promise<Buffer>((resolve) => {
      socket.once('message', (m) => resolve(m));
      socket.send(Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x61]), dns.port, '127.0.0.1');
    });
    socket.close();
    expect(reply.readUInt16BE(0)).toBe(0x1234);
    expect(reply[3]! & 0x0f).toBe(1);
    expect(data(await udpQuery(question('shop.example.com')))).toEqual(['127.0.1.1']);
  });
});

describe('TestDNSAnswer', () => {
  it('answers through the AWS SDK from the same resolver', async () => {
    const answer = await emulator.client.send(new TestDNSAnswerCommand({ HostedZoneId: zoneId, RecordName: 'shop.example.com', RecordType: 'A' }));
    expect(answer).toMatchObject({ RecordName: 'shop.example.com.', RecordType: 'A', RecordData: ['127.0.1.1'], ResponseCode: 'NOERROR', Protocol: 'UDP' });
  });

  it('uses the EDNS client subnet it is given for latency records', async () => {
    const answer = await emulator.client.send(
      new TestDNSAnswerCommand({
        HostedZoneId: zoneId,
        RecordName: 'lat.example.com',
        RecordType: 'A',
        EDNS0ClientSubnetIP: regionSubnet('eu-west-2')!.replace('0/16', '1'),
        EDNS0ClientSubnetMask: '24',
      }),
    );
    expect(answer.RecordData).toEqual(['127.0.1.3']);
  });

  it('answers what an UPSERT wrote, also when it keeps the set (same name, type and SetIdentifier)', async () => {
    const ask = async () =>
      (await emulator.client.send(new TestDNSAnswerCommand({ HostedZoneId: zoneId, RecordName: 'moved.example.com', RecordType: 'A' }))).RecordData;
    await apply(emulator.client, zoneId, change('CREATE', simple('moved.example.com', 'A', ['192.0.2.1'])));
    expect(await ask()).toEqual(['192.0.2.1']);
    await apply(emulator.client, zoneId, change('UPSERT', simple('moved.example.com', 'A', ['192.0.2.2'])));
    expect(await ask()).toEqual(['192.0.2.2']);
  });

  it('NXDOMAIN for a missing name; NoSuchHostedZone and InvalidInput for bad input', async () => {
    expect((await emulator.client.send(new TestDNSAnswerCommand({ HostedZoneId: zoneId, RecordName: 'nope.example.com', RecordType: 'A' }))).ResponseCode).toBe(
      'NXDOMAIN',
    );
    await expect(
      emulator.client.send(new TestDNSAnswerCommand({ HostedZoneId: 'ZNOPE', RecordName: 'shop.example.com', RecordType: 'A' })),
    ).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
    await expect(
      emulator.client.send(new TestDNSAnswerCommand({ HostedZoneId: zoneId, RecordName: 'shop.example.org', RecordType: 'A' })),
    ).rejects.toMatchObject({ name: 'InvalidInput' });
  });
});
