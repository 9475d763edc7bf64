// `switchyard drain` and `restore`: check the flags, start the state machine by name
// (`switchyard-<stage>-DrainCluster`), and with --wait (or --dry-run) follow it to its end.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { loadFleet } from '../../fleet/fleet-file.ts';
import { drainInputSchema, parseInput, restoreInputSchema, validateSteps } from '../../core/operation-spec.ts';
import { InvalidInput, UnknownCluster } from '../../core/errors.ts';
import { describeClusterRecord, type AppWeight } from '../../core/events.ts';
import { EXIT } from '../exit-codes.ts';
import { opsClients, opsIo, stateMachineFor, withTargetOptions, type TargetFlags } from './context.ts';
import { causeMessage, followExecution } from './follow.ts';

export interface OperationFlags extends TargetFlags {
  steps?: string;
  bake?: string;
  reason?: string;
  by?: string;
  dryRun?: boolean;
  force?: boolean;
  /** Drain only: how long the cluster stays drained before Reconcile restores it. */
  for?: string;
  wait?: boolean;
  json?: boolean;
  fleet?: string;
  pollMs?: number;
}

/** The options drain and restore share after `--steps` (drain adds `--force`), and the action. */
export function withOperationOptions(command: Command, kind: 'drain' | 'restore'): Command {
  const shared = command
    .option('--bake <duration>', 'wait after each step on top of the record TTL, e.g. 60s, 5m (default: fleet safety.bakeSeconds)')
    .option('--reason <text>', 'why (kept in the journal and the events)')
    .option('--by <who>', 'who asks (default: SWITCHYARD_OPERATOR or the login name)')
    .option('--dry-run', 'plan every step and change nothing (waits for the plan)');
  if (kind === 'drain') {
    shared
      .option('--force', 'drain even below safety.minHealthyActive (locks and maxConcurrentDrains still apply)')
      .option('--for <duration>', 'the drain expires after this long (e.g. 2h): then Reconcile restores the cluster (RestoreCluster, health-checked)');
  }
  shared
    .option('--wait', 'follow the execution with a live progress view and end with its result')
    .option('--json', 'print the result as JSON')
    .option('--fleet <dir>', 'fleet folder: the cluster name is checked before anything starts');
  return withTargetOptions(shared, 'state machines switchyard-<stage>-*').action(async (cluster: string, flags: OperationFlags) => {
    process.exitCode = await runOperation(kind, cluster, flags);
  });
}

/** "50,0" → [50, 0]; anything else is InvalidInput naming the flag. */
export function parseSteps(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 100))
    throw new InvalidInput(`--steps: "${text}" is not a comma-separated list of percentages 0–100 (e.g. 50,0)`, { flag: 'steps' });
  return parts.map(Number);
}

