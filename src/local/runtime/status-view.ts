// The live status view of `switchyard local`: the fleet (clusters with intent and health;
// apps × clusters with weight, health and whether Route 53 would answer with them),
// running and recent executions, and recent events. On a TTY it is redrawn in place
// (ANSI); otherwise a plain one-line summary is printed when it changes, and at least every
// minute; --quiet disables it.
import type { CanaryInfo } from './canaries.ts';
import type { AppMemberStatus, FleetStatus } from './status.ts';

export interface ExecutionSummary {
  workflow: string;
  name: string;
  executionArn: string;
  status: string;
  startDate: string;
  stopDate?: string;
  error?: string;
}

export interface EventSummary {
  time: string;
  bus: string;
  source: string;
  detailType: string;
  /** The detail's most telling fields (cluster, alarm, state, hostnames). */
  summary: string;
  /** "rule → target: status" per delivery. */
  deliveries: string[];
}

export interface LocalStatus extends FleetStatus {
  endpoint: string;
  /** The DNS server answering from the local zones, when one runs. */
  dns?: { host: string; port: number };
  fleet: string;
  stateDir?: string;
  ready: boolean;
  canaries: CanaryInfo[];
  alarms: Array<{ name: string; state: string }>;
  executions: ExecutionSummary[];
  events: EventSummary[];
  problems: string[];
  /** The runtime's latest log lines (the TTY view shows them, as they would scroll it away). */
  log?: string[];
}

/** The fields of an event detail worth a glance. */
export function summarizeDetail(detail: unknown): string {
  if (detail === null || typeof detail !== 'object') return '';
  const d = detail as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['cluster', 'alarmName', 'hostname', 'operation', 'action', 'error']) {
    if (typeof d[key] === 'string') parts.push(`${key}=${d[key]}`);
  }
  const state = d['state'] as { value?: unknown } | undefined;
  if (state && typeof state.value === 'string') parts.push(`state=${state.value}`);
  if (Array.isArray(d['hostnames'])) {
    const more = typeof d['hostnamesNotListed'] === 'number' ? ` (+${d['hostnamesNotListed']} more)` : '';
    parts.push(`hostnames=${(d['hostnames'] as unknown[]).join(',')}${more}`);
  }
  // Events list at most 100 apps and count the rest.
  if (Array.isArray(d['apps'])) parts.push(`apps=${(d['apps'] as unknown[]).length + (typeof d['appsNotListed'] === 'number' ? d['appsNotListed'] : 0)}`);
  return parts.join(' ');
}

const time = (iso: string): string => iso.slice(11, 19);

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function memberCell(member: AppMemberStatus | undefined): string {
  if (member === undefined) return '-';
  const what = member.weight !== undefined ? `w=${member.weight}` : member.role !== undefined ? member.role.toLowerCase() : 'in';
  return `${what} ${member.healthy ? 'ok' : 'DOWN'}${member.serving ? ' *' : ''}`;
}

