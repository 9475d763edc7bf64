// The local Route 53's own rules and listing (packages/local-aws/src/route53), reached from the core's
// record model: an implementation of Route 53's change semantics written apart from
// src/core/route53-rules.ts, so the planner and the fakes are checked by a second implementation
// rather than by the code they share.
import { normalizeName, toRoute53Name } from '../../src/core/dns-names.ts';
import type { Change, RecordSet } from '../../src/core/model.ts';
import type { PageStart, ReadPage } from '../../src/core/verify.ts';
import { InvalidChangeBatch } from '@switchyard/local-aws/route53';
import { pageRecords } from '@switchyard/local-aws/route53';
import type { RecordSet as LocalRecordSet } from '@switchyard/local-aws/route53';
import { parseName } from '@switchyard/local-aws/route53';
import { applyChangeBatch, type RawChange, type RawRecordSet } from '@switchyard/local-aws/route53';

/** A change as it arrives on the wire: every field a string, as the local service reads it. */
export function toRawChange(change: Change): RawChange {
  const r = change.recordSet;
  const raw: RawRecordSet = { name: toRoute53Name(r.name), type: r.type };
  if (r.setIdentifier !== undefined) raw.setIdentifier = r.setIdentifier;
  if (r.weight !== undefined) raw.weight = String(r.weight);
  if (r.failover !== undefined) raw.failover = r.failover;
  if (r.region !== undefined) raw.region = r.region;
  if (r.ttl !== undefined) raw.ttl = String(r.ttl);
  if (r.values !== undefined) raw.resourceRecords = [...r.values];
  if (r.aliasTarget !== undefined) {
    raw.aliasTarget = {
      hostedZoneId: r.aliasTarget.hostedZoneId,
      dnsName: toRoute53Name(r.aliasTarget.dnsName),
      evaluateTargetHealth: String(r.aliasTarget.evaluateTargetHealth),
    };
  }
  if (r.healthCheckId !== undefined) raw.healthCheckId = r.healthCheckId;
  return { action: change.action, recordSet: raw };
}

/** A name as the local Route 53 stores it (its own canonical form: escapes, `\\052` for a wildcard). */
function localName(name: string): string {
  const parsed = parseName(toRoute53Name(name));
  if (!parsed.ok) throw new Error(`${name} is not a name the local Route 53 reads`);
  return parsed.name;
}

export function toLocalRecord(r: RecordSet): LocalRecordSet {
  const local: LocalRecordSet = { name: localName(r.name), type: r.type as LocalRecordSet['type'] };
  if (r.setIdentifier !== undefined) local.setIdentifier = r.setIdentifier;
  if (r.weight !== undefined) local.weight = r.weight;
  if (r.failover !== undefined) local.failover = r.failover;
  if (r.region !== undefined) local.region = r.region;
  if (r.ttl !== undefined) local.ttl = r.ttl;
  if (r.values !== undefined) local.resourceRecords = [...r.values];
  if (r.aliasTarget !== undefined) local.aliasTarget = { ...r.aliasTarget, dnsName: localName(r.aliasTarget.dnsName) };
  if (r.healthCheckId !== undefined) local.healthCheckId = r.healthCheckId;
  return local;
}

export function fromLocalRecord(r: LocalRecordSet): RecordSet {
  const core: RecordSet = { name: normalizeName(r.name), type: r.type };
  if (r.setIdentifier !== undefined) core.setIdentifier = r.setIdentifier;
  if (r.weight !== undefined) core.weight = r.weight;
  if (r.failover !== undefined) core.failover = r.failover;
  if (r.region !== undefined) core.region = r.region;
  if (r.ttl !== undefined) core.ttl = r.ttl;
  if (r.resourceRecords !== undefined) core.values = [...r.resourceRecords];
  if (r.aliasTarget !== undefined) core.aliasTarget = { ...r.aliasTarget, dnsName: normalizeName(r.aliasTarget.dnsName) };
  if (r.healthCheckId !== undefined) core.healthCheckId = r.healthCheckId;
  return core;
}

export type LocalOutcome = { ok: true; records: RecordSet[] } | { ok: false; code: string; messages: string[] };

/** Applies a change batch to a zone's sets with the local Route 53's rules (all or nothing). */
export function applyWithLocalRules(
  zone: { id: string; name: string },
  records: readonly RecordSet[],
  changes: readonly Change[],
  healthCheckExists: (id: string) => boolean = () => true,
): LocalOutcome {
  const outcome = applyChangeBatch(
    { zone: { id: zone.id, name: localName(zone.name), records: records.map(toLocalRecord) }, healthCheckExists, zoneById: () => undefined },
    changes.map(toRawChange),
  );
  if (outcome.ok) return { ok: true, records: outcome.records.map(fromLocalRecord) };
  const messages = outcome.error instanceof InvalidChangeBatch ? [...outcome.error.messages] : [outcome.error.message];
  return { ok: false, code: outcome.error.code, messages };
}

/** One ListResourceRecordSets page (300 sets) as the local Route 53 pages a zone. */
export function pageWithLocalListing(records: readonly RecordSet[], start: PageStart): ReadPage {
  const page = pageRecords(
    records.map(toLocalRecord),
    { name: localName(start.name), ...(start.type ? { type: start.type } : {}), ...(start.identifier ? { identifier: start.identifier } : {}) },
    300,
  );
  if (!('items' in page)) throw page;
  const out: ReadPage = { records: page.items.map(fromLocalRecord) };
  if (page.next)
    out.next = {
      name: normalizeName(page.next.name),
      type: page.next.type,
      ...(page.next.identifier === undefined ? {} : { identifier: page.next.identifier }),
    };
  return out;
}
