import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  InvalidChangeBatch,
  ListHealthChecksCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  NoSuchHealthCheck,
  PriorRequestNotComplete,
  Route53Client,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { Route53Adapter, createRoute53Client, fromResourceRecordSet, toResourceRecordSet } from '../../../src/aws/route53.ts';
import { RateLimiter, route53Limiter } from '../../../src/aws/retry.ts';
import { sendChangeRequests, waitForInsync } from '../../../src/app/dns/send-changes.ts';
import { Route53Rejected, TransientAwsError } from '../../../src/core/errors.ts';
import type { RecordSet } from '../../../src/core/model.ts';
import { VirtualClock } from './helpers/virtual-clock.ts';

const r53 = mockClient(Route53Client);

function adapter(clock = new VirtualClock(), extra: Partial<ConstructorParameters<typeof Route53Adapter>[0]> = {}) {
  return new Route53Adapter({
    client: new Route53Client({ region: 'us-east-1' }),
    limiter: new RateLimiter({ clock }),
    retry: { clock, random: () => 0.5 },
    ...extra,
  });
}

const throttling = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 } });

const weighted: RecordSet = {
  name: 'shop.example.com.',
  type: 'A',
  setIdentifier: 'east',
  weight: 100,
  aliasTarget: { hostedZoneId: 'Z26RNL4JYFTOTI', dnsName: 'mesh-east.elb.us-east-1.amazonaws.com.', evaluateTargetHealth: true },
  healthCheckId: 'hc-1',
};

beforeEach(() => {
  r53.reset();
});

describe('Route53Adapter.listHostedZones', () => {
  it('follows NextMarker across pages and strips the /hostedzone/ prefix', async () => {
    // Prepare
    r53
      .on(ListHostedZonesCommand)
      .resolvesOnce({
        HostedZones: [{ Id: '/hostedzone/Z1', Name: 'Example.com.', CallerReference: 'a' }],
        IsTruncated: true,
        NextMarker: 'm2',
        Marker: '',
        MaxItems: 100,
      })
      .resolvesOnce({
        HostedZones: [{ Id: '/hostedzone/Z2', Name: 'internal.example.com.', CallerReference: 'b', Config: { PrivateZone: true } }],
        IsTruncated: false,
        Marker: 'm2',
        MaxItems: 100,
      });

    // Act
    const zones = await adapter().listHostedZones();

    // Assess
    expect(zones).toEqual([
      { id: 'Z1', name: 'example.com.', private: false },
      { id: 'Z2', name: 'internal.example.com.', private: true },
    ]);
    expect(r53.commandCalls(ListHostedZonesCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'm2']);
  });
});

