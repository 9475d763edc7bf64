// The local Route 53's large zones on disk: sets in chunk files next to the snapshot
// (`<file>.records/`), read when a request first needs them. A restart reads no chunk; a
// request reads the chunks it touches; a compaction writes the chunks that changed; a crash
// at any step of a compaction (chunks written, snapshot renamed, log emptied) loses nothing;
// an earlier version's snapshot, with every set inline, loads and moves into chunks.
import { ChangeResourceRecordSetsCommand, GetHostedZoneCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostedZone, RecordSet } from '../../src/route53/model.ts';
import { Route53Store, type Route53Operation } from '../../src/route53/store.ts';
import { change, createZone, failure, simple, startEmulator } from './helpers.ts';

const ZONE_ID = 'ZCHUNKED';
const ZONE = 'chunked.example.';

function statePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'r53-chunks-')), 'route53.json');
}

const set = (i: number, value = 1): RecordSet => ({
  name: `n${String(i).padStart(4, '0')}.${ZONE}`,
  type: 'A',
  ttl: 60,
  resourceRecords: [`192.0.2.${value}`],
});

function zoneOperation(records: RecordSet[] = []): Route53Operation {
  const zone: HostedZone = { id: ZONE_ID, name: ZONE, callerReference: 'chunks', privateZone: false, vpcs: [], nameServers: [], records };
  return { op: 'zone', zone };
}

const everything = (store: Route53Store): RecordSet[] => store.index(ZONE_ID).slice(0, Number.MAX_SAFE_INTEGER);
const chunkFiles = (path: string): string[] => (existsSync(`${path}.records`) ? readdirSync(`${path}.records`).sort() : []);

