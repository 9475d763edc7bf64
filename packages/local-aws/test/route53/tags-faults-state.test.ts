// Tags, injected failures, the 5 requests/second mode, and the state file, over HTTP.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  GetHostedZoneCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourceCommand,
  ListTagsForResourcesCommand,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoute53Service } from '../../src/route53/index.ts';
import { apply, change, createZone, quickRetryingClientFor, failure, simple, startEmulator, uniqueReference, type Emulator } from './helpers.ts';

describe('local Route 53: tags', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('adds, replaces and removes tags on zones and health checks, and lists them', async () => {
    // Prepare
    const zoneId = await createZone(emulator.client, 'tags.example');
    const check = await emulator.client.send(
      new CreateHealthCheckCommand({ CallerReference: uniqueReference(), HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: 9, Disabled: true } }),
    );
    const checkId = check.HealthCheck!.Id!;

    // Act
    await emulator.client.send(
      new ChangeTagsForResourceCommand({
        ResourceType: 'hostedzone',
        ResourceId: zoneId,
        AddTags: [
          { Key: 'owner', Value: 'switchyard' },
          { Key: 'env', Value: 'dev' },
        ],
      }),
    );
    await emulator.client.send(
      new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId, AddTags: [{ Key: 'env', Value: 'prod' }], RemoveTagKeys: ['owner'] }),
    );
    await emulator.client.send(
      new ChangeTagsForResourceCommand({ ResourceType: 'healthcheck', ResourceId: checkId, AddTags: [{ Key: 'Name', Value: 'canary-east' }] }),
    );

    // Assess
    const zoneTags = await emulator.client.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId }));
    expect(zoneTags.ResourceTagSet).toEqual({ ResourceType: 'hostedzone', ResourceId: zoneId, Tags: [{ Key: 'env', Value: 'prod' }] });
    const many = await emulator.client.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: [checkId] }));
    expect(many.ResourceTagSets).toEqual([{ ResourceType: 'healthcheck', ResourceId: checkId, Tags: [{ Key: 'Name', Value: 'canary-east' }] }]);
  });

  it('answers NoSuchHostedZone / NoSuchHealthCheck for unknown resources and InvalidInput for an unknown type', async () => {
    const zone = await failure(emulator.client.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: 'ZMISSING' })));
    const check = await failure(emulator.client.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: ['missing'] })));
    const type = await failure(emulator.client.send(new ListTagsForResourceCommand({ ResourceType: 'bucket' as 'hostedzone', ResourceId: 'x' })));
    expect([zone.name, check.name, type.name]).toEqual(['NoSuchHostedZone', 'NoSuchHealthCheck', 'InvalidInput']);
  });
});

