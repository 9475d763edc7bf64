import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, withIntent } from '../../../src/core/fleet-document.ts';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoStateTable } from '../../../src/aws/state-table.ts';
import { startDynalite, type TestDynamo } from '../../support/workflows/dynalite.ts';
import { readBackKey, type ExpectedGroup } from '../../../src/core/verify.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

const now = new Date('2026-01-01T00:00:00Z');

describe('DynamoStateTable', () => {
  it('starts with an empty fleet document and writes it with increasing versions', async () => {
    // Prepare
    const table = await dynamo.newTable();
    // Act
    const first = await table.readFleet();
    await table.updateFleet((s) => ({ next: withIntent(s, { cluster: 'east', state: 'DRAINED', weightPercent: 0 }), result: null }));
    const second = await table.readFleet();
    // Assess
    expect(first.version).toBe(0);
    expect(second.version).toBe(1);
    expect(second.intents['east']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
  });

  it('serialises concurrent lock acquisitions: at most maxConcurrentDrains succeed, the rest get LockHeld', async () => {
    // Prepare
    const table: DynamoStateTable = await dynamo.newTable();
    const clusters = Array.from({ length: 8 }, (_, i) => `c${i}`);
    // Act
    const results = await Promise.allSettled(
      clusters.map((cluster) =>
        table.updateFleet((s) => {
          const acquired = acquireLock(s, { cluster, holder: `exec-${cluster}`, operation: 'drain', now, ttlSeconds: 60, maxConcurrentDrains: 2 });
          return { next: acquired.state, result: acquired.lock };
        }),
      ),
    );
    // Assess
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(2);
    expect(lost.map((r) => (r.reason as Error).name)).toEqual(Array(6).fill('LockHeld'));
    const stored = await table.readFleet();
    expect(Object.keys(stored.locks)).toHaveLength(2);
    const tokens = won.map((r) => (r as PromiseFulfilledResult<{ token: number }>).value.token).sort();
    expect(tokens).toEqual([1, 2]);
  });

  it('does not write when the change throws or returns no next state', async () => {
    // Prepare
    const table = await dynamo.newTable();
    // Act
    const result = await table.updateFleet(() => ({ result: 'nothing' }));
    const thrown = table.updateFleet(() => {
      throw new Error('refused');
    });
    // Assess
    expect(result).toBe('nothing');
    await expect(thrown).rejects.toThrow('refused');
    expect((await table.readFleet()).version).toBe(0);
  });

  it('keeps the app catalogue', async () => {
    // Prepare
    const table = await dynamo.newTable();
    const endpoint = { hostname: 'shop.example.com', cluster: 'east', kind: 'Gateway' as const, gateway: 'shop/gw', annotations: {} };
    // Act
    await table.putApp({ hostname: 'shop.example.com', endpoints: [endpoint], updatedAt: now.toISOString() });
    await table.putApp({ hostname: 'blog.example.com', endpoints: [], updatedAt: now.toISOString() });
    await table.deleteApp('blog.example.com');
    // Assess
    expect(await table.listApps()).toEqual([{ hostname: 'shop.example.com', endpoints: [endpoint], updatedAt: now.toISOString() }]);
    expect(await table.getApp('blog.example.com')).toBeUndefined();
  });

  it("lists the catalogue as it is now though it reads in full only entries whose revision changed: another writer's update, put and delete are seen", async () => {
    // Prepare: two instances on one table (two Lambda containers); the reader has listed once.
    const reader = await dynamo.newTable();
    const writer = new DynamoStateTable({ client: dynamo.client, tableName: reader.tableName });
    const endpoint = (hostname: string, cluster: string) => ({ hostname, cluster, kind: 'Gateway' as const, gateway: 'ns/gw', annotations: {} });
    const at = now.toISOString();
    for (let i = 0; i < 60; i++)
      await writer.putApp({
        hostname: `app-${String(i).padStart(2, '0')}.example.com`,
        endpoints: [endpoint(`app-${String(i).padStart(2, '0')}.example.com`, 'east')],
        updatedAt: at,
      });
    const first = await reader.listApps();
    // Act
    await writer.updateApp('app-00.example.com', (current) => ({
      next: { ...current!, endpoints: [...current!.endpoints, endpoint('app-00.example.com', 'west')] },
      result: null,
    }));
    await writer.putApp({ hostname: 'app-01.example.com', endpoints: [endpoint('app-01.example.com', 'eu')], updatedAt: at });
    await writer.deleteApp('app-02.example.com');
    await writer.putApp({ hostname: 'new.example.com', endpoints: [endpoint('new.example.com', 'east')], updatedAt: at });
    const second = await reader.listApps();
    // Many changes at once: the whole catalogue is read again.
    for (let i = 10; i < 70; i++)
      await writer.putApp({ hostname: `app-${String(i).padStart(2, '0')}.example.com`, endpoints: [endpoint(`app-${i}`, 'west')], updatedAt: at });
    const third = await reader.listApps();
    // Assess
    expect(first).toHaveLength(60);
    expect(second.map((e) => e.hostname)).toEqual([...first.map((e) => e.hostname).filter((h) => h !== 'app-02.example.com'), 'new.example.com'].sort());
    expect(second.find((e) => e.hostname === 'app-00.example.com')!.endpoints.map((e) => e.cluster)).toEqual(['east', 'west']);
    expect(second.find((e) => e.hostname === 'app-01.example.com')!.endpoints.map((e) => e.cluster)).toEqual(['eu']);
    expect(second.find((e) => e.hostname === 'app-03.example.com')).toEqual(first.find((e) => e.hostname === 'app-03.example.com'));
    expect(second.some((e) => 'rev' in e)).toBe(false);
    expect(third).toEqual(await writer.listApps());
    expect(third.find((e) => e.hostname === 'app-69.example.com')!.endpoints[0]!.cluster).toBe('west');
    // Entries are shared between calls: changing one fails instead of corrupting the next answer.
    expect(() => (third[0]!.endpoints as unknown[]).push(endpoint('x', 'y'))).toThrow(TypeError);
  });

  it('reads entries written without a revision (before revisions existed) in full every time', async () => {
    // Prepare
    const table = await dynamo.newTable();
    const put = (cluster: string) =>
      DynamoDBDocumentClient.from(dynamo.client).send(
        new PutCommand({
          TableName: table.tableName,
          Item: {
            pk: 'APPS',
            sk: 'old.example.com',
            hostname: 'old.example.com',
            endpoints: [{ hostname: 'old.example.com', cluster, kind: 'Gateway', gateway: 'ns/gw', annotations: {} }],
            updatedAt: now.toISOString(),
          },
        }),
      );
    await put('east');
    const before = await table.listApps();
    // Act
    await put('west');
    const after = await table.listApps();
    // Assess
    expect(before[0]!.endpoints[0]!.cluster).toBe('east');
    expect(after[0]!.endpoints[0]!.cluster).toBe('west');
  });

  it('records an alarm state only when it is not older than the recorded one', async () => {
    // Prepare
    const table = await dynamo.newTable();
    const base = { alarmName: 'switchyard-o-east', cluster: 'east' };
    // Act
    const newer = await table.recordAlarm({ ...base, state: 'ALARM', timestamp: '2026-01-01T00:01:00.000Z' });
    const older = await table.recordAlarm({ ...base, state: 'OK', timestamp: '2026-01-01T00:00:00.000Z' });
    // Assess
    expect([newer, older]).toEqual([true, false]);
    expect(await table.listAlarms()).toEqual([{ ...base, state: 'ALARM', timestamp: '2026-01-01T00:01:00.000Z' }]);
  });

  it('appends a journal entry once per id and lists newest first, filtered by cluster', async () => {
    // Prepare
    const table = await dynamo.newTable();
    const entry = (id: string, at: string, cluster: string) => ({ id, at, by: 'ops', what: 'drain step 0%', why: 'upgrade', cluster });
    // Act
    const first = await table.appendJournal(entry('a#1', '2026-01-01T00:00:00Z', 'east'));
    const again = await table.appendJournal(entry('a#1', '2026-01-01T00:09:00Z', 'east'));
    await table.appendJournal(entry('b#1', '2026-01-01T00:05:00Z', 'west'));
    await table.appendJournal(entry('a#2', '2026-01-01T00:02:00Z', 'east'));
    // Assess
    expect([first, again]).toEqual([true, false]);
    expect((await table.listJournal()).map((e) => e.id)).toEqual(['b#1', 'a#2', 'a#1']);
    expect((await table.listJournal({ cluster: 'east', limit: 1 })).map((e) => e.id)).toEqual(['a#2']);
  });

  describe("read-backs (a weight step's intended sets, kept out of the workflow state)", () => {
    const step = (weight: number, apps: number): ExpectedGroup[] => [
      {
        zoneId: 'Z1',
        type: 'A',
        setIdentifier: 'east',
        want: { weight, healthCheckId: 'hc-east' },
        names: Array.from({ length: apps }, (_, i) => `app-${String(i).padStart(5, '0')}.example.com.`),
      },
      { zoneId: 'Z1', type: 'AAAA', setIdentifier: 'east', want: null, names: ['v6.example.com.'] },
    ];

    it('gives back what was stored, in several items when a step names 10,000 apps', async () => {
      // Prepare
      const table = await dynamo.newTable();
      const expected = step(50, 10_000);
      // Act
      const ref = await table.putReadBack(readBackKey('east', 'drain', 0), expected);
      const read = await table.getReadBack(ref);
      // Assess
      expect(ref).toMatchObject({ key: 'east#drain#00', sets: 10_001 });
      expect(ref.parts).toBeGreaterThan(1);
      expect(read.flatMap((g) => g.names.map((n) => `${g.type} ${JSON.stringify(g.want)} ${n}`))).toEqual(
        expected.flatMap((g) => g.names.map((n) => `${g.type} ${JSON.stringify(g.want)} ${n}`)),
      );
    });

    it('refuses a reference whose step was written again since (InvalidInput, naming the step), and reads the newer one', async () => {
      // Prepare
      const table = await dynamo.newTable();
      const key = readBackKey('east', 'drain', 1);
      const older = await table.putReadBack(key, step(50, 3));
      // Act
      const newer = await table.putReadBack(key, step(0, 3));
      // Assess
      await expect(table.getReadBack(older)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('east#drain#01') });
      expect((await table.getReadBack(newer))[0]!.want).toEqual({ weight: 0, healthCheckId: 'hc-east' });
    });

    it('refuses a reference to parts that are not there, and reads an empty step without reading anything', async () => {
      // Prepare
      const table = await dynamo.newTable();
      const ref = await table.putReadBack(readBackKey('west', 'restore', 0), step(100, 2));
      // Act
      const lost = table.getReadBack({ ...ref, parts: ref.parts + 1, sets: ref.sets });
      const miscounted = table.getReadBack({ ...ref, sets: ref.sets + 1 });
      const empty = await table.putReadBack(readBackKey('west', 'restore', 1), []);
      // Assess
      await expect(lost).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('part 2 of 2 holds nothing') });
      await expect(miscounted).rejects.toMatchObject({ name: 'InvalidInput' });
      expect(empty).toMatchObject({ parts: 0, sets: 0 });
      expect(await table.getReadBack(empty)).toEqual([]);
    });
  });
});
