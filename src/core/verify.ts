// What a DNS step intends, and whether Route 53 holds it. Pure.
//
// After a step's changes are INSYNC, the step's record sets are read back and compared
// with what the step intended (docs/dns.md, "Every step is read back"). The intention
// travels through the workflow between the apply and the INSYNC poll, so it is kept
// small: sets of one zone that share type, SetIdentifier and content (a drain step's
// sets of one cluster across all its apps) form one group that lists only the names.
import { sameRecordContent } from './route53-rules.ts';
import { compareStrings, normalizeName, recordKey } from './dns-names.ts';
import type { RecordSet } from './model.ts';

/** A set's content without its identity (name, type, SetIdentifier). */
export type RecordContent = Omit<RecordSet, 'name' | 'type' | 'setIdentifier'>;

/** Record sets one step intends in one zone: same type, SetIdentifier and content; only the names differ. */
export interface ExpectedGroup {
  zoneId: string;
  type: string;
  setIdentifier?: string;
  /** The content every listed name should hold; null: the set should not exist. */
  want: RecordContent | null;
  /** Canonical names (trailing dot), sorted. */
  names: string[];
}

/** One set a step intends: present with `want`, or absent (null). */
export interface IntendedSet {
  zoneId: string;
  name: string;
  type: string;
  setIdentifier?: string;
  want: RecordSet | null;
}

function contentOf(record: RecordSet): RecordContent {
  const { name: _n, type: _t, setIdentifier: _s, ...content } = record;
  return content;
}

/** Canonical text of a content, for grouping (value order ignored, as Route 53 does). */
function contentKey(content: RecordContent | null): string {
  if (content === null) return 'absent';
  const c = content.values ? { ...content, values: [...content.values].sort(compareStrings) } : content;
  const ordered = Object.fromEntries(Object.entries(c).sort(([a], [b]) => compareStrings(a, b)));
  return JSON.stringify(ordered);
}

