// Apps that failed open are re-examined by Reconcile: Failover decides when an alarm
// changes state, so an app that had no healthy alternative then (fail open) would stay on
// its alarmed cluster until the alarm changed again. The scheduled Reconcile takes it out
// once another healthy, active cluster serves it — by the same rules, never the last one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { alarmEvent, createHarness, type Harness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

const EAST = 'switchyard-dev-switchyard-example-east-canary';

const docsClusters = (h: Harness) =>
  h
    .records('docs.example.com')
    .map((r) => r.setIdentifier)
    .sort();

async function succeeded(h: Harness, workflow: Parameters<Harness['run']>[0], input: unknown) {
  const outcome = await h.run(workflow, input);
  expect(outcome.status, `${workflow}: ${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
  return outcome;
}

describe('Reconcile re-examines apps that failed open', () => {
  it('takes docs out of the alarmed cluster once its other cluster is healthy again, and not before', async () => {
    // Prepare: east alarms while eu (docs' only other cluster) is down too: docs fails open on east.
    const h = await createHarness(dynamo, { health: { east: 'UNHEALTHY', west: 'HEALTHY', eu: 'UNHEALTHY' } });
    const failover = await succeeded(h, 'Failover', alarmEvent(EAST, 'ALARM', '2026-11-27T10:00:00.000Z'));
    expect(failover.output).toMatchObject({ applied: true });
    expect(h.eventsOf('Failover Performed')[0]).toMatchObject({ failOpenApps: ['docs.example.com'] });
    expect(docsClusters(h)).toEqual(['east', 'eu']);
    // Act 1: Reconcile while eu is still down: nothing may move (docs' last cluster stays).
    const early = await succeeded(h, 'Reconcile', {});
    // Assess 1
    expect(docsClusters(h)).toEqual(['east', 'eu']);
    expect(early.output).toMatchObject({ failedOver: [], changeCount: 0 });
    // Act 2: eu is healthy again, east still alarms.
    h.health.clusters['eu'] = 'HEALTHY';
    const later = await succeeded(h, 'Reconcile', {});
    // Assess 2
    expect(docsClusters(h)).toEqual(['eu']);
    expect(later.output).toMatchObject({ failedOver: [{ cluster: 'east', alarmName: EAST, apps: ['docs.example.com'] }] });
    const state = await h.table.readFleet();
    expect(state.failovers['east'], 'every app of east is out now: a whole-cluster mark').toMatchObject({ alarmName: EAST });
    expect(state.locks).toEqual({});
    expect(h.eventsOf('Records Changed')).toEqual([expect.objectContaining({ trigger: 'reconcile', hostnames: ['docs.example.com'] })]);
    expect((await h.table.listJournal({ cluster: 'east' })).map((e) => e.what)).toContainEqual(
      expect.stringContaining('failover re-examined: docs.example.com out of east'),
    );
    // And when the alarm clears, the ordinary fail-back brings all of east back.
    h.health.clusters['east'] = 'HEALTHY';
    await succeeded(h, 'Failover', alarmEvent(EAST, 'OK', '2026-11-27T10:10:00.000Z'));
    expect(docsClusters(h)).toEqual(['east', 'eu']);
    expect(h.weight('shop.example.com', 'east')).toBe(100);
    expect((await h.table.readFleet()).failovers).toEqual({});
  });

  it('takes docs out of the alarmed cluster once the drained cluster that left it failing open is restored', async () => {
    // Prepare: eu drained by an operator; then east alarms: docs fails open on east (eu is out).
    const h = await createHarness(dynamo);
    await succeeded(h, 'DrainCluster', { cluster: 'eu', reason: 'upgrade', steps: [0] });
    h.health.clusters['east'] = 'UNHEALTHY';
    await succeeded(h, 'Failover', alarmEvent(EAST, 'ALARM', '2026-11-27T10:00:00.000Z'));
    expect(h.eventsOf('Failover Performed')[0]).toMatchObject({ failOpenApps: ['docs.example.com'] });
    expect(docsClusters(h)).toEqual(['east']);
    // Act: eu comes back, then the scheduled Reconcile runs.
    await succeeded(h, 'RestoreCluster', { cluster: 'eu', reason: 'upgrade done', steps: [100] });
    expect(docsClusters(h)).toEqual(['east', 'eu']);
    const outcome = await succeeded(h, 'Reconcile', {});
    // Assess
    expect(docsClusters(h)).toEqual(['eu']);
    expect(outcome.output).toMatchObject({ failedOver: [{ cluster: 'east', apps: ['docs.example.com'] }] });
    // Every app of east is out now and none fails open: whole-cluster failover, as a fresh alarm would give.
    expect(
      Object.values((await h.table.readFleet()).failovers)
        .map((m) => m.hostname ?? '(cluster)')
        .sort(),
    ).toEqual(['(cluster)', 'api.example.com', 'shop.example.com']);
  });

  it('leaves a cluster whose lock an operation holds to that operation', async () => {
    // Prepare: docs failed open on east; eu healthy again; a drain of east holds its lock.
    const h = await createHarness(dynamo, { health: { east: 'UNHEALTHY', west: 'HEALTHY', eu: 'UNHEALTHY' } });
    await succeeded(h, 'Failover', alarmEvent(EAST, 'ALARM', '2026-11-27T10:00:00.000Z'));
    h.health.clusters['eu'] = 'HEALTHY';
    await h.table.updateFleet((s) => ({
      next: {
        ...s,
        lastToken: s.lastToken + 1,
        locks: {
          east: {
            cluster: 'east',
            holder: 'drain-1',
            operation: 'drain',
            token: s.lastToken + 1,
            acquiredAt: new Date().toISOString(),
            expiresAt: new Date(Date.now() + 600_000).toISOString(),
          },
        },
      },
      result: null,
    }));
    // Act
    const outcome = await succeeded(h, 'Reconcile', {});
    // Assess
    expect(docsClusters(h)).toEqual(['east', 'eu']);
    expect(outcome.output).toMatchObject({ failedOver: [], problems: [] });
  });
});