describe('Route53Adapter.listRecordSets', () => {
  it('reads every page, resuming from NextRecordName/Type/Identifier, and maps to the model', async () => {
    // Prepare
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [
          { Name: 'example.com.', Type: 'NS', TTL: 172800, ResourceRecords: [{ Value: 'ns-1.awsdns-00.com.' }] },
          {
            Name: 'Shop.example.com.',
            Type: 'A',
            SetIdentifier: 'east',
            Weight: 100,
            HealthCheckId: 'hc-1',
            AliasTarget: { HostedZoneId: 'Z26RNL4JYFTOTI', DNSName: 'mesh-east.elb.us-east-1.amazonaws.com', EvaluateTargetHealth: true },
          },
        ],
        IsTruncated: true,
        NextRecordName: 'shop.example.com.',
        NextRecordType: 'A',
        NextRecordIdentifier: 'west',
        MaxItems: 300,
      })
      .resolvesOnce({
        ResourceRecordSets: [
          {
            Name: 'shop.example.com.',
            Type: 'A',
            SetIdentifier: 'west',
            Failover: 'SECONDARY',
            AliasTarget: { HostedZoneId: 'Z18D5FSROUN65G', DNSName: 'mesh-west.elb.us-west-2.amazonaws.com.', EvaluateTargetHealth: false },
          },
        ],
        IsTruncated: true,
        NextRecordName: '\\052.example.com.',
        NextRecordType: 'TXT',
        MaxItems: 300,
      })
      .resolvesOnce({
        ResourceRecordSets: [{ Name: '\\052.example.com.', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"hello"' }] }],
        IsTruncated: false,
        MaxItems: 300,
      });

    // Act
    const records = await adapter().listRecordSets('Z1');

    // Assess
    expect(records).toEqual([
      { name: 'example.com.', type: 'NS', ttl: 172800, values: ['ns-1.awsdns-00.com.'] },
      { ...weighted },
      {
        name: 'shop.example.com.',
        type: 'A',
        setIdentifier: 'west',
        failover: 'SECONDARY',
        aliasTarget: { hostedZoneId: 'Z18D5FSROUN65G', dnsName: 'mesh-west.elb.us-west-2.amazonaws.com.', evaluateTargetHealth: false },
      },
      { name: '*.example.com.', type: 'TXT', ttl: 300, values: ['"hello"'] },
    ]);
    const starts = r53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input);
    expect(starts.map((i) => [i.HostedZoneId, i.StartRecordName, i.StartRecordType, i.StartRecordIdentifier])).toEqual([
      ['Z1', undefined, undefined, undefined],
      ['Z1', 'shop.example.com.', 'A', 'west'],
      ['Z1', '\\052.example.com.', 'TXT', undefined],
    ]);
  });

  it('retries throttling and then succeeds, within the rate limit', async () => {
    // Prepare
    const clock = new VirtualClock();
    r53
      .on(ListResourceRecordSetsCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(
        new PriorRequestNotComplete({
          message: 'The request was rejected because Route 53 was still processing a prior request.',
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 300 });
    const client = adapter(clock);

    // Act
    const records = await client.listRecordSets('Z1');

    // Assess
    expect(records).toEqual([]);
    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(3);
    expect(client.requests).toBe(3);
    expect(clock.now()).toBeGreaterThanOrEqual(400); // three requests at ≥ 200 ms spacing
  });

  it('turns throttling that outlasts the retries into TransientAwsError', async () => {
    r53.on(ListResourceRecordSetsCommand).rejects(throttling());
    const clock = new VirtualClock();
    const client = adapter(clock, { retry: { clock, random: () => 0.5, maxAttempts: 3 } });

    await expect(client.listRecordSets('Z1')).rejects.toBeInstanceOf(TransientAwsError);
    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(3);
  });
});

describe('one Route 53 rate limiter per process', () => {
  it('two adapters built without a limiter draw from one bucket: never more than 5 requests in any second between them', async () => {
    // Prepare
    const clock = new VirtualClock();
    const sentAt: number[] = [];
    r53.on(GetChangeCommand).callsFake(() => {
      sentAt.push(clock.now());
      return { ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date() } };
    });
    const dns = new Route53Adapter({ client: new Route53Client({ region: 'us-east-1' }), retry: { clock } });
    const health = new Route53Adapter({ client: new Route53Client({ region: 'us-east-1' }), retry: { clock } });

    // Act: both adapters at once, as a Lambda's DNS port and health source would
    await Promise.all(Array.from({ length: 6 }, (_, i) => [dns.getChangeStatus(`C${i}`), health.getChangeStatus(`C${i}`)]).flat());

    // Assess
    expect(sentAt).toHaveLength(12);
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(200);
    expect(route53Limiter(clock)).toBe(route53Limiter(clock));
  });

  it('GetHealthCheckStatus goes through the limiter and the retry policy', async () => {
    // Prepare
    const clock = new VirtualClock();
    const sentAt: number[] = [];
    let calls = 0;
    r53.on(GetHealthCheckStatusCommand).callsFake(() => {
      sentAt.push(clock.now());
      if (++calls <= 2) throw throttling();
      return { HealthCheckObservations: [{ StatusReport: { Status: 'Success: HTTP Status Code 200' } }, { StatusReport: { Status: 'Failure: timeout' } }] };
    });
    const client = adapter(clock);

    // Act
    const statuses = await client.getHealthCheckStatus('hc-1');

    // Assess
    expect(statuses).toEqual(['Success: HTTP Status Code 200', 'Failure: timeout']);
    expect(client.requests).toBe(3);
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(200);
  });

  it('GetHealthCheckStatus throttled past the retries is a TransientAwsError', async () => {
    r53.on(GetHealthCheckStatusCommand).rejects(throttling());
    const clock = new VirtualClock();
    const client = adapter(clock, { retry: { clock, random: () => 0.5, maxAttempts: 3 } });

    await expect(client.getHealthCheckStatus('hc-1')).rejects.toBeInstanceOf(TransientAwsError);
    expect(r53.commandCalls(GetHealthCheckStatusCommand)).toHaveLength(3);
  });
});