/** Groups intended sets (a set named twice keeps its last intention). */
export function groupExpectations(sets: readonly IntendedSet[]): ExpectedGroup[] {
  const last = new Map<string, IntendedSet>();
  for (const set of sets) last.set(`${set.zoneId} ${recordKey(set)}`, set);
  const groups = new Map<string, ExpectedGroup>();
  for (const set of last.values()) {
    const want = set.want === null ? null : contentOf(set.want);
    const type = set.type.toUpperCase();
    const key = `${set.zoneId}\n${type}\n${set.setIdentifier ?? ''}\n${contentKey(want)}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { zoneId: set.zoneId, type, ...(set.setIdentifier === undefined ? {} : { setIdentifier: set.setIdentifier }), want, names: [] };
      groups.set(key, group);
    }
    group.names.push(normalizeName(set.name));
  }
  const out = [...groups.values()];
  for (const group of out) group.names.sort(compareStrings);
  return out.sort(
    (a, b) =>
      compareStrings(a.zoneId, b.zoneId) ||
      compareStrings(a.type, b.type) ||
      compareStrings(a.setIdentifier ?? '', b.setIdentifier ?? '') ||
      compareStrings(a.names[0] ?? '', b.names[0] ?? ''),
  );
}

/** What sent change groups intend: per set, its last change's set, or absent after a DELETE. */
export function intendedBySent(
  sent: ReadonlyArray<{ zoneId: string; group: { changes: ReadonlyArray<{ action: string; recordSet: RecordSet }> } }>,
): IntendedSet[] {
  return sent.flatMap(({ zoneId, group }) =>
    group.changes.map((c) => ({
      zoneId,
      name: normalizeName(c.recordSet.name),
      type: c.recordSet.type,
      ...(c.recordSet.setIdentifier === undefined ? {} : { setIdentifier: c.recordSet.setIdentifier }),
      want: c.action === 'DELETE' ? null : c.recordSet,
    })),
  );
}

/** Number of record sets a list of groups names. */
export function expectedCount(groups: readonly ExpectedGroup[]): number {
  return groups.reduce((n, g) => n + g.names.length, 0);
}

/** How a set reads in a difference: routing first (what a step changes), then the target. */
export function describeContent(content: RecordContent | null | undefined): string {
  if (content === null || content === undefined) return 'absent';
  const parts: string[] = [];
  if (content.weight !== undefined) parts.push(`weight ${content.weight}`);
  if (content.failover !== undefined) parts.push(content.failover);
  if (content.region !== undefined) parts.push(`latency ${content.region}`);
  if (content.aliasTarget) parts.push(`alias ${content.aliasTarget.dnsName}`);
  if (content.values) parts.push(`values ${content.values.join(',')} ttl ${content.ttl ?? '-'}`);
  parts.push(`health check ${content.healthCheckId ?? 'none'}`);
  return parts.join(', ');
}

/**
 * The differences between what `groups` intend and what Route 53 holds (`held`: the
 * sets read back, per zone; sets not read back count as absent). One line per set.
 */
export function differences(groups: readonly ExpectedGroup[], held: ReadonlyMap<string, readonly RecordSet[]>): string[] {
  const byKey = new Map<string, RecordSet>();
  for (const [zoneId, records] of held) for (const r of records) byKey.set(`${zoneId} ${recordKey(r)}`, r);
  const lines: string[] = [];
  for (const group of groups) {
    for (const name of group.names) {
      const key = recordKey({ name, type: group.type, ...(group.setIdentifier === undefined ? {} : { setIdentifier: group.setIdentifier }) });
      const actual = byKey.get(`${group.zoneId} ${key}`);
      const wanted = group.want === null ? undefined : { name, type: group.type, ...group.want };
      const same = wanted === undefined ? actual === undefined : actual !== undefined && sameRecordContent(actual, wanted as RecordSet);
      if (same) continue;
      const where = `${name} ${group.type}${group.setIdentifier === undefined ? '' : ` ${group.setIdentifier}`} (zone ${group.zoneId})`;
      lines.push(`${where}: intended ${describeContent(group.want)}, Route 53 holds ${actual === undefined ? 'absent' : describeContent(contentOf(actual))}`);
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------
// Reading back: which pages to ask for.

/** Route 53's list order of names: labels reversed (com.example.api), then plain ASCII. */
export function listOrderKey(name: string): string {
  return `${normalizeName(name).slice(0, -1).split('.').reverse().join('.')}.`;
}

/** Where a ListResourceRecordSets page starts. */
export interface PageStart {
  name: string;
  type?: string;
  identifier?: string;
}

/** One page as read: its sets, and where the next page starts (absent on the last page). */
export interface ReadPage {
  records: RecordSet[];
  next?: PageStart;
}

/**
 * Reads back the names of one zone with as few pages as Route 53's list order allows:
 * a page starts at the first name not yet seen; when a page ends inside a name still
 * to see, the listing continues, otherwise it jumps to the next such name. Names
 * between two touched names are only read when they lie on a page read anyway, so a
 * step never scans the zone: adjacent names share pages.
 */
export async function readNames(names: readonly string[], readPage: (start: PageStart) => Promise<ReadPage>): Promise<{ records: RecordSet[]; pages: number }> {
  // Each name's list-order key computed once, not twice per comparison of the sort (a drain
  // step reads back 10,000 names: ≈ 280,000 keys otherwise).
  const byKey = [...new Set(names.map(normalizeName))].map((name) => ({ name, key: listOrderKey(name) })).sort((a, b) => compareStrings(a.key, b.key));
  const wanted = byKey.map((w) => w.name);
  const keys = byKey.map((w) => w.key);
  const wantedSet = new Set(wanted);
  const records: RecordSet[] = [];
  let pages = 0;
  let i = 0;
  let start: PageStart | undefined = wanted.length > 0 ? { name: wanted[0]! } : undefined;
  while (start !== undefined && i < wanted.length) {
    const page = await readPage(start);
    pages++;
    for (const r of page.records) if (wantedSet.has(normalizeName(r.name))) records.push(r);
    if (page.next === undefined) break;
    // Every name before the next page's first one is complete; the rest is still to read.
    const nextName = normalizeName(page.next.name);
    const completeBefore = listOrderKey(nextName);
    while (i < wanted.length && compareStrings(keys[i]!, completeBefore) < 0) i++;
    if (i >= wanted.length) break;
    // Continue inside a name the page ended in; otherwise jump over the names nobody touched.
    start = wanted[i] === nextName ? page.next : { name: wanted[i]! };
  }
  return { records, pages };
}

// ---------------------------------------------------------------------------
// Keeping a step's intention out of the workflow state.

/**
 * Where a weight step's intended sets are stored (`StateTable.putReadBack`): the workflow
 * carries this from ApplyWeights to CheckSync instead of the sets themselves, which at
 * 10,000 apps are ≈ 250 KB (Step Functions allows 256 KiB for a whole state).
 */
export interface ReadBackRef {
  /** The step: `<cluster>#<phase>#<index>` (readBackKey). */
  key: string;
  /** This write's id: a later write under the same key replaces it, and this reference then no longer reads. */
  id: string;
  /** How many parts were stored (each one state-table item). */
  parts: number;
  /** Record sets named over all parts, checked when they are read. */
  sets: number;
}

/** The key a weight step's intention is stored under: one per cluster, phase and step, rewritten by the next operation. */
export function readBackKey(cluster: string, phase: string, index: number): string {
  return `${cluster}#${phase}#${String(index).padStart(2, '0')}`;
}

/**
 * At most this many characters of JSON in one stored part: even at 3 bytes a character
 * (UTF-8) a part stays under DynamoDB's 400 KB item limit, with room for the key.
 */
export const READ_BACK_PART_CHARS = 120_000;

/**
 * Splits groups into parts of at most `maxChars` characters of JSON each; a group whose
 * names do not fit goes on in the next part with the rest of its names. Joining the parts'
 * groups (in order) names every set of `groups` once, with its intended content.
 */
export function splitExpectations(groups: readonly ExpectedGroup[], maxChars = READ_BACK_PART_CHARS): ExpectedGroup[][] {
  const parts: ExpectedGroup[][] = [];
  let part: ExpectedGroup[] = [];
  let used = 2; // the part's brackets
  const close = () => {
    if (part.length > 0) parts.push(part);
    part = [];
    used = 2;
  };
  for (const group of groups) {
    const header = JSON.stringify({ ...group, names: [] }).length + 1;
    let names: string[] = [];
    let size = header;
    for (const name of group.names) {
      const cost = JSON.stringify(name).length + 1;
      if (used + size + cost > maxChars && (names.length > 0 || part.length > 0)) {
        // This part is full: close it with the names gathered so far, continue in a new one.
        if (names.length > 0) part.push({ ...group, names });
        close();
        names = [];
        size = header;
      }
      if (header + cost + 2 > maxChars) throw new Error(`a read-back group of ${group.type} ${name} does not fit in ${maxChars} characters`);
      names.push(name);
      size += cost;
    }
    if (names.length > 0 || group.names.length === 0) {
      part.push({ ...group, names });
      used += size;
    }
  }
  close();
  return parts;
}