describe('local Route 53: large zones in chunk files', () => {
  it('starts without reading a chunk, reads only the chunks a request needs, and compacts only the chunks that changed', async () => {
    // Prepare: 300 sets in chunks of 10.
    const path = statePath();
    const first = Route53Store.open(path, { chunkSize: 10 });
    await first.commit([zoneOperation(), { op: 'records', zoneId: ZONE_ID, put: Array.from({ length: 300 }, (_, i) => set(i)), deleted: [] }]);
    await first.close();
    const before = chunkFiles(path);
    expect(before.length).toBeGreaterThanOrEqual(15); // chunks of 10 to 20

    // Act
    const store = Route53Store.open(path, { chunkSize: 10 });
    const index = store.index(ZONE_ID);
    const readAtStart = index.chunksRead;
    const page = index.slice(index.lowerBound({ nameKey: 'example.chunked.n0155.' }), 3);
    const readForPage = index.chunksRead;
    await store.commit([{ op: 'records', zoneId: ZONE_ID, put: [set(156, 9)], deleted: [] }]);
    await store.compact();

    // Assess
    expect([readAtStart, index.size]).toEqual([0, 300]);
    expect(page.map((r) => r.name)).toEqual([155, 156, 157].map((i) => set(i).name));
    expect(readForPage).toBe(1);
    const after = chunkFiles(path);
    expect(after.filter((file) => !before.includes(file))).toHaveLength(1); // the changed chunk, under a new name
    expect(before.filter((file) => !after.includes(file))).toHaveLength(1); // its old file, removed
    await store.close();
    const reopened = Route53Store.open(path);
    expect(everything(reopened)).toEqual(Array.from({ length: 300 }, (_, i) => set(i, i === 156 ? 9 : 1)));
    await reopened.close();
  });

  it('serves a restarted emulator from the snapshot file: a damaged chunk fails only the requests that need it, naming the file, and changes nothing', async () => {
    // Prepare: two zones of 200 sets each, in chunks of 10.
    const path = statePath();
    const first = await startEmulator({ statePath: path, recordsPerChunk: 10 });
    const sets = (zone: string) => Array.from({ length: 200 }, (_, i) => change('CREATE', simple(`h${i}.${zone}`, 'A', ['192.0.2.1'])));
    const damagedZone = await createZone(first.client, 'damaged.example');
    const healthyZone = await createZone(first.client, 'healthy.example');
    await first.client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: damagedZone, ChangeBatch: { Changes: sets('damaged.example') } }));
    await first.client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: healthyZone, ChangeBatch: { Changes: sets('healthy.example') } }));
    await first.close();
    const damagedFiles = chunkFiles(path).filter((file) => file.startsWith(damagedZone));
    expect(damagedFiles.length).toBeGreaterThanOrEqual(10);
    for (const file of damagedFiles) writeFileSync(join(`${path}.records`, file), '[{"torn');

    // Act
    const second = await startEmulator({ statePath: path, recordsPerChunk: 10 });
    try {
      // Assess: the zones and their counts come from the snapshot file alone.
      const zones = (await second.client.send(new ListHostedZonesCommand({}))).HostedZones!;
      // ListHostedZones pages by zone id, which is random: compare in name order.
      expect(zones.map((z) => [z.Name, z.ResourceRecordSetCount]).sort()).toEqual([
        ['damaged.example.', 202],
        ['healthy.example.', 202],
      ]);
      expect((await second.client.send(new GetHostedZoneCommand({ Id: damagedZone }))).HostedZone!.ResourceRecordSetCount).toBe(202);
      const healthy = await second.client.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: healthyZone, StartRecordName: 'h150.healthy.example', MaxItems: 2 }),
      );
      expect(healthy.ResourceRecordSets!.map((r) => r.Name)).toEqual(['h150.healthy.example.', 'h151.healthy.example.']);
      const listing = await failure(second.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: damagedZone })));
      expect(listing.message).toContain(`Route 53 record chunk ${join(`${path}.records`, damagedFiles[0]!)} cannot be read`);
      const changing = await failure(
        second.client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: damagedZone,
            ChangeBatch: { Changes: [change('UPSERT', simple('h7.damaged.example', 'A', ['192.0.2.7']))] },
          }),
        ),
      );
      expect(changing.message).toContain('Route 53 record chunk');
      expect(existsSync(`${path}.log`) ? readFileSync(`${path}.log`, 'utf8') : '').toBe(''); // nothing logged
    } finally {
      await second.close();
    }
  });

  it('loses nothing when a compaction is cut short after writing its chunks, before the snapshot file is replaced', async () => {
    // Prepare: a compacted state, then changes in the log only.
    const path = statePath();
    const store = Route53Store.open(path, { chunkSize: 5, inlineRecords: 0 });
    await store.commit([zoneOperation(), { op: 'records', zoneId: ZONE_ID, put: Array.from({ length: 40 }, (_, i) => set(i)), deleted: [] }]);
    await store.compact();
    await store.commit([{ op: 'records', zoneId: ZONE_ID, put: [set(3, 7), set(100)], deleted: [set(20).name + '|A|'] }]);
    const expected = everything(store);
    const backup = mkdtempSync(join(tmpdir(), 'r53-chunks-backup-'));
    cpSync(`${path}.records`, join(backup, 'records'), { recursive: true });
    copyFileSync(path, join(backup, 'snapshot'));
    copyFileSync(`${path}.log`, join(backup, 'log'));

    // Act: the compaction runs to its end; then the files are put back as a crash after its
    // chunk writes would have left them: the old snapshot file and log, the old chunks, and
    // the new chunks beside them.
    await store.compact();
    const written = chunkFiles(path);
    cpSync(join(backup, 'records'), `${path}.records`, { recursive: true });
    copyFileSync(join(backup, 'snapshot'), path);
    copyFileSync(join(backup, 'log'), `${path}.log`);

    // Assess
    const reopened = Route53Store.open(path, { chunkSize: 5, inlineRecords: 0 });
    expect(everything(reopened)).toEqual(expected);
    expect(chunkFiles(path).length).toBeGreaterThan(written.length);
    await reopened.compact(); // the files no snapshot names go
    const named = (JSON.parse(readFileSync(path, 'utf8')) as { zones: { chunks: { file: string }[] }[] }).zones[0]!.chunks.map((c) => c.file).sort();
    expect(chunkFiles(path)).toEqual(named);
    await reopened.close();
    await store.close();
    rmSync(backup, { recursive: true, force: true });
  });

  it('loses nothing when a compaction is cut short after the snapshot file is replaced, before the log is emptied', async () => {
    const path = statePath();
    const store = Route53Store.open(path, { chunkSize: 5, inlineRecords: 0 });
    await store.commit([zoneOperation(), { op: 'records', zoneId: ZONE_ID, put: Array.from({ length: 30 }, (_, i) => set(i)), deleted: [] }]);
    await store.commit([{ op: 'records', zoneId: ZONE_ID, put: [set(31), set(4, 4)], deleted: [set(9).name + '|A|'] }]);
    const expected = everything(store);
    const log = readFileSync(`${path}.log`);

    await store.compact();
    writeFileSync(`${path}.log`, log); // the log as it was before the compaction emptied it

    const reopened = Route53Store.open(path, { chunkSize: 5, inlineRecords: 0 });
    expect(everything(reopened)).toEqual(expected);
    await reopened.close();
    await store.close();
  });

  it('loads a snapshot file with every set inline (as earlier versions wrote it) and moves a large zone into chunks at the next compaction', async () => {
    const path = statePath();
    const sets = Array.from({ length: 300 }, (_, i) => set(299 - i)); // any order
    const zone = { id: ZONE_ID, name: ZONE, callerReference: 'old', privateZone: false, vpcs: [], nameServers: [], records: sets };
    writeFileSync(
      path,
      JSON.stringify({ version: 1, zones: [zone], healthChecks: [], zoneCallerReferences: ['old'], deletedHealthCheckReferences: [], changes: [], tags: {} }),
    );

    const store = Route53Store.open(path);
    expect(everything(store)).toEqual([...sets].reverse());
    await store.compact();
    await store.close();

    const snapshot = JSON.parse(readFileSync(path, 'utf8')) as { zones: Array<{ records?: unknown; chunks?: unknown[] }> };
    expect([snapshot.zones[0]!.records, snapshot.zones[0]!.chunks?.length]).toEqual([undefined, 1]);
    const reopened = Route53Store.open(path);
    expect(everything(reopened)).toEqual([...sets].reverse());
    await reopened.close();

    // A snapshot file naming a chunk without its count is refused at start, naming the file.
    const damaged = JSON.parse(readFileSync(path, 'utf8')) as { zones: Array<{ chunks: Array<{ count?: number }> }> };
    delete damaged.zones[0]!.chunks[0]!.count;
    writeFileSync(path, JSON.stringify(damaged));
    expect(() => Route53Store.open(path)).toThrow(`Route 53 state file ${path}: hosted zone ${ZONE_ID} names a chunk without its file, count or first set`);
  });
});
