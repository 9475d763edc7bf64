// A read-only, zero-latency Route53Port over arrays in memory, so a benchmark measures
// Switchyard's own work (desired state, plan, batching) rather than the network.
import type { Tag } from '../../src/core/health-spec.ts';
import type { Change, HealthCheckSpec, HostedZone, RecordSet } from '../../src/core/model.ts';
import type { ChangeStatus, ChangeSubmitted, HealthCheckRecord, Route53Port } from '../../src/core/ports.ts';
import type { PageStart, ReadPage } from '../../src/core/verify.ts';
import { pageWithLocalListing } from '../../test/support/local-route53-rules.ts';

export interface MemoryCheck extends HealthCheckRecord {
  spec: HealthCheckSpec;
  tags: Tag[];
}

export class MemoryRoute53 implements Route53Port {
  readonly zones: HostedZone[];
  readonly records: Map<string, RecordSet[]>;
  readonly checks: MemoryCheck[];
  /** Reads served, by operation. */
  readonly reads: Record<string, number> = {};

  constructor(zones: HostedZone[], records: Map<string, RecordSet[]>, checks: MemoryCheck[]) {
    this.zones = zones;
    this.records = records;
    this.checks = checks;
  }

  #count(op: string): void {
    this.reads[op] = (this.reads[op] ?? 0) + 1;
  }

  async listHostedZones(): Promise<HostedZone[]> {
    this.#count('ListHostedZones');
    return this.zones;
  }

  async listRecordSets(zoneId: string): Promise<RecordSet[]> {
    this.#count('ListResourceRecordSets');
    return this.records.get(zoneId) ?? [];
  }

  async listRecordSetsPage(zoneId: string, start: PageStart): Promise<ReadPage> {
    this.#count('ListResourceRecordSets');
    return pageWithLocalListing(this.records.get(zoneId) ?? [], start);
  }

  async listHealthChecks(): Promise<HealthCheckRecord[]> {
    this.#count('ListHealthChecks');
    return this.checks.map(({ id, callerReference, version, spec }) => ({ id, callerReference, version, spec }));
  }

  async listHealthCheckTags(ids: readonly string[]): Promise<Map<string, Tag[]>> {
    this.#count('ListTagsForResources');
    const byId = new Map(this.checks.map((c) => [c.id, c.tags]));
    return new Map(ids.map((id) => [id, byId.get(id) ?? []]));
  }

  async changeRecordSets(_zoneId: string, _changes: readonly Change[]): Promise<ChangeSubmitted> {
    throw new Error('MemoryRoute53 is read-only');
  }

  async getChangeStatus(_changeId: string): Promise<ChangeStatus> {
    throw new Error('MemoryRoute53 is read-only');
  }

  async createHealthCheck(): Promise<HealthCheckRecord> {
    throw new Error('MemoryRoute53 is read-only');
  }

  async updateHealthCheck(): Promise<HealthCheckRecord> {
    throw new Error('MemoryRoute53 is read-only');
  }

  async tagHealthCheck(): Promise<void> {
    throw new Error('MemoryRoute53 is read-only');
  }

  async deleteHealthCheck(): Promise<void> {
    throw new Error('MemoryRoute53 is read-only');
  }
}
