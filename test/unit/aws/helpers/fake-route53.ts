// An in-memory Route53Port for orchestration tests: zones and record sets with Route 53's
// change semantics as the local Route 53 implements them (packages/local-aws/src/route53/rules.ts,
// written apart from the planner's src/core/route53-rules.ts: a batch is atomic, CREATE of an
// existing set and mismatched DELETE are rejected), its list order and pages, health
// checks with CallerReference semantics, tags, and change ids that turn INSYNC after a
// number of GetChange polls.
import { Route53Rejected } from '../../../../src/core/errors.ts';
import type { PageStart, ReadPage } from '../../../../src/core/verify.ts';
import { applyWithLocalRules, pageWithLocalListing } from '../../../support/local-route53-rules.ts';
import type { Tag } from '../../../../src/core/health-spec.ts';
import type { Change, HealthCheckSpec, HostedZone, RecordSet } from '../../../../src/core/model.ts';
import type { ChangeStatus, ChangeSubmitted, HealthCheckRecord, Route53Port } from '../../../../src/core/ports.ts';

interface StoredCheck extends HealthCheckRecord {
  spec: HealthCheckSpec;
  tags: Tag[];
}

export class FakeRoute53 implements Route53Port {
  zones: HostedZone[];
  records = new Map<string, RecordSet[]>();
  checks = new Map<string, StoredCheck>();
  /** CallerReferences of deleted checks: Route 53 refuses to reuse them. */
  deletedReferences = new Set<string>();
  /** Every call, in order: "ChangeResourceRecordSets Z1 3" etc. */
  calls: string[] = [];
  /** Change batches accepted, per zone. */
  batches: Array<{ zoneId: string; changes: Change[] }> = [];
  /** GetChange polls before a change is INSYNC. */
  pollsUntilInsync = 1;
  #changes = new Map<string, number>();
  #nextId = 1;
  /** Throw this (once per entry) from the next ChangeResourceRecordSets. */
  failNextChanges: unknown[] = [];
  /** Any batch touching one of these names is rejected, as Route 53 rejects a bad record. */
  rejectNames = new Set<string>();

  constructor(zones: HostedZone[], records: Record<string, RecordSet[]> = {}) {
    this.zones = zones;
    for (const zone of zones) this.records.set(zone.id, [...(records[zone.id] ?? [])]);
  }

  async listHostedZones(): Promise<HostedZone[]> {
    this.calls.push('ListHostedZones');
    return this.zones.map((z) => ({ ...z }));
  }

  async listRecordSets(zoneId: string): Promise<RecordSet[]> {
    this.calls.push(`ListResourceRecordSets ${zoneId}`);
    const records = this.records.get(zoneId);
    if (!records) throw new Route53Rejected(`No hosted zone found with ID: ${zoneId}`, { awsError: 'NoSuchHostedZone' });
    return structuredClone(records);
  }

  async listRecordSetsPage(zoneId: string, start: PageStart): Promise<ReadPage> {
    this.calls.push(`ListResourceRecordSets ${zoneId} from ${start.name}`);
    const records = this.records.get(zoneId);
    if (!records) throw new Route53Rejected(`No hosted zone found with ID: ${zoneId}`, { awsError: 'NoSuchHostedZone' });
    return structuredClone(pageWithLocalListing(records, start));
  }

  async changeRecordSets(zoneId: string, changes: readonly Change[]): Promise<ChangeSubmitted> {
    this.calls.push(`ChangeResourceRecordSets ${zoneId} ${changes.length}`);
    const injected = this.failNextChanges.shift();
    if (injected !== undefined) throw injected;
    const bad = changes.filter((c) => this.rejectNames.has(c.recordSet.name));
    if (bad.length > 0) {
      const messages = bad.map((c) => `RRSet of type ${c.recordSet.type} with DNS name ${c.recordSet.name} is not permitted in zone ${zoneId}`);
      throw new Route53Rejected(`ChangeResourceRecordSets rejected (InvalidChangeBatch): ${messages.join('; ')}`, {
        zoneId,
        awsError: 'InvalidChangeBatch',
        messages,
      });
    }
    // Route 53 refuses a record that refers to a health check that does not exist.
    const missing = changes.find((c) => c.action !== 'DELETE' && c.recordSet.healthCheckId !== undefined && !this.checks.has(c.recordSet.healthCheckId));
    if (missing) {
      throw new Route53Rejected(`No health check exists with the ID ${missing.recordSet.healthCheckId}`, {
        zoneId,
        awsError: 'NoSuchHealthCheck',
        messages: [`No health check exists with the ID ${missing.recordSet.healthCheckId}`],
      });
    }
    const current = this.records.get(zoneId) ?? [];
    const zone = this.zones.find((z) => z.id === zoneId);
    if (!zone) throw new Route53Rejected(`No hosted zone found with ID: ${zoneId}`, { awsError: 'NoSuchHostedZone' });
    const outcome = applyWithLocalRules(zone, current, changes, (id) => this.checks.has(id));
    if (!outcome.ok) {
      throw new Route53Rejected(`ChangeResourceRecordSets rejected (${outcome.code}): ${outcome.messages.join('; ')}`, {
        zoneId,
        awsError: outcome.code,
        messages: outcome.messages,
      });
    }
    this.records.set(zoneId, outcome.records);
    this.batches.push({ zoneId, changes: structuredClone([...changes]) });
    const id = `C${this.#nextId++}`;
    this.#changes.set(id, this.pollsUntilInsync);
    return { dryRun: false, changeId: id, status: this.pollsUntilInsync <= 0 ? 'INSYNC' : 'PENDING' };
  }

