// The stub resolver of `switchyard local traffic` (src/local/traffic/dns-client.ts) against
// the local DNS server: UDP first, and TCP when the answer comes back truncated, as dig and
// system resolvers do; NXDOMAIN as an answer; a server that never answers as an error naming
// where it asked.
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  createRoute53Service,
  serveLocalService,
  startDnsServer,
  type DnsServer,
  type Route53Service,
  type RunningServer,
} from '@switchyard/local-aws/route53';
import dnsPacket from 'dns-packet';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveA } from '../../../src/local/traffic/dns-client.ts';

/** 40 A records: over 512 bytes, so a UDP answer without EDNS must come back truncated. */
const MANY = Array.from({ length: 40 }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);

let route53: Route53Service;
let server: RunningServer;
let client: Route53Client;
let dns: DnsServer;

beforeAll(async () => {
  route53 = createRoute53Service({ insyncDelayMs: 0 });
  server = await serveLocalService(route53);
  client = new Route53Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const zone = await client.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'dns-client-test' }));
  const record = (name: string, values: string[]) => ({
    Action: 'CREATE' as const,
    ResourceRecordSet: { Name: name, Type: 'A' as const, TTL: 30, ResourceRecords: values.map((Value) => ({ Value })) },
  });
  await client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone.HostedZone!.Id,
      ChangeBatch: { Changes: [record('many.example.com', MANY), record('one.example.com', ['10.1.0.1'])] },
    }),
  );
  dns = await startDnsServer({ port: 0, resolve: (query) => route53.resolve(query) });
}, 60_000);

afterAll(async () => {
  await dns?.close();
  client?.destroy();
  await server?.close();
  await route53?.close();
});

/** The raw UDP answer, to show that the server truncates what resolveA gets whole. */
function udpFlags(name: string): Promise<{ truncated: boolean; answers: number }> {
  const socket = createSocket('udp4');
  return new Promise<{ truncated: boolean; answers: number }>((resolve, reject) => {
    socket.once('message', (message) => {
      const packet = dnsPacket.decode(message);
      resolve({ truncated: packet.flag_tc, answers: packet.answers?.length ?? 0 });
    });
    socket.once('error', reject);
    socket.send(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name, class: 'IN' }] }), dns.port, '127.0.0.1');
  }).finally(() => socket.close());
}

describe('resolveA (the traffic generator’s stub resolver)', () => {
  it('answers a small record over UDP with its addresses and TTL', async () => {
    expect(await resolveA('127.0.0.1', dns.port, 'one.example.com')).toEqual({ rcode: 'NOERROR', addresses: ['10.1.0.1'], ttl: 30 });
  });

  it('asks again over TCP when the UDP answer is truncated, and gets every address', async () => {
    // Prepare: the server sends this name truncated over UDP, with no answers
    expect(await udpFlags('many.example.com')).toEqual({ truncated: true, answers: 0 });
    // Act
    const answer = await resolveA('127.0.0.1', dns.port, 'many.example.com');
    // Assess
    expect(answer.rcode).toBe('NOERROR');
    expect([...answer.addresses].sort()).toEqual([...MANY].sort());
    expect(answer.ttl).toBe(30);
  });

  it('gives NXDOMAIN with no addresses for a name the zone does not hold', async () => {
    expect(await resolveA('127.0.0.1', dns.port, 'nope.example.com')).toEqual({ rcode: 'NXDOMAIN', addresses: [], ttl: 0 });
  });

  it('fails, naming the server, when nothing answers', async () => {
    // Prepare: a UDP socket that reads queries and never answers
    const silent: Socket = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      await expect(resolveA('127.0.0.1', port, 'one.example.com', 300)).rejects.toThrow(`no DNS answer from 127.0.0.1:${port}`);
    } finally {
      silent.close();
    }
  });
});
