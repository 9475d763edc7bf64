// The local Route 53's state on disk (snapshot + change log): after any sequence of
// operations, a second emulator opened on the same file while the first is still running
// (as after a kill -9: no clean close, no final snapshot) sees exactly what the first one
// answers; with a tiny compaction threshold the log is compacted along the way.
import {
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  DeleteHostedZoneCommand,
  ListHealthChecksCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourceCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apply, change, createZone, simple, startEmulator, type Emulator } from './helpers.ts';

const names = ['www', 'api', 'shop', 'a.b', 'x'];
type Step =
  | { kind: 'zone'; name: string }
  | { kind: 'batch'; zone: number; changes: { action: 'CREATE' | 'UPSERT' | 'DELETE'; name: string; value: number }[] }
  | { kind: 'check'; port: number }
  | { kind: 'deleteCheck'; check: number }
  | { kind: 'tag'; zone: number; value: string }
  | { kind: 'deleteZone'; zone: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constantFrom('one.example', 'two.example').map((name) => ({ kind: 'zone' as const, name })),
  fc.record({
    kind: fc.constant('batch' as const),
    zone: fc.nat(3),
    changes: fc.array(
      fc.record({
        action: fc.constantFrom('CREATE' as const, 'UPSERT' as const, 'DELETE' as const),
        name: fc.constantFrom(...names),
        value: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  }),
  fc.integer({ min: 1, max: 3 }).map((port) => ({ kind: 'check' as const, port })),
  fc.nat(3).map((check) => ({ kind: 'deleteCheck' as const, check })),
  fc.record({ kind: fc.constant('tag' as const), zone: fc.nat(3), value: fc.constantFrom('a', 'b') }),
  fc.nat(3).map((zone) => ({ kind: 'deleteZone' as const, zone })),
);

/** Runs one step; a refused request is part of the behaviour (it must change nothing). */
async function run(emulator: Emulator, zones: string[], checks: string[], s: Step, serial: number): Promise<void> {
  const client = emulator.clientWithoutRetries;
  const pick = <T>(items: T[], at: number) => (items.length === 0 ? undefined : items[at % items.length]);
  try {
    if (s.kind === 'zone') zones.push(await createZone(client, s.name));
    if (s.kind === 'batch') {
      const zone = pick(zones, s.zone);
      if (zone === undefined) return;
      const zoneName = (await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, MaxItems: 1 }))).ResourceRecordSets![0]!.Name!;
      await apply(client, zone, ...s.changes.map((c) => change(c.action, simple(`${c.name}.${zoneName}`, 'A', [`192.0.2.${c.value}`]))));
    }
    if (s.kind === 'check') {
      const out = await client.send(
        new CreateHealthCheckCommand({
          CallerReference: `check-${serial}`,
          HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: s.port, Disabled: true },
        }),
      );
      checks.push(out.HealthCheck!.Id!);
    }
    if (s.kind === 'deleteCheck') {
      const check = pick(checks, s.check);
      if (check !== undefined) await client.send(new DeleteHealthCheckCommand({ HealthCheckId: check }));
    }
    if (s.kind === 'tag') {
      const zone = pick(zones, s.zone);
      if (zone !== undefined)
        await client.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zone, AddTags: [{ Key: 'k', Value: s.value }] }));
    }
    if (s.kind === 'deleteZone') {
      const zone = pick(zones, s.zone);
      if (zone !== undefined) await client.send(new DeleteHostedZoneCommand({ Id: zone }));
    }
  } catch (error) {
    if (!(error instanceof Error) || !/InvalidChangeBatch|HostedZoneNotEmpty|NoSuch/.test(error.name)) throw error;
  }
}

/** Everything the API shows: zones, every record page, health checks, zone tags. */
async function view(client: Route53Client): Promise<unknown> {
  const zones = (await client.send(new ListHostedZonesCommand({}))).HostedZones ?? [];
  const out: unknown[] = [];
  for (const zone of zones) {
    const records: unknown[] = [];
    let start: { StartRecordName?: string; StartRecordType?: string; StartRecordIdentifier?: string } = {};
    for (;;) {
      const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id, MaxItems: 2, ...start } as never));
      records.push(...(page.ResourceRecordSets ?? []));
      if (!page.IsTruncated) break;
      start = {
        StartRecordName: page.NextRecordName!,
        StartRecordType: page.NextRecordType!,
        ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
      };
    }
    const id = zone.Id!.replace('/hostedzone/', '');
    const tags = (await client.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id }))).ResourceTagSet?.Tags;
    out.push({ zone: { ...zone, Config: zone.Config }, records, tags });
  }
  const checks = (await client.send(new ListHealthChecksCommand({}))).HealthChecks ?? [];
  return { zones: out, checks };
}

describe('local Route 53: restart from the snapshot and change log', () => {
  // As stored by default (these zones are small: their sets in the snapshot file), and with
  // every zone's sets in chunk files of two, read when a request first needs them.
  it.each([
    ['sets in the snapshot file', {}],
    ['sets in chunk files', { recordsPerChunk: 2, inlineRecords: 0 }],
  ])('answers after a restart exactly as before it, whatever operations came first (%s)', async (_layout, layout) => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const statePath = join(mkdtempSync(join(tmpdir(), 'r53-restart-')), 'route53.json');
        const first = await startEmulator({ statePath, compactAfterBytes: 1500, ...layout });
        let second: Emulator | undefined;
        try {
          const zones: string[] = [];
          const checks: string[] = [];
          for (const [serial, s] of steps.entries()) await run(first, zones, checks, s, serial);
          const before = await view(first.client);
          // The first emulator is not closed: the second reads what a killed process left.
          second = await startEmulator({ statePath, ...layout });
          expect(await view(second.client)).toEqual(before);
        } finally {
          await second?.close();
          await first.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});
