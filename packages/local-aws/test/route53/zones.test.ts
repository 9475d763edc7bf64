// Hosted zones over HTTP with the SDK v3 client: create (with SOA and NS), get, list,
// list by name, delete, and the errors Route 53 answers with.
import {
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  GetHostedZoneCountCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, change, createZone, failure, simple, startEmulator, uniqueReference, type Emulator } from './helpers.ts';

describe('local Route 53: hosted zones', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('creates a zone with its delegation set, apex SOA and NS, and answers 201 with a Location', async () => {
    // Prepare
    const reference = uniqueReference();

    // Act
    const out = await emulator.client.send(
      new CreateHostedZoneCommand({ Name: 'Shop.Example.COM', CallerReference: reference, HostedZoneConfig: { Comment: 'shop' } }),
    );

    // Assess
    expect(out.$metadata.httpStatusCode).toBe(201);
    const id = out.HostedZone!.Id!;
    expect(id).toMatch(/^\/hostedzone\/Z[0-9A-Z]{20}$/);
    expect(out.Location).toBe(`${emulator.server.url}/2013-04-01${id}`);
    expect(out.HostedZone).toMatchObject({
      Name: 'shop.example.com.',
      CallerReference: reference,
      Config: { Comment: 'shop', PrivateZone: false },
      ResourceRecordSetCount: 2,
    });
    expect(out.ChangeInfo?.Status).toBe('PENDING');
    expect(out.DelegationSet?.NameServers).toHaveLength(4);
    const records = await emulator.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    const [ns, soa] = records.ResourceRecordSets!;
    expect(ns).toMatchObject({ Name: 'shop.example.com.', Type: 'NS', TTL: 172800 });
    expect(ns!.ResourceRecords!.map((r) => r.Value)).toEqual(out.DelegationSet!.NameServers!.map((n) => `${n}.`));
    expect(soa).toMatchObject({ Name: 'shop.example.com.', Type: 'SOA', TTL: 900 });
    expect(soa!.ResourceRecords![0]!.Value).toBe(`${out.DelegationSet!.NameServers![0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`);
  });

  it('reports a zone creation as a change that GetChange can follow', async () => {
    const out = await emulator.client.send(new CreateHostedZoneCommand({ Name: 'changes.example', CallerReference: uniqueReference() }));
    const got = await emulator.client.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }));
    expect(got.ChangeInfo).toMatchObject({ Id: out.ChangeInfo!.Id, Status: 'INSYNC' });
  });

  it('refuses a second zone with a caller reference already used, whatever its configuration (HostedZoneAlreadyExists, 409)', async () => {
    const reference = uniqueReference();
    await emulator.client.send(new CreateHostedZoneCommand({ Name: 'once.example', CallerReference: reference }));
    const before = (await emulator.client.send(new GetHostedZoneCountCommand({}))).HostedZoneCount;

    const same = await failure(emulator.client.send(new CreateHostedZoneCommand({ Name: 'once.example', CallerReference: reference })));
    const other = await failure(emulator.client.send(new CreateHostedZoneCommand({ Name: 'other.example', CallerReference: reference })));

    for (const error of [same, other]) {
      expect(error.name).toBe('HostedZoneAlreadyExists');
      expect(error.message).toBe('A hosted zone has already been created with the specified caller reference.');
      expect(error.$metadata.httpStatusCode).toBe(409);
    }
    expect((await emulator.client.send(new GetHostedZoneCountCommand({}))).HostedZoneCount).toBe(before);
  });

  it('refuses names Route 53 refuses (InvalidDomainName)', async () => {
    for (const name of ['*.example.com', 'a..example.com', `${'x'.repeat(64)}.example.com`]) {
      const error = await failure(emulator.client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: uniqueReference() })));
      expect(error.name, name).toBe('InvalidDomainName');
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
  });

  it('creates a private zone associated with its VPC, without a delegation set', async () => {
    const out = await emulator.client.send(
      new CreateHostedZoneCommand({
        Name: 'internal.example',
        CallerReference: uniqueReference(),
        VPC: { VPCRegion: 'eu-west-1', VPCId: 'vpc-123' },
        HostedZoneConfig: { PrivateZone: true },
      }),
    );
    const got = await emulator.client.send(new GetHostedZoneCommand({ Id: out.HostedZone!.Id }));
    expect(got.HostedZone!.Config!.PrivateZone).toBe(true);
    expect(got.VPCs).toEqual([{ VPCRegion: 'eu-west-1', VPCId: 'vpc-123' }]);
    expect(got.DelegationSet).toBeUndefined();
    const privateOnly = await emulator.client.send(new ListHostedZonesCommand({ HostedZoneType: 'PrivateHostedZone' }));
    expect(privateOnly.HostedZones!.every((z) => z.Config!.PrivateZone)).toBe(true);
    expect(privateOnly.HostedZones!.map((z) => z.Id)).toContain(out.HostedZone!.Id);
  });

  it('answers NoSuchHostedZone (404) for an unknown zone, with or without the /hostedzone/ prefix', async () => {
    for (const id of ['ZNOTHERE', '/hostedzone/ZNOTHERE']) {
      const error = await failure(emulator.client.send(new GetHostedZoneCommand({ Id: id })));
      expect(error.name).toBe('NoSuchHostedZone');
      expect(error.message).toBe('No hosted zone found with ID: ZNOTHERE');
      expect(error.$metadata.httpStatusCode).toBe(404);
    }
  });

  it('lists zones in pages of MaxItems, each zone once', async () => {
    const created = new Set<string>();
    for (let i = 0; i < 5; i++) created.add(`/hostedzone/${await createZone(emulator.client, `page${i}.example`)}`);

    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await emulator.client.send(new ListHostedZonesCommand({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      pages += 1;
      expect(page.HostedZones!.length).toBeLessThanOrEqual(2);
      expect(page.MaxItems).toBe(2);
      seen.push(...page.HostedZones!.map((z) => z.Id!));
      marker = page.IsTruncated ? page.NextMarker : undefined;
      if (page.IsTruncated) expect(page.NextMarker).toBeDefined();
    } while (marker !== undefined);

    expect(new Set(seen).size).toBe(seen.length);
    for (const id of created) expect(seen).toContain(id);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('lists zones by name with the labels reversed, starting at DNSName and HostedZoneId', async () => {
    const emu = await startEmulator();
    try {
      const names = ['b.example.org', 'a.example.com', 'example.com', 'z.example.com', 'example.net'];
      const ids = new Map<string, string>();
      for (const name of names) ids.set(name, await createZone(emu.client, name));

      const all = await emu.client.send(new ListHostedZonesByNameCommand({}));
      expect(all.HostedZones!.map((z) => z.Name)).toEqual(['example.com.', 'a.example.com.', 'z.example.com.', 'example.net.', 'b.example.org.']);

      const page = await emu.client.send(new ListHostedZonesByNameCommand({ DNSName: 'a.example.com', MaxItems: 2 }));
      expect(page.HostedZones!.map((z) => z.Name)).toEqual(['a.example.com.', 'z.example.com.']);
      expect(page).toMatchObject({ DNSName: 'a.example.com', IsTruncated: true, NextDNSName: 'example.net.', NextHostedZoneId: ids.get('example.net') });

      const next = await emu.client.send(new ListHostedZonesByNameCommand({ DNSName: page.NextDNSName, HostedZoneId: page.NextHostedZoneId }));
      expect(next.HostedZones!.map((z) => z.Name)).toEqual(['example.net.', 'b.example.org.']);
      expect(next.IsTruncated).toBe(false);

      const error = await failure(emu.client.send(new ListHostedZonesByNameCommand({ HostedZoneId: ids.get('example.net') })));
      expect(error.name).toBe('InvalidInput');
    } finally {
      await emu.close();
    }
  });

  it('refuses to delete a zone that holds more than its SOA and NS (HostedZoneNotEmpty), and deletes it once emptied', async () => {
    // Prepare
    const id = await createZone(emulator.client, 'delete-me.example');
    const www = simple('www.delete-me.example', 'A', ['192.0.2.1']);
    await apply(emulator.client, id, change('CREATE', www));

    // Act
    const refused = await failure(emulator.client.send(new DeleteHostedZoneCommand({ Id: id })));
    await apply(emulator.client, id, change('DELETE', www));
    const deleted = await emulator.client.send(new DeleteHostedZoneCommand({ Id: id }));

    // Assess
    expect(refused.name).toBe('HostedZoneNotEmpty');
    expect(refused.message).toBe('The specified hosted zone contains non-required resource record sets and so cannot be deleted.');
    expect(refused.$metadata.httpStatusCode).toBe(400);
    expect(deleted.ChangeInfo!.Status).toBe('PENDING');
    const gone = await failure(emulator.client.send(new GetHostedZoneCommand({ Id: id })));
    expect(gone.name).toBe('NoSuchHostedZone');
  });

  it('answers a malformed body with MalformedInput and an operation it does not serve with a 404 UnknownOperationException', async () => {
    const bad = await fetch(`${emulator.server.url}/2013-04-01/hostedzone`, { method: 'POST', body: '<CreateHostedZoneRequest><Name>x' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<Code>MalformedInput</Code>');
    const dnssec = await fetch(`${emulator.server.url}/2013-04-01/hostedzone/ZX/dnssec`);
    expect(dnssec.status).toBe(404);
    const text = await dnssec.text();
    expect(text).toContain('<Code>UnknownOperationException</Code>');
    expect(text).toMatch(/<ErrorResponse xmlns="https:\/\/route53.amazonaws.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type>/);
  });
});
