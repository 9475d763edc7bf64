// The app catalogue's compare-and-set (DynamoStateTable.updateApp against dynalite):
// concurrent writers of one app entry never lose each other's endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishedEndpoint } from '../../../src/core/model.ts';
import type { AppEntry } from '../../../src/core/ports.ts';
import { startDynalite, type TestDynamo } from '../../support/workflows/dynalite.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

const endpoint = (cluster: string): PublishedEndpoint => ({ hostname: 'shop.example.com', cluster, kind: 'Gateway', gateway: 'shop/gw', annotations: {} });
const at = '2026-01-01T00:00:00.000Z';

/** Adds a cluster's endpoint to whatever the entry holds now. */
const addCluster = (cluster: string) => (current: AppEntry | undefined) => ({
  next: { hostname: 'shop.example.com', endpoints: [...(current?.endpoints ?? []).filter((e) => e.cluster !== cluster), endpoint(cluster)], updatedAt: at },
  result: current?.version ?? 0,
});

describe('DynamoStateTable.updateApp', () => {
  it("keeps every concurrent writer's endpoint (a lost race re-reads and re-decides)", async () => {
    // Prepare
    const table = await dynamo.newTable();
    const clusters = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    // Act
    await Promise.all(clusters.map((c) => table.updateApp('shop.example.com', addCluster(c))));
    // Assess
    const entry = await table.getApp('shop.example.com');
    expect(entry?.endpoints.map((e) => e.cluster).sort()).toEqual(clusters);
    expect(entry?.version).toBe(clusters.length);
  });

  it('deletes only the entry it read, writes nothing when the change says so, and takes over an unversioned entry', async () => {
    // Prepare: an entry written without a version (putApp, or an older release).
    const table = await dynamo.newTable();
    await table.putApp({ hostname: 'shop.example.com', endpoints: [endpoint('east')], updatedAt: at });
    // Act
    const unchanged = await table.updateApp('shop.example.com', (current) => ({ result: current?.endpoints.length }));
    await table.updateApp('shop.example.com', addCluster('west'));
    const afterAdd = await table.getApp('shop.example.com');
    let calls = 0;
    await table.updateApp('shop.example.com', (current) => {
      calls++;
      return { next: current?.endpoints.length === 2 ? null : undefined, result: null };
    });
    const missing = await table.updateApp('nothing.example.com', () => ({ next: null, result: 'no entry' }));
    // Assess
    expect(unchanged).toBe(1);
    expect(afterAdd).toMatchObject({ version: 1 });
    expect(afterAdd?.endpoints.map((e) => e.cluster)).toEqual(['east', 'west']);
    expect(calls).toBe(1);
    expect(await table.getApp('shop.example.com')).toBeUndefined();
    expect(missing).toBe('no entry');
  });

  it('gives up with TransientAwsError when the entry keeps changing', async () => {
    // Prepare: the stored entry is at version 1, but every read this writer makes sees an older one.
    const table = await dynamo.newTable({ maxConflictRetries: 3 });
    await table.updateApp('shop.example.com', addCluster('east'));
    const stale = { ...(await table.getApp('shop.example.com'))!, version: 0 };
    let reads = 0;
    table.getApp = async () => {
      reads++;
      return stale;
    };
    // Act
    const attempt = table.updateApp('shop.example.com', addCluster('west'));
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'TransientAwsError', message: expect.stringContaining('app shop.example.com kept changing') });
    expect(reads).toBe(3);
  });
});
