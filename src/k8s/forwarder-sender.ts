// Sends the forwarder's Gateway events with EventBridge PutEvents: at most 10 entries a
// request, in order; a throttled request and the entries EventBridge fails with a
// retryable code (ThrottlingException, InternalFailure) are retried with backoff and
// full jitter. Every entry ends up either sent (with its EventId) or lost with a
// reason; the sender never throws, so one bad batch cannot stop a watch.
import { EventBridgeClient, PutEventsCommand, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { InvalidInput, errorMessage } from '../core/errors.ts';
import { gatewayEventEntry, type GatewayEvent } from '../core/gateway-events.ts';
import { isLoopback, loopbackConfig } from '../aws/route53.ts';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from '../aws/retry.ts';
import { systemPacer, type Pacer } from '../core/ports.ts';

const MAX_ENTRIES_PER_REQUEST = 10;
/** PutEvents entry errors EventBridge documents as retryable. */
const RETRYABLE_ENTRY_CODES = new Set(['ThrottlingException', 'InternalFailure']);
/** A bus name, or a bus ARN (EventBridge accepts either as EventBusName). */
const BUS = /^([/.\-_A-Za-z0-9]{1,256}|arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[/.\-_A-Za-z0-9]{1,256})$/;

export interface SentEvent {
  event: GatewayEvent;
  eventId: string;
}

export interface LostEvent {
  event: GatewayEvent;
  reason: string;
}

export interface SendResult {
  sent: SentEvent[];
  lost: LostEvent[];
}

export type GatewayEventSender = (events: readonly GatewayEvent[]) => Promise<SendResult>;

export interface PutEventsSenderOptions {
  client: EventBridgeClient;
  eventBusName: string;
  /** The events' source; default `switchyard` (an agent sends `switchyard.agent.<cluster>`). */
  source?: string;
  /** Backoff of retries (default: 8 attempts, 250 ms doubling up to 20 s). */
  retry?: RetryOptions;
  /** Aborting stops retries and in-flight requests: what is not sent yet is lost. */
  signal?: AbortSignal;
  onSent?(sent: SentEvent): void;
  onLost?(lost: LostEvent): void;
  onRetry?(info: { attempt: number; delayMs: number; error: unknown }): void;
}

/** Throws InvalidInput unless `name` is an EventBridge bus name or bus ARN. */
export function checkBusName(name: string, input = '--bus'): string {
  if (!BUS.test(name)) throw new InvalidInput(`${input} "${name}": not an event bus name ([/.-_A-Za-z0-9], up to 256) or event bus ARN`, { input, name });
  return name;
}

/**
 * An EventBridge client for the forwarder. The SDK's own retries are off (the sender
 * owns them). Against a loopback endpoint (the local runtime) with no credentials or
 * region configured, placeholders are used: the local bus checks neither.
 */
export function createEventBridgeClient(options: { endpointUrl?: string } = {}, env: NodeJS.ProcessEnv = process.env): EventBridgeClient {
  const endpoint = options.endpointUrl;
  if (endpoint !== undefined && !['http:', 'https:'].includes(URL.parse(endpoint)?.protocol ?? '')) {
    throw new InvalidInput(`--endpoint-url "${endpoint}": expected an http:// or https:// URL`, { endpoint });
  }
  const loopback = isLoopback(endpoint ?? env.AWS_ENDPOINT_URL_EVENTBRIDGE ?? env.AWS_ENDPOINT_URL);
  return new EventBridgeClient({
    maxAttempts: 1,
    ...loopbackConfig(endpoint, env, 'EVENTBRIDGE'),
    ...(loopback && !env.AWS_REGION ? { region: 'us-east-1' } : {}),
  });
}

/** A clock whose sleeps end (rejecting) when `signal` aborts, so shutdown never waits out a backoff. */
function abortableClock(clock: Pacer, signal: AbortSignal | undefined): Pacer {
  if (!signal) return clock;
  return {
    now: () => clock.now(),
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(new Error('stopped before it was sent'));
        const onAbort = () => reject(new Error('stopped before it was sent'));
        signal.addEventListener('abort', onAbort, { once: true });
        void clock.sleep(ms).then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      }),
  };
}

/** An entry EventBridge failed with a retryable code; `name` makes withRetry retry it. */
class RetryableEntries extends Error {
  constructor(codes: readonly string[]) {
    super(`EventBridge failed ${codes.length} entr${codes.length === 1 ? 'y' : 'ies'}: ${[...new Set(codes)].join(', ')}`);
    this.name = codes.includes('ThrottlingException') ? 'ThrottlingException' : 'InternalFailure';
  }
}

export function putEventsSender(options: PutEventsSenderOptions): GatewayEventSender {
  const { client, eventBusName, signal } = options;
  const clock = abortableClock(options.retry?.clock ?? systemPacer, signal);

  const sendBatch = async (batch: readonly GatewayEvent[], result: SendResult): Promise<void> => {
    let pending = [...batch];
    const sent = (event: GatewayEvent, eventId: string) => {
      result.sent.push({ event, eventId });
      options.onSent?.({ event, eventId });
    };
    try {
      await withRetry(
        `EventBridge PutEvents to ${eventBusName}`,
        async () => {
          if (signal?.aborted) throw new Error('stopped before it was sent');
          const out = await client.send(
            new PutEventsCommand({ Entries: pending.map((e) => gatewayEventEntry(e, eventBusName, options.source)) }),
            signal ? { abortSignal: signal } : {},
          );
          const retry: GatewayEvent[] = [];
          const codes: string[] = [];
          pending.forEach((event, i) => {
            const entry: PutEventsResultEntry | undefined = out.Entries?.[i];
            if (entry !== undefined && entry.ErrorCode === undefined) return sent(event, entry.EventId ?? '(no event id)');
            const code = entry?.ErrorCode ?? 'InternalFailure';
            if (RETRYABLE_ENTRY_CODES.has(code)) {
              retry.push(event);
              codes.push(code);
            } else {
              lose(event, `EventBridge refused it: ${code}${entry?.ErrorMessage ? `: ${entry.ErrorMessage}` : ''}`, result);
            }
          });
          pending = retry;
          if (retry.length > 0) throw new RetryableEntries(codes);
        },
        {
          ...DEFAULT_RETRY,
          ...options.retry,
          clock,
          ...(options.onRetry ? { onRetry: ({ attempt, delayMs, error }) => options.onRetry?.({ attempt, delayMs, error }) } : {}),
        },
      );
    } catch (error) {
      const reason = signal?.aborted ? 'stopped before it was sent' : errorMessage(error);
      for (const event of pending) lose(event, reason, result);
    }
  };

  const lose = (event: GatewayEvent, reason: string, result: SendResult) => {
    result.lost.push({ event, reason });
    options.onLost?.({ event, reason });
  };

  return async (events) => {
    const result: SendResult = { sent: [], lost: [] };
    for (let i = 0; i < events.length; i += MAX_ENTRIES_PER_REQUEST) {
      const batch = events.slice(i, i + MAX_ENTRIES_PER_REQUEST);
      if (signal?.aborted) {
        for (const event of batch) lose(event, 'stopped before it was sent', result);
        continue;
      }
      await sendBatch(batch, result);
    }
    return result;
  };
}
