import { describe, expect, it } from 'vitest';
import { sendChangeRequests, waitForInsync } from '../../../../src/app/dns/send-changes.ts';
import { TransientAwsError } from '../../../../src/core/errors.ts';
import type { ChangeGroup, RecordSet } from '../../../../src/core/model.ts';
import { FakeRoute53 } from '../../aws/helpers/fake-route53.ts';
import { VirtualClock } from '../../aws/helpers/virtual-clock.ts';

const txt = (name: string): RecordSet => ({ name, type: 'TXT', ttl: 60, values: ['"x"'] });
const group = (name: string): ChangeGroup => ({ name, changes: [{ action: 'CREATE', recordSet: txt(name) }] });

describe('sendChangeRequests', () => {
  it('sends requests in order and reports each group applied with its change id', async () => {
    // Prepare
    const r53 = new FakeRoute53([
      { id: 'Z1', name: 'example.com.' },
      { id: 'Z2', name: 'example.org.' },
    ]);

    // Act
    const result = await sendChangeRequests(r53, [
      { zoneId: 'Z1', groups: [group('a.example.com.'), group('b.example.com.')] },
      { zoneId: 'Z2', groups: [group('c.example.org.')] },
    ]);

    // Assess
    expect(r53.calls).toEqual(['ChangeResourceRecordSets Z1 2', 'ChangeResourceRecordSets Z2 1']);
    expect(result.groups.map((g) => [g.group.name, g.status, g.changeId])).toEqual([
      ['a.example.com.', 'applied', 'C1'],
      ['b.example.com.', 'applied', 'C1'],
      ['c.example.org.', 'applied', 'C2'],
    ]);
    expect(result.pendingChangeIds).toEqual(['C1', 'C2']);
    expect(result.requestsSent).toBe(2);
  });

  it('splits a rejected batch into its groups so only the bad name fails, with Route 53’s message', async () => {
    // Prepare
    const r53 = new FakeRoute53([{ id: 'Z1', name: 'example.com.' }]);
    r53.rejectNames.add('bad.example.com.');
    const progress: string[] = [];

    // Act
    const result = await sendChangeRequests(r53, [{ zoneId: 'Z1', groups: [group('a.example.com.'), group('bad.example.com.'), group('c.example.com.')] }], {
      onRequest: (p) => progress.push(`${p.request}/${p.of} ${p.outcome}`),
    });

    // Assess
    expect(r53.calls).toEqual([
      'ChangeResourceRecordSets Z1 3',
      'ChangeResourceRecordSets Z1 1',
      'ChangeResourceRecordSets Z1 1',
      'ChangeResourceRecordSets Z1 1',
    ]);
    expect(result.groups.map((g) => [g.group.name, g.status])).toEqual([
      ['a.example.com.', 'applied'],
      ['bad.example.com.', 'failed'],
      ['c.example.com.', 'applied'],
    ]);
    expect(result.groups[1]!.messages).toEqual(['RRSet of type TXT with DNS name bad.example.com. is not permitted in zone Z1']);
    expect(
      r53.records
        .get('Z1')!
        .map((r) => r.name)
        .sort(),
    ).toEqual(['a.example.com.', 'c.example.com.']);
    expect(result.requestsSent).toBe(4);
    expect(progress).toEqual(['1/1 rejected-splitting']);
  });

  it('stops at an error that is not a rejection and reports the rest as not sent', async () => {
    const r53 = new FakeRoute53([{ id: 'Z1', name: 'example.com.' }]);
    r53.failNextChanges.push(new TransientAwsError('Route 53 ChangeResourceRecordSets: still failing after 8 attempts (Throttling: Rate exceeded)'));

    const result = await sendChangeRequests(r53, [
      { zoneId: 'Z1', groups: [group('a.example.com.')] },
      { zoneId: 'Z1', groups: [group('b.example.com.')] },
    ]);

    expect(result.groups.map((g) => [g.group.name, g.status])).toEqual([
      ['a.example.com.', 'failed'],
      ['b.example.com.', 'not-sent'],
    ]);
    expect(result.groups[0]!.messages![0]).toMatch(/^TransientAwsError: .*Throttling/);
    expect(result.groups[1]!.messages![0]).toMatch(/^not sent: an earlier request failed/);
    expect(r53.count('ChangeResourceRecordSets')).toBe(1);
  });

  it('reports dry-run groups without waiting on any change', async () => {
    const port = Object.assign(new FakeRoute53([{ id: 'Z1', name: 'example.com.' }]), {
      changeRecordSets: async () => ({ dryRun: true as const }),
    });
    const result = await sendChangeRequests(port, [{ zoneId: 'Z1', groups: [group('a.example.com.')] }]);
    expect(result.groups.map((g) => g.status)).toEqual(['dry-run']);
    expect(result.pendingChangeIds).toEqual([]);
  });
});

describe('waitForInsync', () => {
  it('polls GetChange every 2 s at the fastest until every change is INSYNC', async () => {
    // Prepare
    const r53 = new FakeRoute53([{ id: 'Z1', name: 'example.com.' }]);
    r53.pollsUntilInsync = 3;
    await r53.changeRecordSets('Z1', [{ action: 'CREATE', recordSet: txt('a.example.com.') }]);
    const clock = new VirtualClock();

    // Act
    const result = await waitForInsync(r53, ['C1'], { clock, pollIntervalMs: 500 });

    // Assess
    expect(result).toEqual({ insync: ['C1'], pending: [], waitedMs: 6000 });
    expect(clock.sleeps).toEqual([2000, 2000, 2000]);
    expect(r53.count('GetChange')).toBe(3);
  });

  it('gives up after the timeout and reports what is still pending', async () => {
    const r53 = new FakeRoute53([{ id: 'Z1', name: 'example.com.' }]);
    r53.pollsUntilInsync = 100;
    await r53.changeRecordSets('Z1', [{ action: 'CREATE', recordSet: txt('a.example.com.') }]);
    const clock = new VirtualClock();

    const result = await waitForInsync(r53, ['C1'], { clock, timeoutMs: 10_000, pollIntervalMs: 3000 });

    expect(result.pending).toEqual(['C1']);
    expect(result.waitedMs).toBe(9000);
    expect(r53.count('GetChange')).toBe(3);
  });

  it('returns at once when nothing is pending', async () => {
    const clock = new VirtualClock();
    expect(await waitForInsync(new FakeRoute53([]), [], { clock })).toEqual({ insync: [], pending: [], waitedMs: 0 });
    expect(clock.sleeps).toEqual([]);
  });
});
