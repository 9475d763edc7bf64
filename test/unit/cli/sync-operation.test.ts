// `switchyard sync` as an operation: the fleet lock (shared with Reconcile), the stage's
// state table by default, a journal entry and Records Changed; --no-state-table refused
// while the stage has a table. Route 53 is mocked at the client; the state table is a real
// DynamoDB table on dynalite (conditional writes as on AWS).
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  GetChangeCommand,
  ListHealthChecksCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  type Change as SdkChange,
} from '@aws-sdk/client-route-53';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DynamoStateTable } from '../../../src/aws/state-table.ts';
import { dnsIo, type DnsIo } from '../../../src/cli/dns-io.ts';
import { main } from '../../../src/cli/main.ts';
import { acquireFleetLock, withIntent } from '../../../src/core/fleet-document.ts';
import { startDynalite, type TestDynamo } from '../../support/workflows/dynalite.ts';
import { VirtualClock } from '../aws/helpers/virtual-clock.ts';

const r53 = mockClient(Route53Client);
const saved: DnsIo = { ...dnsIo };
let dynamo: TestDynamo;
let table: DynamoStateTable;
let out: string[];
let err: string[];
let events: PutEventsRequestEntry[];
let tablesAsked: string[];

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

/** The zone as the mocked Route 53 holds it: every change sent is applied, so reads (and the read-back after INSYNC) see them. */
let zone: Map<string, NonNullable<SdkChange['ResourceRecordSet']>>;

function applySent(changes: readonly SdkChange[]): void {
  for (const c of changes) {
    const set = c.ResourceRecordSet!;
    const key = `${set.Name}|${set.Type}|${set.SetIdentifier ?? ''}`;
    if (c.Action === 'DELETE') zone.delete(key);
    else zone.set(key, set);
  }
}

function mockEmptyAccount(): void {
  zone = new Map();
  r53
    .on(ListHostedZonesCommand)
    .resolves({ HostedZones: [{ Id: '/hostedzone/Z1', Name: 'example.com.', CallerReference: 'x' }], IsTruncated: false, Marker: '', MaxItems: 100 });
  r53.on(ListResourceRecordSetsCommand).callsFake(() => ({
    ResourceRecordSets: [...zone.values()].sort((a, b) => (a.Name! < b.Name! ? -1 : a.Name! > b.Name! ? 1 : 0)),
    IsTruncated: false,
    MaxItems: 300,
  }));
  r53.on(ListHealthChecksCommand).resolves({ HealthChecks: [], IsTruncated: false, Marker: '', MaxItems: 100 });
  r53.on(ListTagsForResourcesCommand).resolves({ ResourceTagSets: [] });
  let n = 0;
  r53.on(CreateHealthCheckCommand).callsFake((input) => ({
    HealthCheck: { Id: `hc-${++n}`, CallerReference: input.CallerReference, HealthCheckVersion: 1, HealthCheckConfig: input.HealthCheckConfig },
    Location: 'x',
  }));
  r53.on(ChangeTagsForResourceCommand).resolves({});
  r53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date(0) } });
  r53.on(ChangeResourceRecordSetsCommand).callsFake((input: { ChangeBatch: { Changes: SdkChange[] } }) => {
    applySent(input.ChangeBatch.Changes);
    return { ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(0) } };
  });
}

/** The weights the sync sent for shop.example.com's A sets, by cluster (last write wins). */
function shopWeights(): Record<string, number | undefined> {
  const weights: Record<string, number | undefined> = {};
  for (const call of r53.commandCalls(ChangeResourceRecordSetsCommand)) {
    for (const change of (call.args[0].input.ChangeBatch?.Changes ?? []) as SdkChange[]) {
      const set = change.ResourceRecordSet!;
      if (set.Name === 'shop.example.com.' && set.Type === 'A') weights[set.SetIdentifier!] = set.Weight;
    }
  }
  return weights;
}