/** The view as text lines (no colour, no cursor codes). */
export function renderStatus(status: LocalStatus, limits: { executions?: number; events?: number } = {}): string[] {
  const lines: string[] = [];
  lines.push(`switchyard local — ${status.endpoint} — fleet ${status.fleet}${status.ready ? '' : ' — starting…'}`);
  lines.push('');
  const canary = new Map(status.canaries.map((c) => [c.cluster, c]));
  lines.push('CLUSTERS');
  lines.push(
    ...table([
      ['cluster', 'region', 'intent', 'weight%', 'health', 'canary', 'operation'],
      ...status.clusters.map((c) => [
        c.name,
        c.region,
        c.intent + (c.failedOver ? ' (failed over)' : ''),
        String(c.weightPercent),
        c.health,
        `${canary.get(c.name)?.mode ?? '-'}${canary.get(c.name)?.failingApps?.length ? ` (failing: ${canary.get(c.name)!.failingApps.join(', ')})` : ''}`,
        c.lock ?? '',
      ]),
    ]).map((l) => `  ${l}`),
  );
  lines.push('');
  lines.push('APPS (weight or role, health check, * = Route 53 answers with it)');
  const clusterNames = status.clusters.map((c) => c.name);
  if (status.apps.length === 0) lines.push('  (no records yet)');
  else {
    lines.push(
      ...table([
        ['app', 'routing', ...clusterNames],
        ...status.apps.map((a) => [a.hostname, a.routing, ...clusterNames.map((n) => memberCell(a.clusters.find((m) => m.cluster === n)))]),
      ]).map((l) => `  ${l}`),
    );
  }
  for (const u of status.unserved ?? []) {
    lines.push(
      `  ! ${u.hostname} has no healthy cluster${u.drained.length ? ` (drained, stays drained: ${u.drained.join(', ')})` : ''}${u.unhealthy.length ? ` (unhealthy: ${u.unhealthy.join(', ')})` : ''}`,
    );
  }
  lines.push('');
  const running = status.executions.filter((e) => e.status === 'RUNNING');
  const recent = status.executions.filter((e) => e.status !== 'RUNNING').slice(0, limits.executions ?? 6);
  lines.push(`EXECUTIONS (${running.length} running)`);
  if (running.length + recent.length === 0) lines.push('  (none yet)');
  for (const e of [...running, ...recent]) {
    lines.push(`  ${time(e.startDate)}  ${pad(e.workflow, 14)} ${pad(e.status, 9)} ${e.name}${e.error ? `  ${e.error}` : ''}`);
  }
  lines.push('');
  lines.push('RECENT EVENTS');
  const events = status.events.slice(-(limits.events ?? 8));
  if (events.length === 0) lines.push('  (none yet)');
  for (const e of events) {
    const to = e.deliveries.length > 0 ? `  → ${e.deliveries.join('; ')}` : '';
    lines.push(`  ${time(e.time)}  ${e.detailType} [${e.source}] ${e.summary}${to}`);
  }
  if (status.problems.length > 0) {
    lines.push('');
    lines.push('PROBLEMS');
    for (const p of status.problems.slice(0, 10)) lines.push(`  ${p}`);
  }
  if (status.log !== undefined && status.log.length > 0) {
    lines.push('');
    lines.push('LOG');
    for (const line of status.log) lines.push(`  ${line}`);
  }
  return lines;
}

/** One line that changes whenever anything an operator cares about changes (for non-TTY output). */
export function summaryLine(status: LocalStatus): string {
  const clusters = status.clusters.map((c) => `${c.name}=${c.intent}/${c.weightPercent}%/${c.health}${c.failedOver ? '/out' : ''}`).join(' ');
  const apps = status.apps
    .map(
      (a) =>
        `${a.hostname}:${
          a.clusters
            .filter((m) => m.serving)
            .map((m) => m.cluster)
            .join('+') || 'none'
        }`,
    )
    .join(' ');
  const running = status.executions.filter((e) => e.status === 'RUNNING').map((e) => e.workflow);
  return `clusters ${clusters} | serving ${apps} | running ${running.length === 0 ? 'none' : running.join(',')}`;
}

export interface StatusViewOptions {
  collect(): Promise<LocalStatus>;
  write(text: string): void;
  tty: boolean;
  intervalMs: number;
  /** Terminal rows, to keep the TTY view on one screen. */
  rows?: () => number | undefined;
  /** Plain output: print the summary at least this often even when nothing changed (default 60 s). */
  heartbeatMs?: number;
  now?: () => number;
}

/** Redraws (TTY) or prints changed summaries (plain) until stopped. */
export class StatusView {
  readonly #options: StatusViewOptions;
  #timer: NodeJS.Timeout | undefined;
  #last = '';
  #lastAt = 0;
  #busy = false;
  #stopped = false;

  constructor(options: StatusViewOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#options.tty) this.#options.write('\x1b[?25l');
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#options.intervalMs);
    this.#timer.unref();
  }

  async refresh(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      const status = await this.#options.collect();
      if (this.#stopped) return;
      if (this.#options.tty) {
        const rows = this.#options.rows?.();
        const lines = renderStatus(status);
        const shown = rows !== undefined && rows > 4 ? lines.slice(0, rows - 1) : lines;
        // Home, then each line with the rest of it cleared, then everything below cleared.
        this.#options.write(`\x1b[H${shown.map((l) => `${l}\x1b[K`).join('\n')}\n\x1b[J`);
      } else {
        const line = summaryLine(status);
        const now = this.#options.now?.() ?? Date.now();
        if (line !== this.#last || now - this.#lastAt >= (this.#options.heartbeatMs ?? 60_000)) {
          this.#options.write(`${new Date(now).toISOString()} ${line}\n`);
          this.#lastAt = now;
        }
        this.#last = line;
      }
    } catch (error) {
      if (!this.#options.tty) this.#options.write(`${new Date().toISOString()} status unavailable: ${(error as Error).message}\n`);
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    if (this.#options.tty) this.#options.write('\x1b[?25h');
  }
}
