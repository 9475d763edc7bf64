// Event entries in and events out, as EventBridge checks and shapes them: PutEvents'
// per-entry validation, the envelope delivered to targets, and the event TestEventPattern
// accepts.
import { randomUUID } from 'node:crypto';

/** The envelope targets receive. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  /** ISO text or epoch seconds (what SDK v3 sends for a Date). */
  Time?: unknown;
  [other: string]: unknown;
}

export interface EntryFailure {
  ErrorCode: string;
  ErrorMessage: string;
}

const invalid = (parameter: string, reason: string): EntryFailure => ({
  ErrorCode: 'InvalidArgument',
  ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${reason}`,
});

/** EventBridge's time format: seconds precision, UTC. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function entryTime(value: unknown, now: Date): Date | undefined {
  if (value === undefined || value === null) return now;
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Validates one PutEvents entry and builds its event, or says why EventBridge would
 * refuse it (the entry fails; the others go on). `aws.` sources belong to AWS services.
 */
export function eventFromEntry(entry: PutEventsEntry, place: { region: string; accountId: string }, now = new Date()): BusEvent | EntryFailure {
  if (typeof entry.Source !== 'string' || entry.Source === '') return invalid('Source', 'Source is a required argument.');
  if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return invalid('DetailType', 'DetailType is a required argument.');
  if (entry.Detail === undefined || entry.Detail === null || entry.Detail === '') return invalid('Detail', 'Detail is a required argument.');
  if (entry.Source.startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  let detail: unknown;
  try {
    detail = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : undefined;
  } catch {
    detail = undefined;
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  const resources = entry.Resources ?? [];
  if (!Array.isArray(resources) || !resources.every((resource) => typeof resource === 'string')) {
    return invalid('Resources', 'Resources must be a list of strings.');
  }
  const time = entryTime(entry.Time, now);
  if (time === undefined) return invalid('Time', 'Time is not a valid timestamp.');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: place.accountId,
    time: eventTime(time),
    region: place.region,
    resources: resources as string[],
    detail,
  };
}

export function isEntryFailure(value: BusEvent | EntryFailure): value is EntryFailure {
  return 'ErrorCode' in value;
}

/** An event from an AWS service (scheduled rules, CloudWatch alarms in the local rehearsal). */
export function serviceEvent(
  fields: { source: string; detailType: string; detail: unknown; resources?: string[]; time?: Date },
  place: { region: string; accountId: string },
): BusEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': fields.detailType,
    source: fields.source,
    account: place.accountId,
    time: eventTime(fields.time ?? new Date()),
    region: place.region,
    resources: fields.resources ?? [],
    detail: fields.detail,
  };
}

const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

/**
 * The event TestEventPattern accepts: a JSON object with id, account, source, time (a
 * timestamp), region and detail-type. (The API reference also lists resources, but
 * EventBridge accepts events without it.) Undefined means EventBridge would refuse it.
 */
export function parseTestEvent(text: string): Record<string, unknown> | undefined {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return undefined;
  const record = event as Record<string, unknown>;
  if (!REQUIRED_EVENT_FIELDS.every((field) => Object.hasOwn(record, field))) return undefined;
  if (typeof record['time'] !== 'string' || Number.isNaN(Date.parse(record['time']))) return undefined;
  if (record['resources'] !== undefined && !Array.isArray(record['resources'])) return undefined;
  return record;
}