/** "60s", "2m", "1h" or bare seconds → seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+)\s*(s|m|h)?$/.exec(text.trim());
  if (!match) throw new InvalidInput(`--${flag}: "${text}" is not a duration (e.g. 90, 60s, 5m, 1h)`, { flag });
  return Number(match[1]) * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1);
}

/** Who asks: SWITCHYARD_OPERATOR, else the login name. */
export function operator(env: NodeJS.ProcessEnv): string {
  if (env.SWITCHYARD_OPERATOR) return env.SWITCHYARD_OPERATOR;
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

/** Execution names: `drain-<cluster>-<UTC time>-<random>` (unique; a retry of the CLI is a new operation). */
export function operationExecutionName(kind: 'drain' | 'restore', cluster: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${kind}-${cluster}-${stamp}-${randomBytes(3).toString('hex')}`.slice(0, 80);
}

export async function runOperation(kind: 'drain' | 'restore', cluster: string, flags: OperationFlags): Promise<number> {
  const env = opsIo.env;
  const input = {
    cluster,
    ...(flags.reason === undefined ? {} : { reason: flags.reason }),
    by: flags.by ?? operator(env),
    ...(flags.steps === undefined ? {} : { steps: parseSteps(flags.steps) }),
    ...(flags.bake === undefined ? {} : { bakeSeconds: parseDuration(flags.bake, 'bake') }),
    ...(flags.dryRun ? { dryRun: true } : {}),
    ...(kind === 'drain' && flags.force ? { force: true } : {}),
    ...(kind === 'drain' && flags.for !== undefined
      ? { expiresAt: new Date(opsIo.now().getTime() + parseDuration(flags.for, 'for') * 1000).toISOString() }
      : {}),
  };
  // Bad input is refused here, before anything starts (the workflow checks again).
  const parsed = kind === 'drain' ? parseInput(drainInputSchema, input, 'drain') : parseInput(restoreInputSchema, input, 'restore');
  if (parsed.steps) validateSteps(kind, parsed.steps);
  if (flags.fleet !== undefined) {
    const fleet = (await loadFleet(flags.fleet)).config;
    const known = fleet.clusters.map((c) => c.name);
    if (!known.includes(cluster)) throw new UnknownCluster(cluster, known);
  }

  const clients = opsClients(flags, env);
  try {
    const workflow = kind === 'drain' ? 'DrainCluster' : 'RestoreCluster';
    const stateMachineArn = await stateMachineFor(workflow, flags, clients, env);
    const name = operationExecutionName(kind, cluster, opsIo.now());
    const started = await clients.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    const executionArn = started.executionArn!;
    opsIo.err(`${workflow} started: ${executionArn}`);
    if (!flags.wait && !flags.dryRun) {
      opsIo.out(flags.json ? JSON.stringify({ executionArn, status: 'RUNNING' }) : executionArn);
      return EXIT.ok;
    }
    const end = await followExecution(clients.sfn, executionArn, { ...(flags.pollMs === undefined ? {} : { pollMs: flags.pollMs }) });
    if (flags.json) {
      opsIo.out(JSON.stringify({ executionArn, status: end.status, output: end.output, error: end.error, cause: causeMessage(end.cause) }, null, 2));
    } else if (end.status === 'SUCCEEDED') {
      opsIo.out(flags.dryRun ? formatDryRun(end.output) : formatResult(kind, end.output));
    } else {
      opsIo.out(`${workflow} ${end.status}: ${end.error ?? ''}${end.cause ? `: ${causeMessage(end.cause)}` : ''}`);
    }
    // A dry run that shows the operation would be refused or unsafe exits as the refusal would (1).
    if (end.status === 'SUCCEEDED') return flags.dryRun && (end.output as { safe?: unknown } | undefined)?.safe === false ? EXIT.failed : EXIT.ok;
    return end.error === 'InvalidInput' || end.error === 'UnknownCluster' ? EXIT.badInput : EXIT.failed;
  } finally {
    clients.destroy();
  }
}

/** The `--wait` summary of a finished drain or restore: one line per app the output lists, and how many it did not. */
export function formatResult(kind: string, output: unknown): string {
  const result = (output ?? {}) as { cluster?: string; state?: string; outcome?: string; weightPercent?: number; apps?: AppWeight[]; appsNotListed?: number };
  const lines = [`${result.cluster ?? ''}: ${result.state ?? result.outcome ?? kind} at ${result.weightPercent ?? '?'}% of normal weight`];
  for (const app of result.apps ?? []) {
    // Every routing policy shows what the cluster had in Route 53: weight, failover role or region, or absent.
    const change =
      app.before || app.after
        ? `${describeClusterRecord(app.before)} -> ${describeClusterRecord(app.after)}`
        : app.routing === 'weighted'
          ? `weight ${app.weightBefore} -> ${app.weightAfter}`
          : '';
    lines.push(`  ${app.hostname.padEnd(32)} ${(app.routing ?? '').padEnd(9)} ${change}`.trimEnd());
  }
  // The output lists the first apps only (Step Functions' 256 KiB): every app's record is in `switchyard status`.
  if (result.appsNotListed) lines.push(`  ... and ${result.appsNotListed} more app(s), moved the same way (every app's record: switchyard status)`);
  return lines.join('\n');
}

/** A dry run, step by step: the changes it lists and how many more there are. */
export function formatDryRun(output: unknown): string {
  const plan = (output ?? {}) as {
    cluster?: string;
    waitSeconds?: number;
    lockedBy?: string;
    safe?: boolean;
    refusals?: Array<{ error: string; reason: string }>;
    steps?: Array<{
      weightPercent: number;
      safe: boolean;
      violations: string;
      changes: Array<{ action: string; name: string; type: string; setIdentifier?: string; weight?: number }>;
      changesNotListed?: number;
    }>;
  };
  if (!plan.steps) return JSON.stringify(output, null, 2);
  const lines = [`dry run for ${plan.cluster}: ${plan.steps.length} step(s), ${plan.waitSeconds} s after each; nothing was changed`];
  if (plan.lockedBy) lines.push(`  note: the cluster is locked now by ${plan.lockedBy}`);
  if (plan.safe === false) {
    lines.push(`it would be refused${plan.refusals?.length ? '' : ' (unsafe steps below)'}:`);
    for (const refusal of plan.refusals ?? []) lines.push(`  ${refusal.error}: ${refusal.reason}`);
  }
  plan.steps.forEach((step, i) => {
    lines.push(`step ${i + 1}: ${step.weightPercent}%${step.safe ? '' : `  UNSAFE: ${step.violations}`}`);
    for (const c of step.changes)
      lines.push(
        `  ${c.action.padEnd(6)} ${c.name} ${c.type}${c.setIdentifier ? ` ${c.setIdentifier}` : ''}${c.weight === undefined ? '' : ` weight ${c.weight}`}`,
      );
    if (step.changesNotListed) lines.push(`  ... and ${step.changesNotListed} more change(s)`);
    if (step.changes.length === 0) lines.push('  (no record changes)');
  });
  return lines.join('\n');
}
