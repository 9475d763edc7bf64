import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Pacer } from '../../../src/core/ports.ts';
import type { GatewayEvent } from '../../../src/core/gateway-events.ts';
import { checkBusName, createEventBridgeClient, putEventsSender } from '../../../src/k8s/forwarder-sender.ts';

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
const gatewayOf = (entry: { Detail?: string }) => JSON.parse(entry.Detail as string).gateway as string;

/** A clock that never really waits; it records each backoff. */
function fakeClock(): Pacer & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => 0, sleep: async (ms) => void sleeps.push(ms) };
}

function sender(options: { maxAttempts?: number; signal?: AbortSignal; clock?: Pacer } = {}) {
  const recorded = fakeClock();
  const clock = options.clock ?? recorded;
  const sent: string[] = [];
  const lost: string[] = [];
  const send = putEventsSender({
    client: new EventBridgeClient({ region: 'us-east-1' }),
    eventBusName: 'switchyard-dev-bus',
    retry: { clock, random: () => 1, ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}) },
    ...(options.signal ? { signal: options.signal } : {}),
    onSent: ({ event, eventId }) => sent.push(`${event.detail.gateway} ${eventId}`),
    onLost: ({ event, reason }) => lost.push(`${event.detail.gateway}: ${reason}`),
  });
  return { send, sent, lost, sleeps: recorded.sleeps };
}

describe('putEventsSender', () => {
  it('sends the events in order, 10 per PutEvents, on the bus, and reports each event id', async () => {
    let id = 0;
    mock.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: `ev-${id++}` })) }));
    const { send, sent } = sender();

    const result = await send(Array.from({ length: 12 }, (_, i) => withdrawn(i)));

    const calls = mock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((c) => c.length)).toEqual([10, 2]);
    expect(calls[0]?.[0]).toEqual({
      Source: 'switchyard',
      DetailType: 'Gateway Withdrawn',
      Detail: JSON.stringify(withdrawn(0).detail),
      EventBusName: 'switchyard-dev-bus',
    });
    expect(sent).toEqual(Array.from({ length: 12 }, (_, i) => `apps/gw-${i} ev-${i}`));
    expect(result.lost).toEqual([]);
  });

  it('retries a throttled request with growing backoff', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    mock
      .on(PutEventsCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ok' }] });
    const { send, sent, sleeps } = sender();

    await send([withdrawn(1)]);

    expect(mock.commandCalls(PutEventsCommand)).toHaveLength(3);
    expect(sleeps).toEqual([250, 500]);
    expect(sent).toEqual(['apps/gw-1 ok']);
  });

  it('re-sends only the entries EventBridge failed with a retryable code; the others are lost at once, named', async () => {
    mock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: 'a' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
          { ErrorCode: 'AccessDeniedException', ErrorMessage: 'not allowed' },
        ],
      })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    const { send, sent, lost } = sender();

    const result = await send([withdrawn(1), withdrawn(2), withdrawn(3)]);

    const calls = mock.commandCalls(PutEventsCommand).map((c) => (c.args[0].input.Entries ?? []).map(gatewayOf));
    expect(calls).toEqual([['apps/gw-1', 'apps/gw-2', 'apps/gw-3'], ['apps/gw-2'], ['apps/gw-2']]);
    expect(sent).toEqual(['apps/gw-1 a', 'apps/gw-2 b']);
    expect(lost).toEqual(['apps/gw-3: EventBridge refused it: AccessDeniedException: not allowed']);
    expect(result.sent.map((s) => s.eventId)).toEqual(['a', 'b']);
  });

  it('gives up after the last attempt and reports the events lost, without throwing', async () => {
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] });
    const { send, lost } = sender({ maxAttempts: 3 });

    const result = await send([withdrawn(1)]);

    expect(mock.commandCalls(PutEventsCommand)).toHaveLength(3);
    expect(result.sent).toEqual([]);
    expect(lost).toEqual([
      expect.stringMatching(
        /^apps\/gw-1: EventBridge PutEvents to switchyard-dev-bus: still failing after 3 attempts \(ThrottlingException: EventBridge failed 1 entry: ThrottlingException\)$/,
      ),
    ]);
  });

  it('loses what is not sent yet when stopped during a backoff, without waiting it out', async () => {
    mock.on(PutEventsCommand).rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }));
    const stop = new AbortController();
    const slowClock: Pacer = { now: () => 0, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
    const { send, lost } = sender({ signal: stop.signal, clock: slowClock });

    const started = Date.now();
    const pending = send([withdrawn(1), ...Array.from({ length: 10 }, (_, i) => withdrawn(10 + i))]);
    setTimeout(() => stop.abort(), 20);
    const result = await pending;

    expect(Date.now() - started).toBeLessThan(1000);
    expect(result.lost).toHaveLength(11);
    expect(lost[0]).toBe('apps/gw-1: stopped before it was sent');
  });

  it('does not retry a request error that is not transient', async () => {
    mock
      .on(PutEventsCommand)
      .rejects(
        Object.assign(new Error('User is not authorized to perform: events:PutEvents'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }),
      );
    const { send, lost } = sender();

    await send([withdrawn(1)]);

    expect(mock.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(lost).toEqual(['apps/gw-1: User is not authorized to perform: events:PutEvents']);
  });
});

describe('checkBusName', () => {
  it('accepts a bus name or ARN and names the input otherwise', () => {
    expect(checkBusName('switchyard-prod-bus')).toBe('switchyard-prod-bus');
    expect(checkBusName('arn:aws:events:us-east-1:123456789012:event-bus/switchyard-prod-bus')).toContain('event-bus/');
    expect(() => checkBusName('my bus!')).toThrow(
      expect.objectContaining({ name: 'InvalidInput', message: expect.stringMatching(/^--bus "my bus!": not an event bus name/) }),
    );
    expect(() => checkBusName('', 'SWITCHYARD_BUS')).toThrow(/^SWITCHYARD_BUS "": /);
  });
});

describe('createEventBridgeClient', () => {
  it('uses placeholder credentials and region on a loopback endpoint when none are configured', async () => {
    const client = createEventBridgeClient({ endpointUrl: 'http://127.0.0.1:4566' }, {});
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'switchyard-local' });
    client.destroy();
  });

  it('keeps configured credentials and region', async () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDCONFIGURED');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'configured-secret');
    try {
      const client = createEventBridgeClient({ endpointUrl: 'http://localhost:4566' });
      expect(await client.config.region()).toBe('eu-west-1');
      expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'AKIDCONFIGURED' });
      client.destroy();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(() => createEventBridgeClient({ endpointUrl: 'localhost:4566' }, {})).toThrow(
      expect.objectContaining({ name: 'InvalidInput', message: '--endpoint-url "localhost:4566": expected an http:// or https:// URL' }),
    );
  });
});
