// How `switchyard plan` and `sync` show their results: a readable table, or a JSON
// document with a stable shape (for scripts). Pure: reports in, text out.
import { type DnsPlanReport, type DnsSyncReport } from '../app/dns/sync.ts';
import { NEW_HEALTH_CHECK_PREFIX } from '../core/health-check-plan.ts';
import type { HealthCheckStep } from '../core/health-check-plan.ts';
import { describeTarget } from '../core/health-spec.ts';
import type { Change, HealthCheckSpec, RecordSet } from '../core/model.ts';

/** Left-aligned columns, two spaces apart; no trailing spaces. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

function describeSpec(spec: HealthCheckSpec | undefined): string {
  if (!spec) return '(not HTTP/HTTPS/TCP)';
  if (spec.alarm) return describeTarget(spec);
  return `${spec.protocol} ${spec.fqdn}:${spec.port}${spec.protocol === 'TCP' ? '' : (spec.path ?? '/')} every ${spec.intervalSeconds}s, ${spec.failureThreshold} failures`;
}

function routing(record: RecordSet): string {
  if (isMarker(record)) return 'owner marker';
  if (record.weight !== undefined) return `weight ${record.weight}`;
  if (record.failover !== undefined) return `failover ${record.failover}`;
  if (record.region !== undefined) return `latency ${record.region}`;
  return 'simple';
}

function isMarker(record: RecordSet): boolean {
  return record.type.toUpperCase() === 'TXT' && record.name.startsWith('_switchyard.');
}

function target(record: RecordSet): string {
  if (record.aliasTarget) return `alias ${record.aliasTarget.dnsName}`;
  if (isMarker(record)) return `lists ${plural(record.values?.length ?? 0, 'set')}`;
  const values = record.values ?? [];
  return values.length === 1 ? (values[0] ?? '') : `${values.length} values`;
}

function healthCheckLabel(id: string | undefined, newChecks: ReadonlyMap<string, HealthCheckStep>): string {
  if (!id) return '-';
  if (!id.startsWith(NEW_HEALTH_CHECK_PREFIX)) return id;
  const step = newChecks.get(id.slice(NEW_HEALTH_CHECK_PREFIX.length));
  return step ? `new (${step.want.cluster})` : 'new';
}

interface Row {
  zoneId: string;
  name: string;
  change: Change;
}

function planRows(report: DnsPlanReport): Row[] {
  return report.plan.zones.flatMap((zone) =>
    zone.groups.flatMap((group) => group.changes.map((change) => ({ zoneId: zone.zoneId, name: group.name, change }))),
  );
}

export interface PlanCounts {
  create: number;
  update: number;
  delete: number;
  markers: number;
}

/** Record-set changes by what they do; DELETE+CREATE of one set counts as one update. */
export function countChanges(report: DnsPlanReport): PlanCounts {
  const counts: PlanCounts = { create: 0, update: 0, delete: 0, markers: 0 };
  for (const zone of report.plan.zones) {
    for (const group of zone.groups) {
      const keys = new Map<string, Set<string>>();
      for (const change of group.changes) {
        if (change.recordSet.type.toUpperCase() === 'TXT') {
          counts.markers++;
          continue;
        }
        const key = `${change.recordSet.type}|${change.recordSet.setIdentifier ?? ''}`;
        keys.set(key, (keys.get(key) ?? new Set()).add(change.action));
      }
      for (const actions of keys.values()) {
        if (actions.has('UPSERT') || (actions.has('DELETE') && actions.has('CREATE'))) counts.update++;
        else if (actions.has('CREATE')) counts.create++;
        else counts.delete++;
      }
    }
  }
  return counts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The plan as tables and a summary line. */
export function formatPlanText(report: DnsPlanReport): string {
  const out: string[] = [];
  const zones = report.zones.map((z) => `${z.name} (${z.id})`).join(', ');
  out.push(`Owner ${report.ownerId}, policy ${report.policy}, zones ${zones || 'none'}`);
  out.push(`Read ${plural(report.recordsRead, 'record set')} and ${plural(report.endpointCount, 'published endpoint')}.`);
  if (report.unreachable.length > 0) out.push(`Clusters not read (their records are left as they are): ${report.unreachable.join(', ')}.`);

  const newChecks = new Map(report.healthCheckSteps.filter((s) => s.kind === 'create').map((s) => [s.want.key, s]));
  const hcRows: string[][] = [
    ...report.healthCheckSteps.map((s) => [s.kind, s.want.cluster, s.kind === 'create' ? '(new)' : s.id, describeSpec(s.want.spec)]),
    ...report.unusedHealthChecks.map((c) => ['delete', c.cluster ?? '?', c.id, describeSpec(c.spec)]),
  ];
  if (hcRows.length > 0) {
    out.push('', 'Health checks:', indent(table(['ACTION', 'CLUSTER', 'ID', 'CHECK'], hcRows)));
  }

  const rows = planRows(report);
  if (rows.length > 0) {
    out.push(
      '',
      'Record changes:',
      indent(
        table(
          ['ACTION', 'ZONE', 'NAME', 'TYPE', 'SET', 'ROUTING', 'HEALTH CHECK', 'TARGET'],
          rows.map(({ zoneId, change }) => [
            change.action,
            zoneId,
            change.recordSet.name,
            change.recordSet.type,
            change.recordSet.setIdentifier ?? '-',
            routing(change.recordSet),
            change.recordSet.type.toUpperCase() === 'TXT' ? '-' : healthCheckLabel(change.recordSet.healthCheckId, newChecks),
            target(change.recordSet),
          ]),
        ),
      ),
    );
  }

  if (report.plan.skipped.length > 0) {
    out.push('', 'Skipped:');
    for (const s of report.plan.skipped)
      out.push(
        `  ${s.change.action} ${s.change.recordSet.name} ${s.change.recordSet.type} ${s.change.recordSet.setIdentifier ?? ''}`.trimEnd() + `: ${s.reason}`,
      );
  }
  if (report.problems.length > 0) {
    out.push('', 'Problems (reported, not blocking):');
    for (const p of report.problems) out.push(`  ${p.subject}: ${p.reason}`);
  }

  const c = countChanges(report);
  const hc = { create: 0, update: 0 };
  for (const s of report.healthCheckSteps) if (s.kind === 'create' || s.kind === 'update') hc[s.kind]++;
  out.push(
    '',
    rows.length === 0 && hcRows.length === 0
      ? 'No changes: Route 53 matches the desired state.'
      : `Plan: ${c.create} to create, ${c.update} to update, ${c.delete} to delete (+${plural(c.markers, 'ownership marker change')}); ` +
          `health checks: ${hc.create} to create, ${hc.update} to update, ${report.unusedHealthChecks.length} to delete; ` +
          `${plural(report.requests.length, 'ChangeResourceRecordSets request')}.`,
  );
  return out.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** The plan as plain data for `--json`. */
export function planJson(report: DnsPlanReport): Record<string, unknown> {
  return {
    ownerId: report.ownerId,
    policy: report.policy,
    zones: report.zones,
    endpoints: report.endpointCount,
    recordsRead: report.recordsRead,
    summary: { ...countChanges(report), requests: report.requests.length },
    healthChecks: {
      create: report.healthCheckSteps.filter((s) => s.kind === 'create').map((s) => ({ key: s.want.key, cluster: s.want.cluster, spec: s.want.spec })),
      update: report.healthCheckSteps
        .filter((s) => s.kind === 'update')
        .map((s) => ({ id: 'id' in s ? s.id : undefined, key: s.want.key, cluster: s.want.cluster, spec: s.want.spec })),
      delete: report.unusedHealthChecks.map((c) => ({ id: c.id, key: c.key, cluster: c.cluster })),
    },
    changes: planRows(report).map(({ zoneId, name, change }) => ({ zoneId, name, action: change.action, recordSet: change.recordSet })),
    requests: report.requests.map((r) => ({ zoneId: r.zoneId, names: r.groups.length, changes: r.groups.reduce((n, g) => n + g.changes.length, 0) })),
    unreachable: report.unreachable,
    skipped: report.plan.skipped.map((s) => ({
      zoneId: s.zoneId,
      name: s.name,
      action: s.change.action,
      type: s.change.recordSet.type,
      setIdentifier: s.change.recordSet.setIdentifier,
      reason: s.reason,
    })),
    problems: report.problems,
  };
}

/** The sync's outcome as a summary, then any failures. */
export function formatSyncText(report: DnsSyncReport): string {
  const out: string[] = [];
  const applied = report.groups.filter((g) => g.status === 'applied' || g.status === 'dry-run');
  const failed = report.groups.filter((g) => g.status === 'failed' || g.status === 'not-sent');
  const changes = (gs: typeof report.groups) => gs.reduce((n, g) => n + g.group.changes.length, 0);
  const hc = { create: 0, update: 0, delete: 0 };
  for (const a of report.healthCheckActions) hc[a.kind]++;
  const verb = report.dryRun ? 'would apply' : 'applied';
  out.push(
    `${report.dryRun ? 'Dry run' : 'Sync'} ${report.failed ? 'finished with failures' : 'done'}: ` +
      `${plural(changes(applied), 'change')} ${verb} for ${plural(applied.length, 'name')}, ${plural(failed.length, 'name')} failed; ` +
      `${plural(report.requestsSent, 'request')} sent; health checks ${hc.create} created, ${hc.update} updated, ${hc.delete} deleted.`,
  );
  if (report.insync.insync.length + report.insync.pending.length > 0) {
    out.push(
      report.insync.pending.length === 0
        ? `All changes INSYNC after ${Math.round(report.insync.waitedMs / 1000)} s.`
        : `Still PENDING after ${Math.round(report.insync.waitedMs / 1000)} s (Route 53 goes on applying them): ${report.insync.pending.join(', ')}`,
    );
  }
  if (report.unreachable.length > 0) out.push(`Clusters not read (their records were left as they are): ${report.unreachable.join(', ')}.`);
  if (failed.length > 0) {
    out.push('', 'Failed:');
    for (const g of failed) out.push(`  ${g.group.name} (zone ${g.zoneId}, ${g.status}): ${(g.messages ?? []).join('; ')}`);
  }
  if (report.diverged.length > 0) {
    out.push('', 'Route53Diverged (read back after INSYNC, not as sent):');
    for (const d of report.diverged) out.push(`  ${d}`);
  }
  if (report.healthCheckFailures.length > 0) {
    out.push('', 'Health-check failures:');
    for (const f of report.healthCheckFailures) out.push(`  ${f.kind}: ${f.message}`);
  }
  if (report.problems.length > 0) {
    out.push('', 'Problems (reported, not blocking):');
    for (const p of report.problems) out.push(`  ${p.subject}: ${p.reason}`);
  }
  return out.join('\n');
}

export function syncJson(report: DnsSyncReport): Record<string, unknown> {
  return {
    ...planJson(report),
    dryRun: report.dryRun,
    failed: report.failed,
    requestsSent: report.requestsSent,
    results: report.groups.map((g) => ({
      zoneId: g.zoneId,
      name: g.group.name,
      changes: g.group.changes.length,
      status: g.status,
      changeId: g.changeId,
      messages: g.messages,
    })),
    healthCheckActions: report.healthCheckActions.map((a) => ({ kind: a.kind, id: a.id, key: a.key, cluster: a.cluster })),
    healthCheckFailures: report.healthCheckFailures,
    insync: report.insync,
    diverged: report.diverged,
  };
}
