// The batcher: change groups → ChangeResourceRecordSets requests within Route 53's limits. Pure.
//
// Route 53 takes at most 1,000 ResourceRecord elements and 32,000 characters of values per
// request, and counts an UPSERT twice. A name's changes (and its marker's) stay in one
// request, so each name moves atomically. A group that alone exceeds a limit is reported
// and skipped; the rest still go.
import type { Change, ChangeGroup, ChangeRequest, Problem } from './model.ts';
import type { Plan } from './plan.ts';
import { hostnameOf } from './dns-names.ts';

export interface BatchLimits {
  maxRecords: number;
  maxValueChars: number;
}

export const ROUTE53_LIMITS: Readonly<BatchLimits> = Object.freeze({ maxRecords: 1000, maxValueChars: 32000 });

export interface ChangeCost {
  records: number;
  chars: number;
}

/** What one change counts against the limits. An alias counts as one element (conservative). */
export function changeCost(change: Change): ChangeCost {
  const factor = change.action === 'UPSERT' ? 2 : 1;
  const values = change.recordSet.values ?? [];
  // An alias has no ResourceRecord elements; counting it as one keeps the number of changes bounded too.
  const records = Math.max(1, values.length);
  const chars = values.reduce((sum, v) => sum + v.length, 0);
  return { records: records * factor, chars: chars * factor };
}

export function groupCost(group: ChangeGroup): ChangeCost {
  let records = 0;
  let chars = 0;
  for (const change of group.changes) {
    const cost = changeCost(change);
    records += cost.records;
    chars += cost.chars;
  }
  return { records, chars };
}

export interface BatchResult {
  requests: ChangeRequest[];
  /** Groups too large for any request: reported, not sent. */
  oversized: Problem[];
}

/** Greedy, in order, never splitting a group. */
export function batchChanges(zoneId: string, groups: readonly ChangeGroup[], limits: BatchLimits = ROUTE53_LIMITS): BatchResult {
  const requests: ChangeRequest[] = [];
  const oversized: Problem[] = [];
  let current: ChangeGroup[] = [];
  let used: ChangeCost = { records: 0, chars: 0 };
  const flush = () => {
    if (current.length > 0) requests.push({ zoneId, groups: current });
    current = [];
    used = { records: 0, chars: 0 };
  };
  for (const group of groups) {
    if (group.changes.length === 0) continue;
    const cost = groupCost(group);
    if (cost.records > limits.maxRecords || cost.chars > limits.maxValueChars) {
      oversized.push({
        subject: hostnameOf(group.name),
        hostname: hostnameOf(group.name),
        reason:
          `the changes of ${hostnameOf(group.name)} in zone ${zoneId} need ${cost.records} ResourceRecord elements and ${cost.chars} value characters, ` +
          `more than one request allows (${limits.maxRecords} / ${limits.maxValueChars}); skipped`,
      });
      continue;
    }
    if (used.records + cost.records > limits.maxRecords || used.chars + cost.chars > limits.maxValueChars) flush();
    current.push(group);
    used = { records: used.records + cost.records, chars: used.chars + cost.chars };
  }
  flush();
  return { requests, oversized };
}

/** Batches every zone of a plan, zone by zone. */
export function batchPlan(p: Plan, limits: BatchLimits = ROUTE53_LIMITS): BatchResult {
  const requests: ChangeRequest[] = [];
  const oversized: Problem[] = [];
  for (const zone of p.zones) {
    const result = batchChanges(zone.zoneId, zone.groups, limits);
    requests.push(...result.requests);
    oversized.push(...result.oversized);
  }
  return { requests, oversized };
}

/** All changes of a request, in order (the ChangeBatch.Changes list). */
export function requestChanges(request: ChangeRequest): Change[] {
  return request.groups.flatMap((group) => group.changes);
}
