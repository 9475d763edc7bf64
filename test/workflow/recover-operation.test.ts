// RecoverOperation on the real ASL: a DrainCluster run stopped part-way (StopExecution on
// the local runner) leaves its cluster DRAINING under its lock; recovery rolls it back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeMessage } from '../../src/cli/ops/follow.ts';
import { acquireLock } from '../../src/core/fleet-document.ts';
import type { ExecutionStatusView } from '../../src/core/ports.ts';
import { settleStaleLocks } from '../../src/app/tasks/recover.ts';
import { recoverExecutionName } from '../../src/app/tasks/router.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness, executionArnOf, type Harness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

/** What DescribeExecution says about each run the test ended (RUNNING until then). */
function executionsOf(statuses: Map<string, ExecutionStatusView>) {
  return {
    describe: async (executionArn: string): Promise<ExecutionStatusView> => {
      const known = statuses.get(executionArn);
      if (known) return known;
      throw Object.assign(new Error(`Execution Does Not Exist: '${executionArn}'`), { name: 'ExecutionDoesNotExist' });
    },
  };
}

/**
 * Starts a drain of west to [50, 0] and stops it at its first health gate (west at 50 %,
 * DRAINING, locked): what `aws stepfunctions stop-execution` does mid-drain.
 */
async function stoppedDrain(h: Harness, gate: { reached?: () => void }, statuses: Map<string, ExecutionStatusView>, name: string) {
  const reached = new Promise<void>((resolve) => {
    gate.reached = resolve;
  });
  const run = h.start('DrainCluster', { cluster: 'west', reason: 'node upgrade', by: 'alice', steps: [50, 0] }, name);
  await reached;
  run.stop('OperatorAbort', 'stopped by alice');
  const outcome = await run.outcome;
  const executionArn = executionArnOf('DrainCluster', name);
  statuses.set(executionArn, {
    executionArn,
    name,
    status: outcome.status,
    startDate: new Date().toISOString(),
    error: 'OperatorAbort',
    cause: 'stopped by alice',
  });
  return { outcome, executionArn };
}

async function harness(statuses: Map<string, ExecutionStatusView>, gate: { reached?: () => void }) {
  return createHarness(dynamo, {
    executions: executionsOf(statuses),
    // The first health gate never returns: the run is stopped there, as a StopExecution would.
    wrap: (name, task) => (name === 'healthGate' ? async () => (gate.reached?.(), new Promise(() => {})) : task),
  });
}

