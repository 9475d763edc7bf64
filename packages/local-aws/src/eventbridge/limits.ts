// EventBridge's limits on what PutEvents carries, with the errors it answers. Pure.
//
// Since January 2026 an event bus takes up to 1 MB (1,048,576 bytes) of entries per
// PutEvents request (256 KB before). The size is EventBridge's own measure, not the JSON
// text's: 14 bytes for a Time, and the UTF-8 bytes of Source, DetailType, Detail and each
// Resources entry (docs: "Calculating PutEvents event entry size").
import { AwsServiceError } from '../aws-json.ts';
import type { PutEventsEntry } from './envelope.ts';

export const MAX_PUT_EVENTS_BYTES = 1_048_576;
export const MAX_PUT_EVENTS_ENTRIES = 10;

const bytes = (value: unknown): number => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);

/** One entry's size as EventBridge counts it. */
export function entrySize(entry: PutEventsEntry): number {
  let size = entry.Time === undefined || entry.Time === null ? 0 : 14;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const resource of entry.Resources) size += bytes(resource);
  return size;
}

/** The whole request fails when its entries are over the limit together (no entry is put). */
export function checkPutEventsSize(entries: readonly PutEventsEntry[]): void {
  let total = 0;
  for (const entry of entries) total += entry !== null && typeof entry === 'object' ? entrySize(entry) : 0;
  if (total > MAX_PUT_EVENTS_BYTES) throw new AwsServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
}