describe('Route53Adapter.changeRecordSets', () => {
  it('sends the changes in order and returns the change id without its prefix', async () => {
    // Prepare
    r53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C123', Status: 'PENDING', SubmittedAt: new Date(0) } });
    const marker: RecordSet = { name: '_switchyard.shop.example.com.', type: 'TXT', ttl: 300, values: ['"owner=x"'] };

    // Act
    const result = await adapter().changeRecordSets(
      'Z1',
      [
        { action: 'UPSERT', recordSet: weighted },
        { action: 'CREATE', recordSet: marker },
      ],
      'switchyard sync',
    );

    // Assess
    expect(result).toEqual({ dryRun: false, changeId: 'C123', status: 'PENDING' });
    const input = r53.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input;
    expect(input.HostedZoneId).toBe('Z1');
    expect(input.ChangeBatch?.Comment).toBe('switchyard sync');
    expect(input.ChangeBatch?.Changes).toEqual([
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: 'shop.example.com.',
          Type: 'A',
          SetIdentifier: 'east',
          Weight: 100,
          HealthCheckId: 'hc-1',
          AliasTarget: { HostedZoneId: 'Z26RNL4JYFTOTI', DNSName: 'mesh-east.elb.us-east-1.amazonaws.com.', EvaluateTargetHealth: true },
        },
      },
      { Action: 'CREATE', ResourceRecordSet: { Name: '_switchyard.shop.example.com.', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"owner=x"' }] } },
    ]);
  });

  it('maps InvalidChangeBatch to Route53Rejected carrying Route 53’s own messages', async () => {
    // Prepare
    const messages = ["Tried to create resource record set [name='shop.example.com.', type='A', set-identifier='east'] but it already exists"];
    r53.on(ChangeResourceRecordSetsCommand).rejects(new InvalidChangeBatch({ message: messages[0]!, messages, $metadata: { httpStatusCode: 400 } }));

    // Act
    const failure = await adapter()
      .changeRecordSets('Z1', [{ action: 'CREATE', recordSet: weighted }])
      .catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(Route53Rejected);
    expect((failure as Route53Rejected).name).toBe('Route53Rejected');
    expect((failure as Route53Rejected).context).toMatchObject({ zoneId: 'Z1', awsError: 'InvalidChangeBatch', messages });
    expect((failure as Error).message).toContain('but it already exists');
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('sends nothing in dry-run and says so', async () => {
    const skipped: string[] = [];
    const client = adapter(new VirtualClock(), { dryRun: true, onDryRun: (op, detail) => skipped.push(`${op} ${detail}`) });

    const result = await client.changeRecordSets('Z1', [{ action: 'UPSERT', recordSet: weighted }]);

    expect(result).toEqual({ dryRun: true });
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    expect(skipped).toEqual(['ChangeResourceRecordSets Z1: 1 change(s)']);
  });
});

describe('Route53Adapter.getChangeStatus', () => {
  it('reads INSYNC and PENDING', async () => {
    r53
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(0) } })
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date(0) } });
    const client = adapter();
    expect(await client.getChangeStatus('C1')).toBe('PENDING');
    expect(await client.getChangeStatus('C1')).toBe('INSYNC');
  });
});

