// ChangeResourceRecordSets over HTTP with the SDK v3 client: Route 53's rules for a
// change batch, its error codes and its exact messages.
import { CreateHealthCheckCommand, GetChangeCommand, ListResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apply, change, createZone, eventually, failure, simple, startEmulator, uniqueReference, type Emulator } from './helpers.ts';

const ZONE = 'example.com';

describe('local Route 53: change batches', () => {
  let emulator: Emulator;
  let zoneId: string;

  const records = async () => (await emulator.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!;
  const named = async (name: string) => (await records()).filter((r) => r.Name === name);
  const rejection = async (...changes: Parameters<typeof change>[]) => failure(apply(emulator.client, zoneId, ...changes.map((c) => change(...c))));

  beforeAll(async () => {
    emulator = await startEmulator({ insyncDelayMs: 150 });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    zoneId = await createZone(emulator.client, ZONE);
  });

  describe('atomic batches', () => {
    it('takes a batch of 1,000 changes, well over the 64 KiB default body limit of the endpoint, when served alone', async () => {
      // Prepare
      const changes = Array.from({ length: 1000 }, (_, i) => change('CREATE', simple(`a-rather-long-record-name-${i}.example.com`, 'A', ['192.0.2.1'])));

      // Act
      await apply(emulator.client, zoneId, ...changes);

      // Assess
      const page = await emulator.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: 'a-rather-long-record-name-999.example.com',
          StartRecordType: 'A',
          MaxItems: 1,
        }),
      );
      expect(page.ResourceRecordSets!.map((r) => r.Name)).toEqual(['a-rather-long-record-name-999.example.com.']);
    });

    it('validates the whole batch first: one bad change rejects all, and every problem is reported', async () => {
      // Prepare
      await apply(emulator.client, zoneId, change('CREATE', simple('taken.example.com', 'A', ['192.0.2.1'])));
      const before = await records();

      // Act
      const error = await rejection(
        ['CREATE', simple('fresh.example.com', 'A', ['192.0.2.2'])],
        ['CREATE', simple('taken.example.com', 'A', ['192.0.2.3'])],
        ['DELETE', simple('ghost.example.com', 'A', ['192.0.2.4'])],
      );

      // Assess
      expect(error.name).toBe('InvalidChangeBatch');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toBe(
        "[Tried to create resource record set [name='taken.example.com.', type='A'] but it already exists, " +
          "Tried to delete resource record set [name='ghost.example.com.', type='A'] but it was not found]",
      );
      expect(await records()).toEqual(before);
    });

    it('judges each change against the zone as the earlier changes leave it (DELETE then CREATE replaces a set)', async () => {
      const old = simple('www.example.com', 'CNAME', ['old.example.net']);
      await apply(emulator.client, zoneId, change('CREATE', old));

      await apply(
        emulator.client,
        zoneId,
        change('DELETE', old),
        change('CREATE', {
          Name: 'www.example.com',
          Type: 'A',
          AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'lb-1.us-east-1.elb.amazonaws.com', EvaluateTargetHealth: true },
        }),
      );

      expect(await named('www.example.com.')).toEqual([
        {
          Name: 'www.example.com.',
          Type: 'A',
          AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'lb-1.us-east-1.elb.amazonaws.com.', EvaluateTargetHealth: true },
        },
      ]);
    });

    it('refuses to delete the same set twice in one batch', async () => {
      const set = simple('twice.example.com', 'A', ['192.0.2.1']);
      await apply(emulator.client, zoneId, change('CREATE', set));
      const error = await rejection(['DELETE', set], ['DELETE', set]);
      expect(error.message).toBe("[Tried to delete resource record set [name='twice.example.com.', type='A'] but it was not found]");
      expect(await named('twice.example.com.')).toHaveLength(1);
    });

    it('reports a CREATE/DELETE order that conflicts, as Route 53 does when a routed set is created before the simple one is deleted', async () => {
      const plain = simple('app.example.com', 'A', ['192.0.2.1']);
      await apply(emulator.client, zoneId, change('CREATE', plain));
      const weighted = { ...simple('app.example.com', 'A', ['192.0.2.1']), SetIdentifier: 'east', Weight: 100 };

      const error = await rejection(['CREATE', weighted], ['DELETE', plain]);
      expect(error.message).toBe(
        '[RRSet with DNS name app.example.com., type A, SetIdentifier east cannot be created as a non-weighted set exists with the same name and type.]',
      );
      await apply(emulator.client, zoneId, change('DELETE', plain), change('CREATE', weighted));
      expect(await named('app.example.com.')).toMatchObject([{ SetIdentifier: 'east', Weight: 100 }]);
    });
  });

  describe('CREATE, DELETE and UPSERT', () => {
    it('refuses to CREATE a set that exists, naming its set identifier when it has one', async () => {
      const set = { ...simple('w.example.com', 'A', ['192.0.2.1']), SetIdentifier: 'blue', Weight: 1 };
      await apply(emulator.client, zoneId, change('CREATE', set));
      const error = await rejection(['CREATE', set]);
      expect(error.message).toBe("[Tried to create resource record set [name='w.example.com.', type='A', set-identifier='blue'] but it already exists]");
    });

    it.each<[string, Partial<ResourceRecordSet>]>([
      ['TTL', { TTL: 60 }],
      ['values', { ResourceRecords: [{ Value: '192.0.2.9' }] }],
      ['weight', { Weight: 20 }],
      ['health check', { HealthCheckId: 'set-below' }],
    ])('refuses a DELETE whose %s differs from the stored set', async (_what, difference) => {
      // Prepare
      const check = await emulator.client.send(
        new CreateHealthCheckCommand({
          CallerReference: uniqueReference('hc'),
          HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: 9, Disabled: true },
        }),
      );
      const stored = { ...simple('d.example.com', 'A', ['192.0.2.1', '192.0.2.2'], 300), SetIdentifier: 'one', Weight: 10 };
      await apply(emulator.client, zoneId, change('CREATE', stored));
      const attempt = { ...stored, ...difference };
      if (attempt.HealthCheckId === 'set-below') attempt.HealthCheckId = check.HealthCheck!.Id!;

      // Act
      const error = await rejection(['DELETE', attempt]);

      // Assess
      expect(error.message).toBe(
        "[Tried to delete resource record set [name='d.example.com.', type='A', set-identifier='one'] but the values provided do not match the current values]",
      );
      expect(await named('d.example.com.')).toHaveLength(1);
    });

    it('deletes a set given exactly, with its values in any order', async () => {
      await apply(emulator.client, zoneId, change('CREATE', simple('d.example.com', 'A', ['192.0.2.1', '192.0.2.2'])));
      await apply(emulator.client, zoneId, change('DELETE', simple('D.Example.com.', 'A', ['192.0.2.2', '192.0.2.1'])));
      expect(await named('d.example.com.')).toEqual([]);
    });

    it('refuses a DELETE whose alias target differs', async () => {
      const alias = {
        Name: 'a.example.com',
        Type: 'A' as const,
        AliasTarget: { HostedZoneId: 'Z26RNL4JYFTOTI', DNSName: 'nlb.elb.us-east-1.amazonaws.com', EvaluateTargetHealth: false },
      };
      await apply(emulator.client, zoneId, change('CREATE', alias));
      const error = await rejection(['DELETE', { ...alias, AliasTarget: { ...alias.AliasTarget, EvaluateTargetHealth: true } }]);
      expect(error.message).toContain('but the values provided do not match the current values');
    });

    it('UPSERT creates a set, then replaces it', async () => {
      await apply(emulator.client, zoneId, change('UPSERT', simple('u.example.com', 'TXT', ['"one"'])));
      await apply(emulator.client, zoneId, change('UPSERT', simple('u.example.com', 'TXT', ['"two"', '"three"'], 60)));
      expect(await named('u.example.com.')).toEqual([
        { Name: 'u.example.com.', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"two"' }, { Value: '"three"' }] },
      ]);
    });
  });

  describe('names', () => {
    it('treats names case-insensitively and returns them lower-case with a trailing dot', async () => {
      await apply(emulator.client, zoneId, change('CREATE', simple('MiXeD.Example.COM', 'A', ['192.0.2.1'])));
      const error = await rejection(['CREATE', simple('mixed.example.com.', 'A', ['192.0.2.1'])]);
      expect(error.message).toBe("[Tried to create resource record set [name='mixed.example.com.', type='A'] but it already exists]");
      expect(await named('mixed.example.com.')).toHaveLength(1);
    });

    it('stores a wildcard and other special characters as octal escapes, whichever way they were written', async () => {
      await apply(
        emulator.client,
        zoneId,
        change('CREATE', simple('*.example.com', 'A', ['192.0.2.1'])),
        change('CREATE', simple('a\\100b.example.com', 'TXT', ['"x"'])),
      );
      const error = await rejection(['CREATE', simple('\\052.example.com', 'A', ['192.0.2.1'])], ['CREATE', simple('a@B.example.com', 'TXT', ['"x"'])]);
      expect(error.message).toBe(
        "[Tried to create resource record set [name='\\052.example.com.', type='A'] but it already exists, " +
          "Tried to create resource record set [name='a\\100b.example.com.', type='TXT'] but it already exists]",
      );
      const names = (await records()).map((r) => r.Name);
      expect(names).toContain('\\052.example.com.');
      expect(names).toContain('a\\100b.example.com.');
    });

    it('refuses a name outside the zone', async () => {
      const error = await rejection(['CREATE', simple('www.example.org', 'A', ['192.0.2.1'])]);
      expect(error.message).toBe('[RRSet with DNS name www.example.org. is not permitted in zone example.com.]');
    });

    it('refuses an empty label as Route 53 does', async () => {
      const error = await rejection(['CREATE', simple('a..example.com', 'A', ['192.0.2.1'])]);
      expect(error.message).toBe("[FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..example.com']");
    });
  });

  describe('sets that cannot live together', () => {
    it('refuses a CNAME beside any other set of its name, and any set beside a CNAME', async () => {
      await apply(
        emulator.client,
        zoneId,
        change('CREATE', simple('x.example.com', 'A', ['192.0.2.1'])),
        change('CREATE', simple('y.example.com', 'CNAME', ['target.example.net'])),
      );

      const cname = await rejection(['CREATE', simple('x.example.com', 'CNAME', ['target.example.net'])]);
      const beside = await rejection(['CREATE', simple('y.example.com', 'TXT', ['"x"'])]);

      expect(cname.message).toBe(
        '[RRSet of type CNAME with DNS name x.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com.]',
      );
      expect(beside.message).toBe(
        '[RRSet of type TXT with DNS name y.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.]',
      );
    });

    it('refuses a simple set beside routed sets of the same name and type', async () => {
      await apply(emulator.client, zoneId, change('CREATE', { ...simple('r.example.com', 'A', ['192.0.2.1']), SetIdentifier: 'a', Weight: 1 }));
      const error = await rejection(['CREATE', simple('r.example.com', 'A', ['192.0.2.2'])]);
      expect(error.message).toBe('[RRSet with DNS name r.example.com., type A cannot be created as other RRSets exist with the same name and type.]');
    });

    it('refuses a latency set beside sets of another routing policy', async () => {
      await apply(emulator.client, zoneId, change('CREATE', { ...simple('l.example.com', 'A', ['192.0.2.1']), SetIdentifier: 'a', Weight: 1 }));
      const error = await rejection(['CREATE', { ...simple('l.example.com', 'A', ['192.0.2.2']), SetIdentifier: 'eu', Region: 'eu-west-1' }]);
      expect(error.message).toBe(
        '[RRSet with DNS name l.example.com., type A, SetIdentifier eu, and Region Name=eu-west-1 cannot be created because a non-latency RRSet with the same name and type already exists.]',
      );
    });

    it('needs a SetIdentifier on weighted, failover, latency, geolocation and multivalue sets', async () => {
      const routings: Partial<ResourceRecordSet>[] = [
        { Weight: 1 },
        { Failover: 'PRIMARY' },
        { Region: 'us-east-1' },
        { GeoLocation: { ContinentCode: 'EU' } },
        { MultiValueAnswer: true },
      ];
      for (const routing of routings) {
        const error = await rejection(['CREATE', { ...simple('s.example.com', 'A', ['192.0.2.1']), ...routing }]);
        expect(error.name, JSON.stringify(routing)).toBe('InvalidInput');
        expect(error.message).toBe(
          "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=s.example.com., Type=A, SetIdentifier=null]",
        );
      }
    });

    it('allows one PRIMARY and one SECONDARY per name and type', async () => {
      const failover = (id: string, role: 'PRIMARY' | 'SECONDARY') => ({ ...simple('f.example.com', 'A', ['192.0.2.1']), SetIdentifier: id, Failover: role });
      await apply(emulator.client, zoneId, change('CREATE', failover('east', 'PRIMARY')), change('CREATE', failover('west', 'SECONDARY')));

      const error = await rejection(['CREATE', failover('north', 'PRIMARY')]);

      expect(error.name).toBe('InvalidChangeBatch');
      expect(error.message).toContain(
        'SetIdentifier north cannot be created because a failover RRSet with the same name, type and failover setting PRIMARY already exists',
      );
      expect(await named('f.example.com.')).toHaveLength(2);
    });

    it('keeps weights within 0 to 255', async () => {
      const weighted = (weight: number) => ({ ...simple('wt.example.com', 'A', ['192.0.2.1']), SetIdentifier: `w${weight}`, Weight: weight });
      await apply(emulator.client, zoneId, change('CREATE', weighted(0)), change('CREATE', weighted(255)));
      const error = await rejection(['CREATE', weighted(256)]);
      expect(error.name).toBe('InvalidInput');
      expect(error.message).toBe(
        "1 validation error detected: Value '256' at 'changeBatch.changes.1.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255",
      );
    });
  });

  describe('alias and value sets', () => {
    const expected = (found: string) =>
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${found} in Change with [Action=CREATE, Name=v.example.com., Type=A, SetIdentifier=null]`;

    it('refuses an alias set with a TTL', async () => {
      const error = await rejection([
        'CREATE',
        {
          Name: 'v.example.com',
          Type: 'A',
          TTL: 60,
          AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'lb.elb.amazonaws.com', EvaluateTargetHealth: false },
        },
      ]);
      expect(error.name).toBe('InvalidInput');
      expect(error.message).toBe(expected('more than one'));
    });

    it('refuses a value set without a TTL, or without values', async () => {
      const noTtl = await rejection(['CREATE', { Name: 'v.example.com', Type: 'A', ResourceRecords: [{ Value: '192.0.2.1' }] }]);
      const noValues = await rejection(['CREATE', { Name: 'v.example.com', Type: 'A', TTL: 60 }]);
      expect(noTtl.message).toBe(expected('none'));
      expect(noValues.message).toBe(expected('none'));
    });

    it('checks values the way Route 53 does', async () => {
      const bad = await rejection(['CREATE', simple('v.example.com', 'A', ['lb.example.net'])]);
      const duplicate = await rejection(['CREATE', simple('v.example.com', 'A', ['192.0.2.1', '192.0.2.1'])]);
      const unquoted = await rejection(['CREATE', simple('v.example.com', 'TXT', ['hello'])]);
      expect(bad.message).toBe(
        "[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with 'lb.example.net'']",
      );
      expect(duplicate.message).toBe("[Duplicate Resource Record: '192.0.2.1']");
      expect(unquoted.message).toBe(
        "[Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'hello'']",
      );
    });

    it('checks an alias to a set in the same zone: the target must lie in the zone and exist', async () => {
      const alias = (dnsName: string) => ({
        Name: 'v.example.com',
        Type: 'A' as const,
        AliasTarget: { HostedZoneId: zoneId, DNSName: dnsName, EvaluateTargetHealth: false },
      });
      const outside = await rejection(['CREATE', alias('elsewhere.example.org')]);
      const missing = await rejection(['CREATE', alias('nothing.example.com')]);
      await apply(emulator.client, zoneId, change('CREATE', simple('origin.example.com', 'A', ['192.0.2.1'])), change('CREATE', alias('origin.example.com')));

      expect(outside.message).toBe(
        `[Tried to create an alias that targets elsewhere.example.org., type A in zone ${zoneId}, but the alias target name does not lie within the target zone, ` +
          `Tried to create an alias that targets elsewhere.example.org., type A in zone ${zoneId}, but that target was not found]`,
      );
      expect(missing.message).toBe(`[Tried to create an alias that targets nothing.example.com., type A in zone ${zoneId}, but that target was not found]`);
      expect(await named('v.example.com.')).toHaveLength(1);
    });

    it('refuses a HealthCheckId that does not exist (NoSuchHealthCheck, 404)', async () => {
      const error = await rejection(['CREATE', { ...simple('v.example.com', 'A', ['192.0.2.1']), HealthCheckId: '00000000-0000-0000-0000-000000000000' }]);
      expect(error.name).toBe('NoSuchHealthCheck');
      expect(error.$metadata.httpStatusCode).toBe(404);
    });
  });

  describe('the apex', () => {
    it('keeps the apex SOA: it cannot be deleted, and a second one cannot be created', async () => {
      const soa = (await named('example.com.')).find((r) => r.Type === 'SOA')!;
      const deleted = await rejection(['DELETE', soa]);
      const created = await rejection(['CREATE', soa]);
      expect(deleted.message).toBe('[A HostedZone must contain exactly one SOA record.]');
      expect(created.message).toBe("[Tried to create resource record set [name='example.com.', type='SOA'] but it already exists]");
    });

    it('keeps the apex NS set, but lets UPSERT change it', async () => {
      const ns = (await named('example.com.')).find((r) => r.Type === 'NS')!;
      const deleted = await rejection(['DELETE', ns]);
      expect(deleted.message).toBe('[A HostedZone must contain at least one NS record for the zone itself.]');
      await apply(emulator.client, zoneId, change('UPSERT', { ...ns, TTL: 3600 }));
      expect((await named('example.com.')).find((r) => r.Type === 'NS')!.TTL).toBe(3600);
    });
  });

  describe('request limits', () => {
    const ipsFrom = (start: number, count: number) =>
      Array.from({ length: count }, (_, i) => `10.${Math.floor((start + i) / 65536) % 256}.${Math.floor((start + i) / 256) % 256}.${(start + i) % 256}`);

    it('accepts 1,000 ResourceRecord elements and refuses 1,001', async () => {
      const sets = (count: number) => [0, 1, 2, 3].map((i) => change('CREATE', simple(`n${i}.example.com`, 'A', ipsFrom(i * 300, i < 3 ? 250 : count - 750))));
      const error = await failure(apply(emulator.client, zoneId, ...sets(1001)));
      expect(error.message).toBe('[Number of records limit of 1000 exceeded.]');
      await apply(emulator.client, zoneId, ...sets(1000));
      expect((await records()).length).toBe(6);
    });

    it('counts UPSERT twice', async () => {
      const error = await rejection(['UPSERT', simple('up.example.com', 'A', ipsFrom(0, 501))]);
      expect(error.message).toBe('[Number of records limit of 1000 exceeded.]');
      await apply(emulator.client, zoneId, change('UPSERT', simple('up.example.com', 'A', ipsFrom(0, 500))));
    });

    it('refuses more than 32,000 characters of values', async () => {
      const txt = (n: number) => Array.from({ length: n }, (_, i) => `"${String(i).padStart(3, '0')}${'x'.repeat(246)}"`); // 251 characters each
      const error = await rejection(['CREATE', simple('long.example.com', 'TXT', txt(128))]); // 32,128
      expect(error.message).toBe('[RDATA character limit of 32000 exceeded.]');
      await apply(emulator.client, zoneId, change('CREATE', simple('long.example.com', 'TXT', txt(127)))); // 31,877
    });
  });

  describe('changes', () => {
    it('gives every change its own id, PENDING at first and INSYNC after the delay', async () => {
      const first = await apply(emulator.client, zoneId, change('CREATE', simple('c1.example.com', 'A', ['192.0.2.1'])));
      const second = await apply(emulator.client, zoneId, change('CREATE', simple('c2.example.com', 'A', ['192.0.2.1'])));

      expect(first.ChangeInfo!.Id).not.toBe(second.ChangeInfo!.Id);
      expect(first.ChangeInfo!.Id).toMatch(/^\/change\/C[0-9A-Z]{20}$/);
      expect(first.ChangeInfo!.Status).toBe('PENDING');
      expect((await emulator.client.send(new GetChangeCommand({ Id: second.ChangeInfo!.Id }))).ChangeInfo!.Status).toBe('PENDING');
      await eventually(
        async () => (await emulator.client.send(new GetChangeCommand({ Id: second.ChangeInfo!.Id }))).ChangeInfo!.Status === 'INSYNC',
        3000,
        'INSYNC',
      );
    });

    it('answers INSYNC at once when the INSYNC delay is zero: the change is already what GetChange reports', async () => {
      const instant = await startEmulator({ insyncDelayMs: 0 });
      try {
        const zone = await createZone(instant.client, ZONE);
        const out = await apply(instant.client, zone, change('CREATE', simple('c3.example.com', 'A', ['192.0.2.1'])));

        expect(out.ChangeInfo!.Status).toBe('INSYNC');
        expect((await instant.client.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }))).ChangeInfo!.Status).toBe('INSYNC');
        expect((await instant.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets!.map((r) => r.Name)).toContain(
          'c3.example.com.',
        );
      } finally {
        await instant.close();
      }
    });

    it('answers NoSuchChange (404) for an unknown change', async () => {
      const error = await failure(emulator.client.send(new GetChangeCommand({ Id: '/change/CNOSUCHCHANGE' })));
      expect(error.name).toBe('NoSuchChange');
      expect(error.$metadata.httpStatusCode).toBe(404);
    });
  });
});