  async getChangeStatus(changeId: string): Promise<ChangeStatus> {
    this.calls.push(`GetChange ${changeId}`);
    const left = (this.#changes.get(changeId) ?? 0) - 1;
    this.#changes.set(changeId, left);
    return left <= 0 ? 'INSYNC' : 'PENDING';
  }

  async listHealthChecks(): Promise<HealthCheckRecord[]> {
    this.calls.push('ListHealthChecks');
    return [...this.checks.values()].map(({ id, callerReference, version, spec }) => ({ id, callerReference, version, spec: { ...spec } }));
  }

  async listHealthCheckTags(ids: readonly string[]): Promise<Map<string, Tag[]>> {
    this.calls.push(`ListTagsForResources ${ids.length}`);
    return new Map(ids.map((id) => [id, structuredClone(this.checks.get(id)?.tags ?? [])]));
  }

  async createHealthCheck(callerReference: string, spec: HealthCheckSpec): Promise<HealthCheckRecord> {
    this.calls.push(`CreateHealthCheck ${callerReference}`);
    if (this.deletedReferences.has(callerReference)) {
      throw new Route53Rejected('A health check with this caller reference was deleted', { awsError: 'HealthCheckAlreadyExists' });
    }
    const same = [...this.checks.values()].find((c) => c.callerReference === callerReference);
    if (same) {
      if (JSON.stringify(same.spec) !== JSON.stringify(spec)) throw new Route53Rejected('different settings', { awsError: 'HealthCheckAlreadyExists' });
      return { id: same.id, callerReference, version: same.version, spec: { ...same.spec } };
    }
    const id = `hc-${this.#nextId++}`;
    this.checks.set(id, { id, callerReference, version: 1, spec: { ...spec }, tags: [] });
    return { id, callerReference, version: 1, spec: { ...spec } };
  }

  async updateHealthCheck(id: string, version: number, spec: HealthCheckSpec): Promise<HealthCheckRecord> {
    this.calls.push(`UpdateHealthCheck ${id}`);
    const check = this.checks.get(id);
    if (!check) throw new Route53Rejected(`No health check ${id}`, { awsError: 'NoSuchHealthCheck' });
    if (check.version !== version) throw new Route53Rejected('version mismatch', { awsError: 'HealthCheckVersionMismatch' });
    if (check.spec.protocol !== spec.protocol || check.spec.intervalSeconds !== spec.intervalSeconds)
      throw new Error('UpdateHealthCheck cannot change type or interval');
    check.spec = { ...spec };
    check.version++;
    return { id, callerReference: check.callerReference, version: check.version, spec: { ...spec } };
  }

  async tagHealthCheck(id: string, tags: readonly Tag[]): Promise<void> {
    this.calls.push(`ChangeTagsForResource ${id}`);
    const check = this.checks.get(id);
    if (!check) throw new Route53Rejected(`No health check ${id}`, { awsError: 'NoSuchHealthCheck' });
    for (const tag of tags) {
      const at = check.tags.findIndex((t) => t.Key === tag.Key);
      if (at >= 0) check.tags[at] = { ...tag };
      else check.tags.push({ ...tag });
    }
  }

  async deleteHealthCheck(id: string): Promise<void> {
    this.calls.push(`DeleteHealthCheck ${id}`);
    const check = this.checks.get(id);
    if (!check) return;
    for (const records of this.records.values()) {
      if (records.some((r) => r.healthCheckId === id)) throw new Route53Rejected(`Health check ${id} is still referenced`, { awsError: 'HealthCheckInUse' });
    }
    this.deletedReferences.add(check.callerReference);
    this.checks.delete(id);
  }

  /** Adds a health check directly (foreign or pre-existing owned ones). */
  seedCheck(spec: HealthCheckSpec, tags: Tag[], callerReference = `seed-${this.#nextId}`): string {
    const id = `hc-${this.#nextId++}`;
    this.checks.set(id, { id, callerReference, version: 1, spec: { ...spec }, tags });
    return id;
  }

  count(prefix: string): number {
    return this.calls.filter((call) => call.startsWith(prefix)).length;
  }
}