describe('Route53Adapter health checks', () => {
  const spec = { protocol: 'HTTPS' as const, fqdn: 'canary-east.example.com', port: 443, path: '/status/200', intervalSeconds: 10, failureThreshold: 3 };

  it('lists every page and maps HTTP(S)/TCP checks to specs, others to none', async () => {
    r53
      .on(ListHealthChecksCommand)
      .resolvesOnce({
        HealthChecks: [
          {
            Id: 'hc-1',
            CallerReference: 'ref-1',
            HealthCheckVersion: 2,
            HealthCheckConfig: {
              Type: 'HTTPS',
              FullyQualifiedDomainName: 'canary-east.example.com',
              Port: 443,
              ResourcePath: '/status/200',
              RequestInterval: 10,
              FailureThreshold: 3,
              EnableSNI: true,
            },
          },
        ],
        IsTruncated: true,
        NextMarker: 'n',
        Marker: '',
        MaxItems: 1000,
      })
      .resolvesOnce({
        HealthChecks: [{ Id: 'hc-2', CallerReference: 'ref-2', HealthCheckVersion: 1, HealthCheckConfig: { Type: 'CALCULATED', ChildHealthChecks: ['hc-1'] } }],
        IsTruncated: false,
        Marker: 'n',
        MaxItems: 1000,
      });

    const checks = await adapter().listHealthChecks();

    expect(checks).toEqual([
      { id: 'hc-1', callerReference: 'ref-1', version: 2, spec },
      { id: 'hc-2', callerReference: 'ref-2', version: 1 },
    ]);
  });

  it('reads tags ten ids at a time', async () => {
    r53.on(ListTagsForResourcesCommand).callsFake((input: { ResourceIds: string[] }) => ({
      ResourceTagSets: input.ResourceIds.map((id) => ({ ResourceType: 'healthcheck', ResourceId: id, Tags: [{ Key: 'switchyard:owner', Value: id }] })),
    }));
    const ids = Array.from({ length: 23 }, (_, i) => `hc-${i}`);

    const tags = await adapter().listHealthCheckTags(ids);

    expect(r53.commandCalls(ListTagsForResourcesCommand).map((c) => c.args[0].input.ResourceIds?.length)).toEqual([10, 10, 3]);
    expect(tags.get('hc-22')).toEqual([{ Key: 'switchyard:owner', Value: 'hc-22' }]);
  });

  it('creates with the caller reference and config, tags, updates in place and deletes', async () => {
    // Prepare
    r53.on(CreateHealthCheckCommand).resolves({
      HealthCheck: {
        Id: 'hc-9',
        CallerReference: 'sy-abc',
        HealthCheckVersion: 1,
        HealthCheckConfig: {
          Type: 'HTTPS',
          FullyQualifiedDomainName: 'canary-east.example.com',
          Port: 443,
          ResourcePath: '/status/200',
          RequestInterval: 10,
          FailureThreshold: 3,
        },
      },
      Location: 'x',
    });
    r53.on(UpdateHealthCheckCommand).resolves({
      HealthCheck: {
        Id: 'hc-9',
        CallerReference: 'sy-abc',
        HealthCheckVersion: 2,
        HealthCheckConfig: {
          Type: 'HTTPS',
          FullyQualifiedDomainName: 'canary-east.example.com',
          Port: 8443,
          ResourcePath: '/healthz',
          RequestInterval: 10,
          FailureThreshold: 3,
        },
      },
    });
    r53.on(ChangeTagsForResourceCommand).resolves({});
    r53
      .on(DeleteHealthCheckCommand)
      .resolvesOnce({})
      .rejectsOnce(new NoSuchHealthCheck({ message: 'gone', $metadata: {} }));
    const client = adapter();

    // Act
    const created = await client.createHealthCheck('sy-abc', spec);
    await client.tagHealthCheck('hc-9', [{ Key: 'switchyard:owner', Value: 'me' }]);
    const updated = await client.updateHealthCheck('hc-9', 1, { ...spec, port: 8443, path: '/healthz' });
    await client.deleteHealthCheck('hc-9');
    await client.deleteHealthCheck('hc-9'); // already gone: fine

    // Assess
    expect(created.id).toBe('hc-9');
    expect(updated.version).toBe(2);
    expect(r53.commandCalls(CreateHealthCheckCommand)[0]!.args[0].input).toEqual({
      CallerReference: 'sy-abc',
      HealthCheckConfig: {
        Type: 'HTTPS',
        FullyQualifiedDomainName: 'canary-east.example.com',
        Port: 443,
        ResourcePath: '/status/200',
        RequestInterval: 10,
        FailureThreshold: 3,
        EnableSNI: true,
      },
    });
    expect(r53.commandCalls(UpdateHealthCheckCommand)[0]!.args[0].input).toMatchObject({
      HealthCheckId: 'hc-9',
      HealthCheckVersion: 1,
      Port: 8443,
      ResourcePath: '/healthz',
    });
    expect(r53.commandCalls(ChangeTagsForResourceCommand)[0]!.args[0].input).toEqual({
      ResourceType: 'healthcheck',
      ResourceId: 'hc-9',
      AddTags: [{ Key: 'switchyard:owner', Value: 'me' }],
    });
    expect(r53.commandCalls(DeleteHealthCheckCommand)).toHaveLength(2);
  });

  it('resets the path when a check becomes TCP', async () => {
    r53.on(UpdateHealthCheckCommand).resolves({
      HealthCheck: {
        Id: 'hc-9',
        CallerReference: 'r',
        HealthCheckVersion: 3,
        HealthCheckConfig: { Type: 'TCP', FullyQualifiedDomainName: 'canary-east.example.com', Port: 443 },
      },
    });

    await adapter().updateHealthCheck('hc-9', 2, { protocol: 'TCP', fqdn: 'canary-east.example.com', port: 443, intervalSeconds: 30, failureThreshold: 3 });

    expect(r53.commandCalls(UpdateHealthCheckCommand)[0]!.args[0].input).toMatchObject({ ResetElements: ['ResourcePath'] });
  });
});

