// `switchyard status`: clusters with intent, health and locks; apps × clusters with their
// Route 53 weight (or role) and health; running operations. Read-only.
import type { Command } from 'commander';
import { route53HealthSource } from '../../app/health-source.ts';
import { runningExecutions } from '../../aws/sfn.ts';
import { loadFleet } from '../../fleet/fleet-file.ts';
import { errorMessage } from '../../core/errors.ts';
import { liveLocks, staleLocks } from '../../core/fleet-document.ts';
import { fleetStatus, type FleetStatus } from '../../local/runtime/status.ts';
import { EXIT } from '../exit-codes.ts';
import { opsClients, opsIo, stateMachinesFor, stateTableFor, withTargetOptions, type TargetFlags } from '../ops/context.ts';

export interface StatusFlags extends TargetFlags {
  fleet: string;
  json?: boolean;
}

export interface StatusReport extends FleetStatus {
  locks: Array<{ cluster: string; operation: string; holder: string; token: number; expiresAt: string }>;
  failovers: Array<{ cluster: string; hostname?: string; alarmName: string; at: string }>;
  running: Array<{ workflow: string; name: string; executionArn: string; startDate?: string }>;
  /** Locks no running operation will release (lease ran out, or its run ended): Reconcile recovers them; `switchyard abort <cluster>` now. */
  staleLocks: Array<{ cluster: string; operation: string; holder: string; token: number; expiresAt: string; why: string }>;
  /** Drains with an expiry: once past it, Reconcile restores the cluster. */
  drainExpiries: Array<{ cluster: string; state: string; expiresAt: string; expired: boolean }>;
  /** Why running operations could not be listed, if they could not. */
  runningUnknown?: string;
}

