// Route 53's list orders and pages. Pure.
import { enumerationError, invalidDomainName, invalidInput, Route53Error, validationError } from './errors.ts';
import { RR_TYPES, type HostedZone, type RecordSet } from './model.ts';
import { compareAscii, parseName, sortKeyOfName } from './names.ts';
import { compareKeyed, type Keyed, type ListPosition, type ZoneIndex } from './zone-index.ts';

export interface Page<T> {
  items: T[];
  isTruncated: boolean;
  maxItems: number;
}

/** MaxItems as Route 53 reads it: a positive integer, capped at the operation's maximum. */
export function parseMaxItems(text: string | null, fallback: number, cap: number): number | Route53Error {
  if (text === null) return fallback;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) return validationError(text, 'maxItems', 'Member must be a positive integer');
  return Math.min(Number(text), cap);
}

// ---------------------------------------------------------------------------
// Resource record sets: by name with its labels reversed, then type, then SetIdentifier.

/**
 * Sorted copies by the array they sort: a zone's record list is replaced, never changed
 * in place, so a listing paged through a large zone sorts it once, not once per page.
 */
const sortedLists = new WeakMap<readonly RecordSet[], Keyed[]>();

function sortedKeyed(records: readonly RecordSet[]): Keyed[] {
  let sorted = sortedLists.get(records);
  if (sorted === undefined) {
    sorted = records.map((record) => ({ record, nameKey: sortKeyOfName(record.name) })).sort(compareKeyed);
    sortedLists.set(records, sorted);
  }
  return sorted;
}

export function sortRecords(records: readonly RecordSet[]): RecordSet[] {
  return sortedKeyed(records).map((k) => k.record);
}

export interface RecordStart {
  name?: string;
  type?: string;
  identifier?: string;
}

export interface RecordPage extends Page<RecordSet> {
  next?: { name: string; type: string; identifier?: string };
}

/** The start of a ListResourceRecordSets page as a list position; undefined from the top. */
function startPosition(start: RecordStart): ListPosition | undefined | Route53Error {
  // (wording ours) for the two start-position rules.
  if (start.type !== undefined && start.name === undefined) return invalidInput('Invalid request: a StartRecordType (type) needs a StartRecordName (name).');
  if (start.identifier !== undefined && start.type === undefined) {
    return invalidInput('Invalid request: a StartRecordIdentifier (identifier) needs a StartRecordType (type).');
  }
  if (start.type !== undefined && !(RR_TYPES as readonly string[]).includes(start.type)) return enumerationError(start.type, RR_TYPES);
  if (start.name === undefined) return undefined;
  const parsed = parseName(start.name);
  if (!parsed.ok) return invalidInput(`${start.name} is not a valid DNS name.`);
  return {
    nameKey: sortKeyOfName(parsed.name),
    ...(start.type === undefined ? {} : { type: start.type }),
    ...(start.identifier === undefined ? {} : { identifier: start.identifier }),
  };
}

function recordPage(items: RecordSet[], following: RecordSet | undefined, maxItems: number): RecordPage {
  const page: RecordPage = { items, isTruncated: following !== undefined, maxItems };
  if (following !== undefined) {
    page.next = { name: following.name, type: following.type };
    if (following.setIdentifier !== undefined) page.next.identifier = following.setIdentifier;
  }
  return page;
}

/** ListResourceRecordSets over a plain list of sets: the page that begins at `start` (name, type, identifier). */
export function pageRecords(records: readonly RecordSet[], start: RecordStart, maxItems: number): RecordPage | Route53Error {
  const position = startPosition(start);
  if (position instanceof Route53Error) return position;
  const sorted = sortedKeyed(records);
  const from = position === undefined ? 0 : sorted.findIndex((k) => atOrAfter(k, position.nameKey, position.type, position.identifier));
  if (from < 0) return recordPage([], undefined, maxItems);
  return recordPage(
    sorted.slice(from, from + maxItems).map((k) => k.record),
    sorted[from + maxItems]?.record,
    maxItems,
  );
}

/** ListResourceRecordSets over a zone's sorted index: a binary search to `start`, then one page. */
export function pageZoneRecords(index: ZoneIndex, start: RecordStart, maxItems: number): RecordPage | Route53Error {
  const position = startPosition(start);
  if (position instanceof Route53Error) return position;
  const from = position === undefined ? 0 : index.lowerBound(position);
  return recordPage(index.slice(from, maxItems), index.at(from + maxItems), maxItems);
}

function atOrAfter(k: Keyed, nameKey: string, type: string | undefined, identifier: string | undefined): boolean {
  const r = k.record;
  const byName = compareAscii(k.nameKey, nameKey);
  if (byName !== 0 || type === undefined) return byName >= 0;
  const byType = compareAscii(r.type, type);
  if (byType !== 0 || identifier === undefined) return byType >= 0;
  return compareAscii(r.setIdentifier ?? '', identifier) >= 0;
}

// ---------------------------------------------------------------------------
// Hosted zones.

/** ListHostedZones and ListHealthChecks: by id; the marker is the id of the first item of the page. */
export function pageById<T extends { id: string }>(items: readonly T[], marker: string | null, maxItems: number): Page<T> & { nextMarker?: string } {
  const sorted = [...items].sort((a, b) => compareAscii(a.id, b.id));
  const rest = marker === null ? sorted : sorted.filter((item) => compareAscii(item.id, marker) >= 0);
  const following = rest[maxItems];
  const page: Page<T> & { nextMarker?: string } = { items: rest.slice(0, maxItems), isTruncated: following !== undefined, maxItems };
  if (following !== undefined) page.nextMarker = following.id;
  return page;
}

/** ListHostedZonesByName: by name with its labels reversed, then id. */
export function pageZonesByName(
  zones: readonly HostedZone[],
  dnsName: string | null,
  hostedZoneId: string | null,
  maxItems: number,
): (Page<HostedZone> & { next?: { dnsName: string; hostedZoneId: string } }) | Route53Error {
  if (hostedZoneId !== null && dnsName === null) {
    return invalidInput('Invalid request: a HostedZoneId (hostedzoneid) needs a DNSName (dnsname).');
  }
  const sorted = [...zones].sort((a, b) => compareAscii(sortKeyOfName(a.name), sortKeyOfName(b.name)) || compareAscii(a.id, b.id));
  let rest = sorted;
  if (dnsName !== null) {
    const parsed = parseName(dnsName);
    if (!parsed.ok) return invalidDomainName(dnsName);
    const key = sortKeyOfName(parsed.name);
    rest = sorted.filter((z) => {
      const byName = compareAscii(sortKeyOfName(z.name), key);
      return byName > 0 || (byName === 0 && (hostedZoneId === null || compareAscii(z.id, hostedZoneId) >= 0));
    });
  }
  const following = rest[maxItems];
  const page: Page<HostedZone> & { next?: { dnsName: string; hostedZoneId: string } } = {
    items: rest.slice(0, maxItems),
    isTruncated: following !== undefined,
    maxItems,
  };
  if (following !== undefined) page.next = { dnsName: following.name, hostedZoneId: following.id };
  return page;
}
