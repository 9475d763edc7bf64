// A drain of a cluster serving thousands of apps, through the real ASL, under Step Functions'
// 256 KiB payload quota (the local runner enforces it as AWS does): every state's input and
// output, every Task's parameters and result, and every event stay under it, and the
// events, the execution's output and the dry run list 100 apps and count the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeMessage } from '../../src/cli/ops/follow.ts';
import { MAX_LISTED } from '../../src/core/bounded.ts';
import { Route53Rejected } from '../../src/core/errors.ts';
import type { PublishedEndpoint } from '../../src/core/model.ts';
import type { HistoryEvent } from '@switchyard/local-aws/stepfunctions';
import { exampleEndpoints } from '../unit/aws/helpers/example-fleet.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness, testFleet, type Harness } from './harness.ts';

/** Step Functions' quota on a state's input or output and a Task's result, in UTF-8 bytes. */
const PAYLOAD_QUOTA = 262_144;
/** More apps than fit in one event when each is listed (about 210 bytes each: 1,500 are ≈ 315 KB), few enough for the step's read-back list. */
const APPS = 1_500;

let dynamo: TestDynamo;
let h: Harness;
/** The applyWeights call (counted from 1 after arming) that Route 53 refuses; undefined: none. */
let refuseApplyAt: number | undefined;
let applies = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
  const fleet = testFleet();
  const template = exampleEndpoints(fleet).filter((e) => e.hostname === 'shop.example.com' && e.cluster !== 'eu');
  const endpoints: PublishedEndpoint[] = [];
  for (let i = 0; i < APPS; i += 1) {
    const hostname = `app-${String(i).padStart(5, '0')}.with-a-longer-team-name.example.com`;
    for (const e of template) endpoints.push({ ...e, hostname });
  }
  h = await createHarness(dynamo, {
    fleet,
    endpoints,
    wrap: (name, task) =>
      name === 'applyWeights'
        ? async (input) => {
            applies += 1;
            if (applies === refuseApplyAt) throw new Route53Rejected('refused by the test');
            return task(input);
          }
        : task,
  });
}, 600_000);
afterAll(async () => {
  await dynamo?.close();
});

/** The largest payload the execution's history shows: state inputs and outputs, Task parameters and results. */
function largestPayload(history: readonly HistoryEvent[]): { bytes: number; where: string } {
  let largest = { bytes: 0, where: 'none' };
  for (const event of history) {
    for (const details of Object.values(event)) {
      if (details === null || typeof details !== 'object') continue;
      for (const key of ['input', 'output', 'parameters']) {
        const text = (details as Record<string, unknown>)[key];
        if (typeof text !== 'string') continue;
        const bytes = Buffer.byteLength(text, 'utf8');
        if (bytes > largest.bytes) largest = { bytes, where: `${event.type} ${String((details as { name?: unknown }).name ?? '')}`.trim() };
      }
    }
  }
  return largest;
}

const entryBytes = (entry: { Source?: string; DetailType?: string; Detail?: string }) =>
  Buffer.byteLength(`${entry.Source ?? ''}${entry.DetailType ?? ''}${entry.Detail ?? ''}`, 'utf8');

describe(`payload limits: a drain of a cluster serving ${APPS.toLocaleString('en')} apps`, () => {
  it('dry run: succeeds, each step lists 100 changes and counts the rest', async () => {
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'size check', by: 'test', steps: [50, 0], dryRun: true });

    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    const plan = outcome.output as { steps: Array<{ changes: unknown[]; changesNotListed?: number; weights: unknown[]; weightsNotListed?: number }> };
    expect(plan.steps).toHaveLength(2);
    for (const step of plan.steps) {
      expect(step.changes).toHaveLength(MAX_LISTED);
      expect(step.changes.length + step.changesNotListed!).toBeGreaterThanOrEqual(APPS);
      expect(step.weights).toHaveLength(MAX_LISTED);
    }
    expect(largestPayload(outcome.history).bytes).toBeLessThanOrEqual(PAYLOAD_QUOTA);
  }, 600_000);

  it('drains: every state, Task result and event stays under 256 KiB; the events and the output list 100 apps and count the rest', async () => {
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', by: 'test', steps: [50, 0], bakeSeconds: 0 });

    // Assess
    expect(outcome.status, `${outcome.error}: ${causeMessage(outcome.cause)}`).toBe('SUCCEEDED');
    expect(h.weight('app-01499.with-a-longer-team-name.example.com', 'west')).toBe(0);
    const largest = largestPayload(outcome.history);
    expect(largest.bytes, largest.where).toBeLessThanOrEqual(PAYLOAD_QUOTA);
    expect(h.events.map((e) => e.DetailType)).toEqual(['Cluster Drain Started', 'Cluster Drained']);
    for (const entry of h.events) expect(entryBytes(entry)).toBeLessThan(PAYLOAD_QUOTA);
    for (const detail of [...h.eventsOf('Cluster Drain Started'), ...h.eventsOf('Cluster Drained')]) {
      expect(detail['apps']).toHaveLength(MAX_LISTED);
      expect(detail['appsNotListed']).toBe(APPS - MAX_LISTED);
    }
    expect(h.eventsOf('Cluster Drained')[0]!['apps']).toContainEqual(
      expect.objectContaining({ hostname: 'app-00000.with-a-longer-team-name.example.com', weightBefore: 100, weightAfter: 0 }),
    );
    // Once announced, the Started event is no longer carried through the steps (every state and Lambda payload)
    const stepInput = outcome.history.find(
      (event) => event.type === 'TaskStateEntered' && (event['stateEnteredEventDetails'] as { name: string }).name === 'ApplyWeights',
    );
    expect(JSON.parse((stepInput!['stateEnteredEventDetails'] as { input: string }).input).lock).toEqual({
      token: expect.any(Number),
      event: { failedEntryCount: 0 },
    });
    const result = outcome.output as { apps: unknown[]; appsNotListed: number; state: string };
    expect(result).toMatchObject({ state: 'DRAINED', appsNotListed: APPS - MAX_LISTED });
    expect(result.apps).toHaveLength(MAX_LISTED);
  }, 600_000);

  it('rolls back: Cluster Drain Aborted lists 100 apps and counts the rest', async () => {
    // Prepare: restore the cluster, then a drain whose second step Route 53 refuses
    const restored = await h.run('RestoreCluster', { cluster: 'west', reason: 'back', by: 'test', steps: [100], bakeSeconds: 0 });
    expect(restored.status, `${restored.error}: ${causeMessage(restored.cause)}`).toBe('SUCCEEDED');
    h.events.length = 0;
    applies = 0;
    refuseApplyAt = 2;

    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'west', reason: 'node upgrade', by: 'test', steps: [50, 0], bakeSeconds: 0 });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('Route53Rejected');
    const largest = largestPayload(outcome.history);
    expect(largest.bytes, largest.where).toBeLessThanOrEqual(PAYLOAD_QUOTA);
    refuseApplyAt = undefined;
    const aborted = h.eventsOf('Cluster Drain Aborted');
    expect(aborted).toHaveLength(1);
    expect(aborted[0]).toMatchObject({ rolledBack: true, appsNotListed: APPS - MAX_LISTED });
    expect(aborted[0]!['apps']).toHaveLength(MAX_LISTED);
  }, 600_000);
});
