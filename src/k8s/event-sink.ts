// Where the watch's Gateway events go: EventBridge PutEvents on the app's bus. Entries
// are sent in order, at most 10 per request (the PutEvents limit); entries EventBridge
// fails are retried once, then reported by their error codes.
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { TransientAwsError } from '../core/errors.ts';
import { gatewayEventEntry, type GatewayEvent } from '../core/gateway-events.ts';

const MAX_ENTRIES_PER_REQUEST = 10;

export type GatewayEventSink = (events: readonly GatewayEvent[]) => Promise<void>;

export function eventBridgeSink(client: EventBridgeClient, eventBusName?: string): GatewayEventSink {
  return async (events) => {
    const entries: PutEventsRequestEntry[] = events.map((event) => gatewayEventEntry(event, eventBusName));
    for (let i = 0; i < entries.length; i += MAX_ENTRIES_PER_REQUEST) {
      let batch = entries.slice(i, i + MAX_ENTRIES_PER_REQUEST);
      for (let attempt = 1; batch.length > 0; attempt++) {
        const out = await client.send(new PutEventsCommand({ Entries: batch }));
        const results = out.Entries ?? [];
        const failed = batch.filter((_, j) => results[j]?.ErrorCode !== undefined || results[j] === undefined);
        if ((out.FailedEntryCount ?? 0) === 0 || failed.length === 0) break;
        if (attempt === 2) {
          const codes = [...new Set(results.map((r) => r.ErrorCode).filter(Boolean))].join(', ');
          throw new TransientAwsError(`EventBridge refused ${failed.length} Gateway event(s): ${codes || 'no error code'}`, {
            eventBusName,
            failed: failed.length,
          });
        }
        batch = failed;
      }
    }
  };
}
