// `switchyard history`: the journal of every change (who, what, why, before, after), newest first.
import type { Command } from 'commander';
import type { JournalEntry } from '../../core/ports.ts';
import { InvalidInput } from '../../core/errors.ts';
import { describeClusterRecord, type ClusterRecord } from '../../core/events.ts';
import { EXIT } from '../exit-codes.ts';
import { opsClients, opsIo, stateTableFor, withTargetOptions, type TargetFlags } from '../ops/context.ts';

export interface HistoryFlags extends TargetFlags {
  cluster?: string;
  limit?: string;
  since?: string;
  json?: boolean;
}

export async function historyEntries(flags: HistoryFlags): Promise<JournalEntry[]> {
  const limit = flags.limit === undefined ? 50 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new InvalidInput(`--limit: "${flags.limit}" is not a whole number from 1 to 10000`, { flag: 'limit' });
  if (flags.since !== undefined && Number.isNaN(Date.parse(flags.since)))
    throw new InvalidInput(`--since: "${flags.since}" is not a date/time (e.g. 2026-11-27 or 2026-11-27T10:00:00Z)`, { flag: 'since' });
  const clients = opsClients(flags, opsIo.env);
  try {
    const table = stateTableFor(flags, clients, opsIo.env);
    return await table.listJournal({
      limit,
      ...(flags.cluster ? { cluster: flags.cluster } : {}),
      ...(flags.since ? { since: new Date(flags.since).toISOString() } : {}),
    });
  } finally {
    clients.destroy();
  }
}

function short(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

type JournalRecord = ClusterRecord & { hostname: string; routing?: string; tier?: string; upstreamOf?: string };

/** "(weighted)", "(weighted, edge tier)", "(weighted, upstream of shop.example.com)" (docs/edge.md). */
function qualifier(r: JournalRecord): string {
  const tier = r.upstreamOf !== undefined ? `upstream of ${r.upstreamOf}` : r.tier !== undefined ? `${r.tier} tier` : undefined;
  const parts = [r.routing, tier].filter((p) => p !== undefined);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function recordsOf(side: unknown): JournalRecord[] {
  const weights = (side as { weights?: unknown } | undefined)?.weights;
  return Array.isArray(weights)
    ? weights.filter((w): w is JournalRecord => typeof (w as JournalRecord)?.hostname === 'string' && typeof (w as JournalRecord).present === 'boolean')
    : [];
}

/** One line per app whose record changed (weight, failover role, region, or present/absent): the JSON above is cut at 120 characters. */
function recordChanges(before: unknown, after: unknown): string {
  const afterByHost = new Map(recordsOf(after).map((r) => [r.hostname, r]));
  const lines: string[] = [];
  for (const b of recordsOf(before)) {
    const a = afterByHost.get(b.hostname);
    const from = describeClusterRecord(b);
    const to = describeClusterRecord(a);
    if (from !== to) lines.push(`\n      ${b.hostname}${qualifier(b)}: ${from} -> ${to}`);
  }
  return lines.join('');
}

export function formatHistory(entries: readonly JournalEntry[]): string {
  if (entries.length === 0) return '(no entries)';
  return entries
    .map((e) => {
      const head = `${e.at}  ${e.by}  ${e.what}`;
      const why = e.why ? `\n    why: ${e.why}` : '';
      const change =
        e.before !== undefined || e.after !== undefined
          ? `\n    before: ${short(e.before)}\n    after:  ${short(e.after)}${recordChanges(e.before, e.after)}`
          : '';
      const where = e.executionArn ? `\n    execution: ${e.executionArn}` : '';
      return `${head}${why}${change}${where}`;
    })
    .join('\n');
}

export function registerHistory(program: Command): void {
  const command = program
    .command('history')
    .description('the journal of every change: who, what, why, before and after (newest first)')
    .option('--cluster <name>', 'only entries about this cluster')
    .option('--limit <n>', 'at most this many entries', '50')
    .option('--since <time>', 'only entries at or after this time')
    .option('--json', 'print the entries as JSON')
    .option('--state-table <name>', 'state table name (default: switchyard-<stage>-state, or SWITCHYARD_STATE_TABLE)');
  withTargetOptions(command, 'table switchyard-<stage>-state').action(async (flags: HistoryFlags) => {
    const entries = await historyEntries(flags);
    opsIo.out(flags.json ? JSON.stringify(entries, null, 2) : formatHistory(entries));
    process.exitCode = EXIT.ok;
  });
}