export async function statusReport(flags: StatusFlags): Promise<StatusReport> {
  const env = opsIo.env;
  const fleet = (await loadFleet(flags.fleet)).config;
  const clients = opsClients(flags, env);
  try {
    const table = stateTableFor(flags, clients, env);
    const health = route53HealthSource({ fleet, route53: clients.route53, table });
    const [status, state] = await Promise.all([fleetStatus({ fleet, table, route53: clients.route53, health }), table.readFleet()]);
    const report: StatusReport = {
      ...status,
      locks: liveLocks(state, opsIo.now()).map(({ cluster, operation, holder, token, expiresAt }) => ({ cluster, operation, holder, token, expiresAt })),
      failovers: Object.values(state.failovers).map((m) => ({
        cluster: m.cluster,
        ...(m.hostname ? { hostname: m.hostname } : {}),
        alarmName: m.alarmName,
        at: m.at,
      })),
      running: [],
      staleLocks: [],
      drainExpiries: Object.values(state.intents)
        .filter((i) => i.expiresAt !== undefined)
        .map((i) => ({ cluster: i.cluster, state: i.state, expiresAt: i.expiresAt!, expired: Date.parse(i.expiresAt!) <= opsIo.now().getTime() }))
        .sort((a, b) => a.cluster.localeCompare(b.cluster)),
    };
    try {
      const machines = await stateMachinesFor(flags, clients, env);
      report.running = (await runningExecutions(clients.sfn, machines)).map((e) => ({
        workflow: e.workflow,
        name: e.name,
        executionArn: e.executionArn,
        ...(e.startDate ? { startDate: e.startDate.toISOString() } : {}),
      }));
    } catch (error) {
      report.runningUnknown = errorMessage(error);
    }
    // A holder is judged by the running list only when it could be read.
    const running = report.runningUnknown === undefined ? new Set(report.running.map((r) => r.name)) : undefined;
    report.staleLocks = staleLocks(state, opsIo.now(), running).map(({ lock, why }) => ({
      cluster: lock.cluster,
      operation: lock.operation,
      holder: lock.holder,
      token: lock.token,
      expiresAt: lock.expiresAt,
      why,
    }));
    return report;
  } finally {
    clients.destroy();
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

export function formatStatus(report: StatusReport): string {
  const lines = ['CLUSTERS'];
  // A fleet with edge clusters shows the tiers (docs/edge.md); other fleets look as before.
  const tiered = report.clusters.some((c) => c.tier !== undefined);
  const tierCell = (tier: string | undefined) => (tiered ? [tier ?? '-'] : []);
  lines.push(
    ...table([
      ['NAME', ...tierCell('TIER'), 'REGION', 'INTENT', 'WEIGHT', 'HEALTH', 'NOTE'],
      ...report.clusters.map((c) => [
        c.name,
        ...tierCell(c.tier),
        c.region,
        c.intent,
        `${c.weightPercent}%`,
        c.health,
        [c.lock ? `locked: ${c.lock}` : '', c.failedOver ? 'failed over' : ''].filter(Boolean).join('; '),
      ]),
    ]),
  );
  const names = report.clusters.map((c) => c.name);
  lines.push('', 'APPS (Route 53 weight or role; * serving now; ! unhealthy)');
  if (report.apps.length === 0) lines.push('  (no records)');
  else {
    lines.push(
      ...table([
        ['APP', ...tierCell('TIER'), 'ROUTING', ...names],
        ...report.apps.map((app) => [
          app.hostname,
          ...tierCell(app.upstreamOf !== undefined ? `upstream of ${app.upstreamOf}` : app.tier === 'edge' ? 'edge' : 'direct'),
          app.routing,
          ...names.map((name) => {
            const m = app.clusters.find((c) => c.cluster === name);
            if (!m) return '-';
            const value = m.weight !== undefined ? String(m.weight) : (m.role ?? 'in');
            return `${value}${m.serving ? '*' : ''}${m.healthy ? '' : '!'}`;
          }),
        ]),
      ]),
    );
  }
  if (report.unserved.length > 0) {
    lines.push('', 'APPS WITHOUT A HEALTHY CLUSTER (a drained cluster stays drained until restored)');
    lines.push(
      ...table([['APP', 'DRAINED', 'UNHEALTHY'], ...report.unserved.map((u) => [u.hostname, u.drained.join(', ') || '-', u.unhealthy.join(', ') || '-'])]),
    );
  }
  if (report.failovers.length > 0) {
    lines.push('', 'TAKEN OUT BY FAILOVER');
    lines.push(...table([['CLUSTER', 'APP', 'ALARM', 'SINCE'], ...report.failovers.map((f) => [f.cluster, f.hostname ?? '(all)', f.alarmName, f.at])]));
  }
  if (report.drainExpiries.length > 0) {
    lines.push('', 'DRAIN EXPIRIES (Reconcile restores a drained cluster once its drain expired)');
    lines.push(
      ...table([['CLUSTER', 'INTENT', 'EXPIRES'], ...report.drainExpiries.map((e) => [e.cluster, e.state, `${e.expiresAt}${e.expired ? ' (expired)' : ''}`])]),
    );
  }
  if (report.staleLocks.length > 0) {
    lines.push('', 'STALE LOCKS (no running operation will release them; Reconcile recovers them, or: switchyard abort <cluster>)');
    lines.push(...table([['CLUSTER', 'OPERATION', 'HOLDER', 'WHY'], ...report.staleLocks.map((l) => [l.cluster, l.operation, l.holder, l.why])]));
  }
  lines.push('', 'RUNNING OPERATIONS');
  if (report.running.length === 0 && report.locks.length === 0) lines.push(report.runningUnknown ? `  (unknown: ${report.runningUnknown})` : '  (none)');
  else {
    lines.push(...table([['WORKFLOW', 'EXECUTION', 'STARTED'], ...report.running.map((r) => [r.workflow, r.name, r.startDate ?? ''])]));
    for (const lock of report.locks)
      lines.push(`  lock: ${lock.cluster} held by ${lock.operation} ${lock.holder} (token ${lock.token}) until ${lock.expiresAt}`);
  }
  return lines.join('\n');
}

export function registerStatus(program: Command): void {
  const command = program
    .command('status')
    .description('clusters (intent, health, locks), apps × clusters (weight, health), running operations')
    .requiredOption('--fleet <dir>', 'fleet folder (with fleet.yaml) or the fleet.yaml file')
    .option('--json', 'print the report as JSON')
    .option('--state-table <name>', 'state table name (default: switchyard-<stage>-state, or SWITCHYARD_STATE_TABLE)');
  withTargetOptions(command, 'table switchyard-<stage>-state, state machines switchyard-<stage>-*').action(async (flags: StatusFlags) => {
    const report = await statusReport(flags);
    opsIo.out(flags.json ? JSON.stringify(report, null, 2) : formatStatus(report));
    process.exitCode = EXIT.ok;
  });
}