describe('local Route 53: injected failures', () => {
  it('refuses every request with Throttling at a failure rate of 1, changing nothing', async () => {
    const emulator = await startEmulator({ faults: { failureRate: 1, errors: ['Throttling'] } });
    try {
      const error = await failure(emulator.clientWithoutRetries.send(new ListHostedZonesCommand({})));
      expect(error.name).toBe('Throttling');
      expect(error.message).toBe('Rate exceeded');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.Type).toBe('Sender');

      emulator.service.setFaults({});
      expect((await emulator.client.send(new ListHostedZonesCommand({}))).HostedZones).toEqual([]);
    } finally {
      await emulator.close();
    }
  });

  it('answers PriorRequestNotComplete only to requests that change a zone', async () => {
    const emulator = await startEmulator();
    try {
      const zoneId = await createZone(emulator.client, 'prior.example');
      emulator.service.setFaults({ failureRate: 1, errors: ['PriorRequestNotComplete'] });
      const write = await failure(apply(emulator.clientWithoutRetries, zoneId, change('CREATE', simple('a.prior.example', 'A', ['192.0.2.1']))));
      const read = await failure(emulator.clientWithoutRetries.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId })));
      expect(write.name).toBe('PriorRequestNotComplete');
      expect(write.message).toBe('The request was rejected because Route 53 was still processing a prior request.');
      expect(read.name).toBe('Throttling');
      emulator.service.setFaults({});
      expect((await emulator.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets).toHaveLength(2);
    } finally {
      await emulator.close();
    }
  });

  it('accepts a change without applying it under acceptWithoutApply: a change id that turns INSYNC, the zone unchanged', async () => {
    const emulator = await startEmulator();
    try {
      const zoneId = await createZone(emulator.client, 'lost.example');
      emulator.service.setFaults({ acceptWithoutApply: true });
      const out = await apply(emulator.client, zoneId, change('CREATE', simple('a.lost.example', 'A', ['192.0.2.1'])));
      const status = await emulator.client.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id! }));
      expect(status.ChangeInfo?.Status).toBe('INSYNC');
      const listed = await emulator.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
      expect(listed.ResourceRecordSets?.map((r) => r.Name)).not.toContain('a.lost.example.');
      // An invalid batch is still refused: only valid changes are lost.
      const refused = await failure(apply(emulator.client, zoneId, change('DELETE', simple('b.lost.example', 'A', ['192.0.2.2']))));
      expect(refused.name).toBe('InvalidChangeBatch');
      emulator.service.setFaults({});
      await apply(emulator.client, zoneId, change('CREATE', simple('a.lost.example', 'A', ['192.0.2.1'])));
      const after = await emulator.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
      expect(after.ResourceRecordSets?.map((r) => r.Name)).toContain('a.lost.example.');
    } finally {
      await emulator.close();
    }
  });

  it("lets the SDK's retries get through a share of refusals, each change applied once", async () => {
    const emulator = await startEmulator({ faults: { failureRate: 0.4, seed: 7 } });
    const patient = quickRetryingClientFor(emulator.server.url, 20);
    try {
      const zoneId = await createZone(patient, 'retry.example');
      for (let i = 0; i < 10; i++) await apply(patient, zoneId, change('CREATE', simple(`r${i}.retry.example`, 'A', ['192.0.2.1'])));
      const refused = await Promise.all(
        Array.from({ length: 20 }, () =>
          emulator.clientWithoutRetries.send(new GetHostedZoneCommand({ Id: zoneId })).then(
            () => 0,
            () => 1,
          ),
        ),
      );
      const listed = await patient.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
      expect(listed.ResourceRecordSets).toHaveLength(12);
      expect(refused.reduce((a: number, b) => a + b, 0)).toBeGreaterThan(0);
    } finally {
      patient.destroy();
      await emulator.close();
    }
  });

  it('enforces 5 requests per second in rate-limit mode', async () => {
    const emulator = await startEmulator({ faults: { rateLimit: true } });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, () =>
          emulator.clientWithoutRetries.send(new ListHostedZonesCommand({})).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        ),
      );
      // A full bucket holds one second's worth: 5, plus at most one refilled while the burst is sent.
      const served = outcomes.filter((o) => o === 'ok').length;
      expect(served).toBeGreaterThanOrEqual(5);
      expect(served).toBeLessThanOrEqual(6);
      expect(outcomes.filter((o) => o === 'Throttling')).toHaveLength(12 - served);
      await new Promise((resolve) => setTimeout(resolve, 450));
      const later = await Promise.all(
        Array.from({ length: 10 }, () =>
          emulator.clientWithoutRetries.send(new ListHostedZonesCommand({})).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        ),
      );
      const refilled = later.filter((o) => o === 'ok').length;
      expect(refilled).toBeGreaterThanOrEqual(2); // 450 ms refill about 2 requests
      expect(refilled).toBeLessThan(10);
    } finally {
      await emulator.close();
    }
  });
});

describe('local Route 53: state file', () => {
  it('keeps zones, records, changes, health checks and tags across a restart', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'r53-state-'));
    const statePath = join(dir, 'nested', 'route53.json');
    const first = await startEmulator({ statePath });
    const zoneId = await createZone(first.client, 'persist.example');
    const changed = await apply(first.client, zoneId, change('CREATE', simple('www.persist.example', 'A', ['192.0.2.1'])));
    const check = await first.client.send(
      new CreateHealthCheckCommand({ CallerReference: 'persisted-check', HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: 9, Disabled: true } }),
    );
    await first.client.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId, AddTags: [{ Key: 'k', Value: 'v' }] }));
    await first.close();

    // Act
    const second = await startEmulator({ statePath });
    try {
      // Assess
      const records = await second.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
      expect(records.ResourceRecordSets!.map((r) => r.Name)).toContain('www.persist.example.');
      expect((await second.client.send(new GetChangeCommand({ Id: changed.ChangeInfo!.Id }))).ChangeInfo!.Status).toBe('INSYNC');
      expect((await second.client.send(new GetHealthCheckCommand({ HealthCheckId: check.HealthCheck!.Id }))).HealthCheck!.CallerReference).toBe(
        'persisted-check',
      );
      const tags = await second.client.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId }));
      expect(tags.ResourceTagSet!.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
      const reused = await failure(
        second.client.send(
          new CreateHealthCheckCommand({ CallerReference: 'persisted-check', HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: 10 } }),
        ),
      );
      expect(reused.name).toBe('HealthCheckAlreadyExists');
      expect(readdirSync(join(dir, 'nested'))).toEqual(['route53.json']); // no temporary files left
    } finally {
      await second.close();
    }
  });

  it('refuses a state file that is not a Route 53 state, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53-bad-'));
    const broken = join(dir, 'broken.json');
    const foreign = join(dir, 'foreign.json');
    writeFileSync(broken, '{ not json');
    writeFileSync(foreign, '{"version": 7}');
    expect(() => createRoute53Service({ statePath: broken })).toThrow(`Route 53 state file ${broken} is not valid JSON`);
    expect(() => createRoute53Service({ statePath: foreign })).toThrow(`Route 53 state file ${foreign} is not a Switchyard Route 53 state (version 1)`);
    expect(existsSync(join(dir, 'broken.json'))).toBe(true);
  });
});