describe('record set mapping', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => `${labels.join('.')}.`);
  const record: fc.Arbitrary<RecordSet> = fc.oneof(
    fc.record({
      name,
      type: fc.constantFrom('A', 'AAAA'),
      setIdentifier: fc.stringMatching(/^[a-z]{1,8}$/),
      weight: fc.integer({ min: 0, max: 255 }),
      aliasTarget: fc.record({ hostedZoneId: fc.constantFrom('Z26RNL4JYFTOTI', 'Z35SXDOTRQ7X7K'), dnsName: name, evaluateTargetHealth: fc.boolean() }),
      healthCheckId: fc.uuid(),
    }),
    fc.record({
      name,
      type: fc.constant('TXT'),
      ttl: fc.integer({ min: 0, max: 86400 }),
      values: fc.array(fc.stringMatching(/^"[a-z=,0-9]{0,20}"$/), { minLength: 1, maxLength: 3 }),
    }),
  );

  it('round-trips every record Switchyard writes', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(fromResourceRecordSet(toResourceRecordSet(r))).toEqual(r);
      }),
    );
  });

  it('escapes characters Route 53 wants escaped and reads them back', () => {
    const record: RecordSet = { name: '_switchyard.*.example.com.', type: 'TXT', ttl: 300, values: ['"x"'] };
    expect(toResourceRecordSet(record).Name).toBe('_switchyard.*.example.com.');
    expect(fromResourceRecordSet({ Name: '\\052.Example.COM', Type: 'A', TTL: 1, ResourceRecords: [{ Value: '1.2.3.4' }] }).name).toBe('*.example.com.');
  });
});

describe('createRoute53Client', () => {
  it('uses the endpoint given and placeholder credentials for a loopback emulator', async () => {
    const client = createRoute53Client({ endpointUrl: 'http://127.0.0.1:4566' }, {});
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(4566);
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'switchyard-local' });
    expect(await client.config.region()).toBe('us-east-1');
  });
});

describe('Route53Adapter with sendChangeRequests and waitForInsync', () => {
  const group = (name: string) => ({ name, changes: [{ action: 'CREATE' as const, recordSet: { name, type: 'TXT', ttl: 60, values: ['"x"'] } }] });

  it('splits a rejected batch and applies the good groups, keeping Route 53’s message for the bad one', async () => {
    // Prepare
    const message = "Tried to create resource record set [name='b.example.com.', type='TXT'] but it already exists";
    r53.on(ChangeResourceRecordSetsCommand).callsFake((input: { ChangeBatch: { Changes: Array<{ ResourceRecordSet: { Name: string } }> } }) => {
      if (input.ChangeBatch.Changes.some((c) => c.ResourceRecordSet.Name === 'b.example.com.')) {
        throw new InvalidChangeBatch({ message, messages: [message], $metadata: { httpStatusCode: 400 } });
      }
      return {
        ChangeInfo: {
          Id: `/change/C${input.ChangeBatch.Changes.length}-${input.ChangeBatch.Changes[0]!.ResourceRecordSet.Name}`,
          Status: 'PENDING',
          SubmittedAt: new Date(0),
        },
      };
    });

    // Act
    const result = await sendChangeRequests(adapter(), [{ zoneId: 'Z1', groups: [group('a.example.com.'), group('b.example.com.'), group('c.example.com.')] }]);

    // Assess
    const sent = r53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input.ChangeBatch!.Changes!.map((ch) => ch.ResourceRecordSet!.Name));
    expect(sent).toEqual([['a.example.com.', 'b.example.com.', 'c.example.com.'], ['a.example.com.'], ['b.example.com.'], ['c.example.com.']]);
    expect(result.groups.map((g) => [g.group.name, g.status, g.messages ?? g.changeId])).toEqual([
      ['a.example.com.', 'applied', 'C1-a.example.com.'],
      ['b.example.com.', 'failed', [message]],
      ['c.example.com.', 'applied', 'C1-c.example.com.'],
    ]);
  });

  it('waits for INSYNC with GetChange, every 2 s, without really waiting', async () => {
    // Prepare
    const clock = new VirtualClock();
    r53
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(0) } })
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(0) } })
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date(0) } });

    // Act
    const result = await waitForInsync(adapter(clock), ['C1'], { clock });

    // Assess
    expect(result).toEqual({ insync: ['C1'], pending: [], waitedMs: 6000 });
    expect(r53.commandCalls(GetChangeCommand).map((c) => c.args[0].input.Id)).toEqual(['C1', 'C1', 'C1']);
    expect(clock.sleeps.filter((ms) => ms >= 2000)).toEqual([2000, 2000, 2000]);
  });
});
