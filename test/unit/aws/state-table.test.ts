import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, releaseLock, withIntent } from '../../../src/core/fleet-document.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoStateTable, REMEMBERED_FLEET_MS } from '../../../src/aws/state-table.ts';
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

  describe('the fleet document this instance last read or wrote', () => {
    /** A second instance on the table of `table`, whose requests are counted by operation, with a clock the test moves. */
    function countingInstance(table: DynamoStateTable, clock: { ms: number }) {
      const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const sent: string[] = [];
      client.middlewareStack.add(
        (next, context) => async (args) => {
          sent.push(String(context.commandName).replace(/Command$/, ''));
          return next(args);
        },
        { step: 'initialize' },
      );
      const instance = new DynamoStateTable({ client, tableName: table.tableName, nowMs: () => clock.ms });
      return { instance, sent, destroy: () => client.destroy() };
    }
    const lease = (holder: string) => (s: Parameters<typeof acquireLock>[0]) => {
      const acquired = acquireLock(s, { cluster: 'east', holder, operation: 'failover', now, ttlSeconds: 60, maxConcurrentDrains: 1 });
      return { next: acquired.state, result: acquired.lock.token };
    };

    it('takes a lease and releases it with one conditional write each, no read before the release', async () => {
      // Prepare
      const table = await dynamo.newTable();
      const clock = { ms: 1_000_000 };
      const { instance, sent, destroy } = countingInstance(table, clock);
      try {
        // Act
        const token = await instance.updateFleet(lease('exec-1'));
        clock.ms += 50;
        await instance.updateFleet((s) => ({ next: releaseLock(s, 'east', token).state, result: null }));
        // Assess: what another reader sees, and the requests made
        const stored = await table.readFleet();
        expect(stored.locks).toEqual({});
        expect(stored.version).toBe(2);
        expect(sent).toEqual(['GetItem', 'PutItem', 'PutItem']);
      } finally {
        destroy();
      }
    });

    it("decides on another writer's change made since: the refused write reads again and decides anew", async () => {
      // Prepare
      const table = await dynamo.newTable();
      const clock = { ms: 1_000_000 };
      const { instance, sent, destroy } = countingInstance(table, clock);
      try {
        await instance.readFleet();
        await table.updateFleet((s) => ({ next: withIntent(s, { cluster: 'west', state: 'DRAINED', weightPercent: 0 }), result: null }));
        sent.length = 0;
        // Act
        const seen = await instance.updateFleet((s) => ({
          next: withIntent(s, { cluster: 'east', state: 'DRAINING', weightPercent: 50 }),
          result: s.intents['west']?.state,
        }));
        // Assess: both changes kept, the result decided on the current document
        const stored = await table.readFleet();
        expect(seen).toBe('DRAINED');
        expect(stored.intents['west']).toMatchObject({ state: 'DRAINED' });
        expect(stored.intents['east']).toMatchObject({ state: 'DRAINING', weightPercent: 50 });
        expect(stored.version).toBe(2);
        expect(sent).toEqual(['PutItem', 'GetItem', 'PutItem']);
      } finally {
        destroy();
      }
    });

    it('does not refuse on a stale document: a lease another writer released since is taken, not LockHeld', async () => {
      // Prepare
      const table = await dynamo.newTable();
      const clock = { ms: 1_000_000 };
      const { instance, destroy } = countingInstance(table, clock);
      try {
        const token = await table.updateFleet(lease('exec-1'));
        await instance.readFleet(); // remembers east locked by exec-1
        await table.updateFleet((s) => ({ next: releaseLock(s, 'east', token).state, result: null }));
        // Act
        const taken = await instance.updateFleet(lease('exec-2'));
        // Assess
        expect(taken).toBe(2);
        expect((await table.readFleet()).locks['east']).toMatchObject({ holder: 'exec-2', token: 2 });
      } finally {
        destroy();
      }
    });

    it('writes nothing when the change on the remembered document writes nothing: it reads and decides on what the table holds', async () => {
      // Prepare
      const table = await dynamo.newTable();
      const clock = { ms: 1_000_000 };
      const { instance, sent, destroy } = countingInstance(table, clock);
      try {
        await instance.readFleet(); // remembers no lease on east
        const token = await table.updateFleet(lease('exec-1'));
        sent.length = 0;
        // Act: a release of exec-1's lease, decided on the document (remembered: nothing to release)
        await instance.updateFleet((s) => {
          const released = releaseLock(s, 'east', token);
          return released.released ? { next: released.state, result: null } : { result: null };
        });
        // Assess
        expect((await table.readFleet()).locks).toEqual({});
        expect(sent).toEqual(['GetItem', 'PutItem']);
      } finally {
        destroy();
      }
    });

    it('does not keep what a caller changes in a document it was given, and reads first once what it remembers is older than REMEMBERED_FLEET_MS', async () => {
      // Prepare
      const table = await dynamo.newTable();
      const clock = { ms: 1_000_000 };
      const { instance, sent, destroy } = countingInstance(table, clock);
      try {
        const read = await instance.readFleet();
        read.intents['east'] = { cluster: 'east', state: 'DRAINED', weightPercent: 0 } as (typeof read.intents)[string];
        sent.length = 0;
        // Act
        const east = await instance.updateFleet((s) => ({
          next: withIntent(s, { cluster: 'west', state: 'DRAINING', weightPercent: 50 }),
          result: s.intents['east'],
        }));
        const withinWindow = [...sent];
        clock.ms += REMEMBERED_FLEET_MS + 1;
        sent.length = 0;
        await instance.updateFleet((s) => ({ next: withIntent(s, { cluster: 'west', state: 'DRAINED', weightPercent: 0 }), result: null }));
        // Assess
        expect(east).toBeUndefined();
        expect(withinWindow).toEqual(['PutItem']);
        expect(sent).toEqual(['GetItem', 'PutItem']);
        const stored = await table.readFleet();
        expect(stored.intents['east']).toBeUndefined();
        expect(stored.intents['west']).toMatchObject({ state: 'DRAINED' });
      } finally {
        destroy();
      }
    });
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