describe('RecoverOperation', () => {
  it('rolls back a drain stopped part-way: saved weights back, lock released, journaled, Cluster Drain Aborted with the cause', async () => {
    // Prepare
    const statuses = new Map<string, ExecutionStatusView>();
    const gate: { reached?: () => void } = {};
    const h = await harness(statuses, gate);
    const { outcome, executionArn } = await stoppedDrain(h, gate, statuses, 'drain-west-stopped');
    expect(outcome.status).toBe('ABORTED');
    expect(h.weight('shop.example.com', 'west')).toBe(50);
    const before = await h.table.readFleet();
    expect(before.intents['west']).toMatchObject({ state: 'DRAINING', weightPercent: 50 });
    expect(before.locks['west']?.holder).toBe('drain-west-stopped');
    // Act
    const recovery = await h.run('RecoverOperation', { executionArn }, recoverExecutionName(executionArn));
    // Assess
    expect(recovery.status, `${recovery.error}: ${causeMessage(recovery.cause)}`).toBe('SUCCEEDED');
    expect(recovery.output).toMatchObject({ executionArn, status: 'ABORTED', cluster: 'west', recovered: true, rolledBack: true });
    expect(h.weight('shop.example.com', 'west')).toBe(100);
    expect(
      h
        .records('api.example.com')
        .map((r) => `${r.setIdentifier}:${r.failover}`)
        .sort(),
    ).toEqual(['east:PRIMARY', 'west:SECONDARY']);
    const after = await h.table.readFleet();
    expect(after.intents['west']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(after.locks).toEqual({});
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([
      expect.objectContaining({
        cluster: 'west',
        operation: 'drain',
        error: 'OperatorAbort',
        rolledBack: true,
        weightPercentBefore: 50,
        weightPercentAfter: 100,
        executionArn,
      }),
    ]);
    expect(String(h.eventsOf('Cluster Drain Aborted')[0]?.['reason'])).toContain('drain-west-stopped was stopped while holding the lock: stopped by alice');
    const journal = await h.table.listJournal({ cluster: 'west' });
    expect(journal[0]).toMatchObject({ executionArn, what: 'drain aborted (OperatorAbort): west rolled back to 100%' });
  });

  it('is idempotent: a second recovery of the same run (a duplicated event) changes nothing and emits nothing', async () => {
    // Prepare
    const statuses = new Map<string, ExecutionStatusView>();
    const gate: { reached?: () => void } = {};
    const h = await harness(statuses, gate);
    const { executionArn } = await stoppedDrain(h, gate, statuses, 'drain-west-twice');
    expect((await h.run('RecoverOperation', { executionArn })).status).toBe('SUCCEEDED');
    const batches = h.route53.batches.length;
    const journalSize = (await h.table.listJournal({ cluster: 'west' })).length;
    // Act
    const again = await h.run('RecoverOperation', { executionArn });
    // Assess
    expect(again.status).toBe('SUCCEEDED');
    expect(again.output).toMatchObject({ recovered: false, rolledBack: false, cluster: null, reason: expect.stringContaining('holds no lock') });
    expect(h.route53.batches.length).toBe(batches);
    expect(h.eventsOf('Cluster Drain Aborted')).toHaveLength(1);
    expect(await h.table.listJournal({ cluster: 'west' })).toHaveLength(journalSize);
  });

  it('does nothing for a run that settled itself (its Catch rolled back) or never took a lock', async () => {
    // Prepare: a drain refused before its lock (DrainUnsafe) ends FAILED, holding nothing
    const statuses = new Map<string, ExecutionStatusView>();
    const h = await createHarness(dynamo, { executions: executionsOf(statuses), health: { east: 'UNHEALTHY', west: 'HEALTHY', eu: 'UNHEALTHY' } });
    const failed = await h.run('DrainCluster', { cluster: 'west', reason: 'x', steps: [0] }, 'drain-west-refused');
    expect(failed.status).toBe('FAILED');
    const executionArn = executionArnOf('DrainCluster', 'drain-west-refused');
    statuses.set(executionArn, { executionArn, name: 'drain-west-refused', status: 'FAILED', error: failed.error ?? 'DrainUnsafe' });
    const batches = h.route53.batches.length;
    const events = h.events.length;
    // Act
    const recovery = await h.run('RecoverOperation', { executionArn });
    // Assess
    expect(recovery.status).toBe('SUCCEEDED');
    expect(recovery.output).toMatchObject({ recovered: false, status: 'FAILED' });
    expect(h.route53.batches.length).toBe(batches);
    expect(h.events.length).toBe(events);
  });

  it('never touches a cluster a newer operation took over after the stopped run’s lease ran out', async () => {
    // Prepare
    const statuses = new Map<string, ExecutionStatusView>();
    const gate: { reached?: () => void } = {};
    const h = await harness(statuses, gate);
    const { executionArn } = await stoppedDrain(h, gate, statuses, 'drain-west-superseded');
    const later = new Date(Date.now() + (h.fleet.safety.lockTtlSeconds + 5) * 1000);
    await h.table.updateFleet((state) => ({
      next: acquireLock(state, { cluster: 'west', holder: 'restore-west-newer', operation: 'restore', now: later, ttlSeconds: 3600, maxConcurrentDrains: 1 })
        .state,
      result: null,
    }));
    const batches = h.route53.batches.length;
    // Act
    const recovery = await h.run('RecoverOperation', { executionArn });
    // Assess
    expect(recovery.status).toBe('SUCCEEDED');
    expect(recovery.output).toMatchObject({ recovered: false });
    const state = await h.table.readFleet();
    expect(state.locks['west']?.holder).toBe('restore-west-newer');
    expect(state.intents['west']).toMatchObject({ state: 'DRAINING', weightPercent: 50 });
    expect(h.weight('shop.example.com', 'west')).toBe(50);
    expect(h.route53.batches.length).toBe(batches);
    expect(h.eventsOf('Cluster Drain Aborted')).toHaveLength(0);
  });

  it('refuses a run that is still RUNNING with InvalidInput and changes nothing', async () => {
    // Prepare
    const statuses = new Map<string, ExecutionStatusView>();
    const gate: { reached?: () => void } = {};
    const h = await harness(statuses, gate);
    const executionArn = executionArnOf('DrainCluster', 'drain-west-running');
    const reached = new Promise<void>((resolve) => {
      gate.reached = resolve;
    });
    const run = h.start('DrainCluster', { cluster: 'west', reason: 'x', steps: [50, 0] }, 'drain-west-running');
    await reached;
    statuses.set(executionArn, { executionArn, name: 'drain-west-running', status: 'RUNNING' });
    // Act
    const recovery = await h.run('RecoverOperation', { executionArn });
    // Assess
    expect(recovery.status).toBe('FAILED');
    expect(recovery.error).toBe('InvalidInput');
    expect(causeMessage(recovery.cause)).toContain('is RUNNING: only an ended run is recovered');
    expect((await h.table.readFleet()).locks['west']?.holder).toBe('drain-west-running');
    expect(h.weight('shop.example.com', 'west')).toBe(50);
    run.stop();
    await run.outcome;
  });
});

describe('Reconcile and stale locks', () => {
  it('starts RecoverOperation for a lock whose holder ended and releases an expired failover lock', async () => {
    // Prepare
    const statuses = new Map<string, ExecutionStatusView>();
    const gate: { reached?: () => void } = {};
    const started: Array<{ workflow: string; name: string; input: unknown }> = [];
    const h = await createHarness(dynamo, {
      executions: executionsOf(statuses),
      workflows: {
        start: async (workflow, name, input) => (
          started.push({ workflow, name, input }),
          { executionArn: `arn:aws:states:us-east-1:000000000000:execution:${workflow}:${name}`, started: true }
        ),
        workflowOf: async () => undefined,
      },
      wrap: (name, task) => (name === 'healthGate' ? async () => (gate.reached?.(), new Promise(() => {})) : task),
    });
    const { executionArn } = await stoppedDrain(h, gate, statuses, 'drain-west-dead');
    const past = new Date(Date.now() - (h.fleet.safety.lockTtlSeconds + 5) * 1000);
    await h.table.updateFleet((state) => ({
      next: acquireLock(state, { cluster: 'eu', holder: 'failover-eu-died', operation: 'failover', now: past, ttlSeconds: 60, maxConcurrentDrains: 1 }).state,
      result: null,
    }));
    // Act
    const stale = await settleStaleLocks(h.deps, 'reconcile-1');
    // Assess
    expect(started).toEqual([{ workflow: 'RecoverOperation', name: recoverExecutionName(executionArn, 'reconcile-1'), input: { executionArn } }]);
    expect(stale.map((s) => `${s.cluster}:${s.holderStatus}:${s.action}`)).toEqual(['eu:UNKNOWN:released', 'west:ABORTED:recovery-started']);
    expect((await h.table.readFleet()).locks['eu']).toBeUndefined();
  });

  it('Reconcile recovers a lock past its lease whose holder is gone, end to end through RecoverOperation', async () => {
    // Prepare: a drain holds west at 50 % and its holder is no longer known to Step Functions
    const statuses = new Map<string, ExecutionStatusView>();
    const gate: { reached?: () => void } = {};
    let h!: Harness;
    h = await createHarness(dynamo, {
      executions: executionsOf(statuses),
      workflows: {
        start: async (workflow, name, input) => {
          const outcome = await h.run(workflow, input, name);
          return { executionArn: executionArnOf(workflow, name), started: outcome.status !== undefined };
        },
        workflowOf: async () => undefined,
      },
      wrap: (name, task) => (name === 'healthGate' ? async () => (gate.reached?.(), new Promise(() => {})) : task),
    });
    const { executionArn } = await stoppedDrain(h, gate, statuses, 'drain-west-expired');
    statuses.delete(executionArn);
    await h.table.updateFleet((state) => ({
      next: { ...state, locks: { ...state.locks, west: { ...state.locks['west']!, expiresAt: new Date(Date.now() - 1000).toISOString() } } },
      result: null,
    }));
    // Act
    const outcome = await h.run('Reconcile', {});
    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    expect((outcome.output as { staleLocks: unknown[] }).staleLocks).toEqual([
      expect.objectContaining({
        cluster: 'west',
        holder: 'drain-west-expired',
        holderStatus: 'GONE',
        action: 'recovery-started',
        detail: expect.stringContaining('RecoverOperation started: '),
      }),
    ]);
    const state = await h.table.readFleet();
    expect(state.locks).toEqual({});
    expect(state.intents['west']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    expect(h.weight('shop.example.com', 'west')).toBe(100);
    expect(h.eventsOf('Cluster Drain Aborted')).toEqual([expect.objectContaining({ cluster: 'west', rolledBack: true, executionArn })]);
  });
});

describe('drain expiry', () => {
  it('refuses an expiry that is not after the drain starts, changing nothing', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'x', expiresAt: '2020-01-01T00:00:00Z' });
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('InvalidInput');
    expect(causeMessage(outcome.cause)).toMatch(/^expiresAt 2020-01-01T00:00:00Z: must be after the drain starts/);
    expect(h.route53.batches).toHaveLength(0);
    expect((await h.table.readFleet()).locks).toEqual({});
  });

  it('keeps the expiry on the DRAINED intent, and Reconcile restores the cluster once it has passed (once per expiry)', async () => {
    // Prepare: west drained with an expiry one minute out
    const started: string[] = [];
    let h!: Harness;
    h = await createHarness(dynamo, {
      workflows: {
        start: async (workflow, name, input) => {
          if (started.includes(name)) return { executionArn: executionArnOf(workflow, name), started: false };
          started.push(name);
          await h.run(workflow, input, name);
          return { executionArn: executionArnOf(workflow, name), started: true };
        },
        workflowOf: async () => undefined,
      },
    });
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const drain = await h.run('DrainCluster', { cluster: 'west', reason: 'kernel upgrade', steps: [0], expiresAt });
    expect(drain.status, `${drain.error}: ${causeMessage(drain.cause)}`).toBe('SUCCEEDED');
    expect((await h.table.readFleet()).intents['west']).toMatchObject({ state: 'DRAINED', weightPercent: 0, expiresAt });
    // Act 1: a Reconcile before the expiry leaves it drained
    const early = await h.run('Reconcile', {});
    // Assess 1
    expect((early.output as { expiredDrains: unknown[] }).expiredDrains).toEqual([]);
    expect(h.weight('shop.example.com', 'west')).toBe(0);
    // Act 2: the expiry passes (the clock moves on), Reconcile twice
    const later = new Date(Date.now() + 120_000);
    h.deps.clock = { now: () => later };
    const due = await h.run('Reconcile', {});
    const again = await h.run('Reconcile', {});
    // Assess 2
    expect(due.status, `${due.error}: ${causeMessage(due.cause)}`).toBe('SUCCEEDED');
    expect((due.output as { expiredDrains: unknown[] }).expiredDrains).toEqual([
      expect.objectContaining({ cluster: 'west', expiresAt, action: 'restore-started' }),
    ]);
    expect(h.weight('shop.example.com', 'west')).toBe(100);
    const intent = (await h.table.readFleet()).intents['west'];
    expect(intent).toMatchObject({ state: 'ACTIVE', weightPercent: 100, by: 'switchyard reconcile (drain expiry)' });
    expect(intent?.expiresAt).toBeUndefined();
    expect(h.eventsOf('Cluster Restored')).toEqual([
      expect.objectContaining({ cluster: 'west', reason: `drain expired at ${expiresAt} (drained for: kernel upgrade)` }),
    ]);
    expect((again.output as { expiredDrains: unknown[] }).expiredDrains).toEqual([]);
    expect(started.filter((n) => n.startsWith('restore-expired-west-'))).toHaveLength(1);
  });
});
