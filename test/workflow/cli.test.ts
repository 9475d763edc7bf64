// The operator's verbs against a running local runtime (the same APIs as AWS): drain with
// --wait and its live progress, status, history, dry run, restore, and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { opsIo } from '../../src/cli/ops/context.ts';
import { runOperation } from '../../src/cli/ops/operation.ts';
import { formatStatus, statusReport } from '../../src/cli/commands/status.ts';
import { formatHistory, historyEntries } from '../../src/cli/commands/history.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';

let runtime: LocalRuntime;
const out: string[] = [];
const err: string[] = [];
const saved = { ...opsIo };

beforeAll(async () => {
  runtime = await startLocalRuntime({ stateDir: null, port: 0, timeScale: 0.01 });
  Object.assign(opsIo, { env: {}, out: (t: string) => out.push(t), err: (t: string) => err.push(t) });
}, 120_000);

afterAll(async () => {
  Object.assign(opsIo, saved);
  // Let the failovers and fail-backs the canary alarms started finish before the services close.
  await runtime?.settle(30_000).catch(() => undefined);
  await runtime?.close();
}, 60_000);

const target = () => ({ stage: 'local', endpointUrl: runtime.url, pollMs: 20 });

describe('switchyard drain / status / history / restore', () => {
  it('drain --wait follows the execution step by step and ends with the result', async () => {
    // Prepare
    out.length = 0;
    err.length = 0;
    // Act
    const code = await runOperation('drain', 'west', { ...target(), steps: '50,0', bake: '1s', reason: 'kernel upgrade', by: 'carol', wait: true });
    // Assess
    expect(code, err.join('\n')).toBe(EXIT.ok);
    expect(err.join('\n')).toMatch(/DrainCluster started: arn:aws:states:.*:execution:switchyard-local-DrainCluster:drain-west-/);
    const progress = err.join('\n');
    expect(progress).toContain('taking the lock on west');
    expect(progress).toContain('weights set: 100% -> 50% of normal');
    expect(progress).toContain('weights set: 50% -> 0% of normal');
    expect(progress).toContain('Route 53 reports INSYNC');
    expect(progress).toContain('health gate passed');
    expect(out.join('\n')).toMatch(/^west: DRAINED at 0% of normal weight/);
    expect(out.join('\n')).toMatch(/api\.example\.com +failover +SECONDARY -> absent/);
    expect(out.join('\n')).toMatch(/shop\.example\.com +weighted +weight 100 -> weight 0/);
  }, 60_000);

  it('status shows the drained cluster, the apps × clusters weights and no running operation', async () => {
    // Act
    const report = await statusReport({ ...target(), fleet: runtime.fleet.dir });
    const text = formatStatus(report);
    // Assess
    expect(report.clusters.find((c) => c.name === 'west')).toMatchObject({ intent: 'DRAINED', weightPercent: 0 });
    expect(report.apps.find((a) => a.hostname === 'shop.example.com')?.clusters.find((c) => c.cluster === 'west')).toMatchObject({ weight: 0, serving: false });
    expect(report.running).toEqual([]);
    expect(report.locks).toEqual([]);
    expect(text).toMatch(/west\s+us-west-2\s+DRAINED\s+0%/);
  });

  it('east failing while west is drained: west stays drained, the bus hears that api has no healthy cluster, and status shows it', async () => {
    // Act: api.example.com is east + west; west is drained.
    await runtime.fail('east');
    try {
      let report = await statusReport({ ...target(), fleet: runtime.fleet.dir });
      for (const deadline = Date.now() + 30_000; !report.unserved.some((u) => u.hostname === 'api.example.com') && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        report = await statusReport({ ...target(), fleet: runtime.fleet.dir });
      }
      await runtime.settle(30_000, ['Failover']);
      // Assess
      expect(report.unserved).toContainEqual({ hostname: 'api.example.com', drained: ['west'], unhealthy: ['east'] });
      expect(formatStatus(report)).toMatch(/APPS WITHOUT A HEALTHY CLUSTER[^]*api\.example\.com\s+west\s+east/);
      expect(report.clusters.find((c) => c.name === 'west')).toMatchObject({ intent: 'DRAINED', weightPercent: 0 });
      const unserved = (await runtime.status()).events.filter((e) => e.detailType === 'Apps Without Healthy Cluster');
      expect(unserved.length).toBeGreaterThanOrEqual(1);
    } finally {
      await runtime.heal('east');
    }
    // Assess: east healthy again, nothing is unserved.
    let after = await statusReport({ ...target(), fleet: runtime.fleet.dir });
    for (const deadline = Date.now() + 30_000; after.unserved.length > 0 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await statusReport({ ...target(), fleet: runtime.fleet.dir });
    }
    expect(after.unserved).toEqual([]);
  }, 90_000);

  it('history lists the drain, newest first, with who and why', async () => {
    // Act
    const entries = await historyEntries({ ...target(), cluster: 'west' });
    // Assess
    expect(entries.map((e) => e.what)[0]).toContain('drain drained: west is DRAINED at 0%');
    expect(entries.every((e) => e.by === 'carol' && e.why === 'kernel upgrade')).toBe(true);
    expect(formatHistory(entries)).toContain('why: kernel upgrade');
  });

  it('restore --dry-run prints the plan and changes nothing; restore --wait brings it back', async () => {
    // Prepare
    out.length = 0;
    // Act
    const dry = await runOperation('restore', 'west', { ...target(), dryRun: true });
    const dryText = out.join('\n');
    const stillDrained = (await statusReport({ ...target(), fleet: runtime.fleet.dir })).clusters.find((c) => c.name === 'west');
    out.length = 0;
    const code = await runOperation('restore', 'west', { ...target(), bake: '0s', wait: true });
    // Assess
    expect(dry).toBe(EXIT.ok);
    expect(dryText).toMatch(/dry run for west: 2 step\(s\).*nothing was changed/);
    expect(dryText).toMatch(/UPSERT +shop\.example\.com\. A west weight 50/);
    expect(stillDrained).toMatchObject({ intent: 'DRAINED' });
    expect(code, err.join('\n')).toBe(EXIT.ok);
    expect(out.join('\n')).toMatch(/^west: ACTIVE at 100%/);
  }, 60_000);

  it('a refused drain ends with exit 1 and the named error; bad flags are refused before anything starts', async () => {
    // Prepare
    out.length = 0;
    await runtime.fail('east');
    await runtime.fail('eu');
    for (let i = 0; i < 200; i++) {
      const health = await runtime.deps.health.snapshot(['east', 'eu']);
      if (health.clusters['east'] === 'UNHEALTHY' && health.clusters['eu'] === 'UNHEALTHY') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Act
    const dry = await runOperation('drain', 'west', { ...target(), dryRun: true });
    const dryText = out.join('\n');
    out.length = 0;
    const refused = await runOperation('drain', 'west', { ...target(), wait: true });
    // Assess
    expect(dry).toBe(EXIT.failed);
    expect(dryText).toMatch(/dry run for west: .*nothing was changed\nit would be refused:\n {2}DrainUnsafe: taking west to 0% is unsafe/);
    expect(dryText).toMatch(/step \d: 0% {2}UNSAFE: taking west to 0% is unsafe/);
    expect(refused).toBe(EXIT.failed);
    expect(out.join('\n')).toMatch(/DrainCluster FAILED: DrainUnsafe: taking west to 0% is unsafe/);
    await expect(runOperation('drain', 'west', { ...target(), steps: '0,50' })).rejects.toMatchObject({
      name: 'InvalidInput',
      message: 'drain steps [0, 50]: must be strictly decreasing',
    });
    await expect(runOperation('drain', 'west', { ...target(), bake: 'soon' })).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('--bake: "soon" is not a duration'),
    });
    await expect(runOperation('drain', 'mars', { ...target(), fleet: runtime.fleet.dir })).rejects.toMatchObject({ name: 'UnknownCluster' });
    await runtime.heal('east');
    await runtime.heal('eu');
  }, 60_000);
});
