import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../../src/core/gateway-events.ts';
import { eventBridgeSink } from '../../../src/k8s/event-sink.ts';

const mock = mockClient(EventBridgeClient);
afterEach(() => mock.reset());

const withdrawn = (n: number): GatewayEvent => ({
  detailType: 'Gateway Withdrawn',
  detail: {
    cluster: 'east',
    kind: 'Gateway',
    gateway: `apps/gw-${n}`,
    hostnames: [`h${n}.example.com`],
    reason: 'deleted',
    observedAt: '2025-03-01T12:00:00Z',
  },
});

describe('eventBridgeSink', () => {
  it('sends the events in order, 10 per PutEvents, on the given bus', async () => {
    mock.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    await eventBridgeSink(new EventBridgeClient({ region: 'us-east-1' }), 'switchyard')(Array.from({ length: 23 }, (_, i) => withdrawn(i)));

    const calls = mock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(calls[0]?.[0]).toEqual({
      Source: 'switchyard',
      DetailType: 'Gateway Withdrawn',
      Detail: JSON.stringify(withdrawn(0).detail),
      EventBusName: 'switchyard',
    });
    expect(calls.flat().map((e) => JSON.parse(e.Detail as string).gateway)).toEqual(Array.from({ length: 23 }, (_, i) => `apps/gw-${i}`));
  });

  it('retries the entries EventBridge failed once, then names the error', async () => {
    mock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] })
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] });
    const sink = eventBridgeSink(new EventBridgeClient({ region: 'us-east-1' }));

    await sink([withdrawn(1), withdrawn(2)]);
    expect(mock.commandCalls(PutEventsCommand)[1]?.args[0].input.Entries?.map((e) => JSON.parse(e.Detail as string).gateway)).toEqual(['apps/gw-2']);

    await expect(sink([withdrawn(3)])).rejects.toThrow(
      expect.objectContaining({ name: 'TransientAwsError', message: 'EventBridge refused 1 Gateway event(s): ThrottlingException' }),
    );
  });
});