beforeEach(async () => {
  r53.reset();
  out = [];
  err = [];
  events = [];
  tablesAsked = [];
  table = await dynamo.newTable();
  Object.assign(dnsIo, {
    clock: new VirtualClock(),
    out: (t: string) => out.push(t),
    err: (t: string) => err.push(t),
    tableExists: async (name: string) => {
      tablesAsked.push(name);
      return name === 'switchyard-dev-state';
    },
    stateTable: () => table,
    putEvent: async (entry: PutEventsRequestEntry) => void events.push(entry),
    every: () => () => {},
  });
  process.exitCode = undefined;
});

afterEach(() => {
  Object.assign(dnsIo, saved);
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

describe('switchyard sync, as an operation', () => {
  it("follows the stage's state table by default: a drained cluster stays drained, journaled, Records Changed, lock released", async () => {
    // Prepare: east was drained by an operation.
    mockEmptyAccount();
    await table.updateFleet((state) => ({ next: withIntent(state, { cluster: 'east', state: 'DRAINED', weightPercent: 0 }), result: null }));

    // Act
    const code = await main(['sync', '--fleet', 'examples/fleet', '--stage', 'dev', '--by', 'alice']);

    // Assess: the drain is not undone
    expect(code).toBe(0);
    expect(tablesAsked).toEqual(['switchyard-dev-state']);
    expect(shopWeights()).toEqual({ east: 0, west: 100, eu: 100 });
    // journal, event, lock given back (the lock's token was taken in one write)
    const journal = await table.listJournal();
    expect(journal).toEqual([expect.objectContaining({ by: 'alice', operation: 'sync', what: expect.stringMatching(/^sync: 18 record change\(s\)$/) })]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ Source: 'switchyard', DetailType: 'Records Changed', EventBusName: 'switchyard-dev-bus' });
    const detail = JSON.parse(events[0]!.Detail!);
    expect(detail).toMatchObject({ trigger: 'sync', hostnames: expect.arrayContaining(['shop.example.com', 'api.example.com']) });
    const state = await table.readFleet();
    expect(state.fleetLock).toBeUndefined();
    expect(state.lastToken).toBe(1);
    expect(out.join('\n')).toMatch(/Journal: .*#sync-.*#10-sync\.\nRecords Changed emitted\./);
  });

  it('is refused with LockHeld while Reconcile holds the fleet lock, and writes nothing', async () => {
    // Prepare
    mockEmptyAccount();
    await table.updateFleet((state) => ({
      next: acquireFleetLock(state, { holder: 'reconcile-scheduled-1', operation: 'reconcile', now: new Date(), ttlSeconds: 900 }).state,
      result: null,
    }));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});

    // Act
    const code = await main(['sync', '--fleet', 'examples/fleet', '--stage', 'dev']);

    // Assess
    expect(code).toBe(1);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/LockHeld: the fleet is locked by reconcile reconcile-scheduled-1 until /);
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    expect(r53.commandCalls(CreateHealthCheckCommand)).toHaveLength(0);
    expect(await table.listJournal()).toEqual([]);
    expect((await table.readFleet()).fleetLock?.holder).toBe('reconcile-scheduled-1');
  });

  it('syncs again when a drain moves an intent while it writes, so the drain wins', async () => {
    // Prepare: during the first ChangeResourceRecordSets, a drain takes west to 0 %.
    mockEmptyAccount();
    let first = true;
    r53.on(ChangeResourceRecordSetsCommand).callsFake(async (input: { ChangeBatch: { Changes: SdkChange[] } }) => {
      applySent(input.ChangeBatch.Changes);
      if (first) {
        first = false;
        await table.updateFleet((state) => ({ next: withIntent(state, { cluster: 'west', state: 'DRAINING', weightPercent: 0 }), result: null }));
      }
      return { ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date(0) } };
    });

    // Act
    const code = await main(['sync', '--fleet', 'examples/fleet', '--stage', 'dev']);

    // Assess: the last write of west's set is the drain's 0 %
    expect(code).toBe(0);
    expect(shopWeights()).toMatchObject({ west: 0 });
    expect(out.join('\n')).toContain('Synced 2 times: drains or failovers moved intents meanwhile.');
  });

  it('fails (exit 1) without journal or event when its lease was taken over while it wrote Route 53', async () => {
    // Prepare: while the sync writes, its lease is gone and a Reconcile holds the lock.
    mockEmptyAccount();
    r53.on(ChangeResourceRecordSetsCommand).callsFake(async (input: { ChangeBatch: { Changes: SdkChange[] } }) => {
      applySent(input.ChangeBatch.Changes);
      await table.updateFleet((state) => ({
        next: {
          ...state,
          fleetLock: {
            holder: 'reconcile-9',
            operation: 'reconcile' as const,
            token: state.lastToken + 1,
            acquiredAt: new Date().toISOString(),
            expiresAt: new Date(Date.now() + 600_000).toISOString(),
          },
          lastToken: state.lastToken + 1,
        },
        result: null,
      }));
      return { ChangeInfo: { Id: '/change/C3', Status: 'PENDING', SubmittedAt: new Date(0) } };
    });

    // Act
    const code = await main(['sync', '--fleet', 'examples/fleet', '--stage', 'dev']);

    // Assess
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(
      /LockHeld: sync lost the fleet lock while it wrote Route 53 \(the fleet lock with token 1 is no longer held \(now held by reconcile reconcile-9/,
    );
    expect(out.join('\n')).toContain('Fleet lock lost:');
    expect(await table.listJournal()).toEqual([]);
    expect(events).toEqual([]);
    expect((await table.readFleet()).fleetLock?.holder).toBe('reconcile-9');
  });

  it('changes nothing in the table with --dry-run: no lock, no journal, no event', async () => {
    mockEmptyAccount();

    const code = await main(['sync', '--fleet', 'examples/fleet', '--stage', 'dev', '--dry-run']);

    expect(code).toBe(0);
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    expect(await table.listJournal()).toEqual([]);
    expect(events).toEqual([]);
    expect((await table.readFleet()).version).toBe(0);
  });

  it('refuses --no-state-table (exit 2, nothing sent) when the stage has a state table', async () => {
    mockEmptyAccount();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});

    const code = await main(['sync', '--fleet', 'examples/fleet', '--stage', 'dev', '--no-state-table']);

    expect(code).toBe(2);
    expect(String(errors.mock.calls[0]?.[0])).toContain(
      '--no-state-table refused: the state table switchyard-dev-state exists at AWS; syncing without it would undo the drains and failovers it records',
    );
    expect(r53.calls()).toHaveLength(0);
  });

  it('needs a state table, or --no-state-table with a stage to check (exit 2, nothing sent)', async () => {
    mockEmptyAccount();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.stubEnv('SWITCHYARD_STAGE', undefined as unknown as string);
    vi.stubEnv('SWITCHYARD_STATE_TABLE', undefined as unknown as string);

    expect(await main(['sync', '--fleet', 'examples/fleet'])).toBe(2);
    expect(await main(['sync', '--fleet', 'examples/fleet', '--no-state-table'])).toBe(2);
    expect(await main(['sync', '--fleet', 'examples/fleet', '--stage', 'qa'])).toBe(2);

    expect(String(errors.mock.calls[0]?.[0])).toContain(
      "sync follows the drains and failovers in the stage's state table: give --stage <stage> or --state-table <name>",
    );
    expect(String(errors.mock.calls[1]?.[0])).toContain('--no-state-table: give --stage <stage>');
    expect(String(errors.mock.calls[2]?.[0])).toContain('state table switchyard-qa-state does not exist at AWS');
    expect(r53.calls()).toHaveLength(0);
    vi.unstubAllEnvs();
  });
});
