// Step Functions, EventBridge and the CloudWatch alarms on disk (snapshot + change log):
// after any sequence of changes, a second service opened on the same folder while the first
// still runs (as after a kill -9: no clean close, no final snapshot) shows exactly what the
// first one shows; a tiny compaction threshold compacts along the way; a torn last log line
// is cut off and nothing else changes. Changes go through the services' own methods and
// flush(), which is what every API answer waits for (the kill -9 tests go through the API).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { appendFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalAlarms, type AlarmStateValue } from '../../src/cloudwatch/alarms.ts';
import { cloudWatchServices } from '../../src/cloudwatch/service.ts';
import { LocalEventBus } from '../../src/eventbridge/bus.ts';
import { eventBridgeService } from '../../src/eventbridge/service.ts';
import { LocalStepFunctions } from '../../src/stepfunctions/engine.ts';
import { stepFunctionsService } from '../../src/stepfunctions/service.ts';
import { callJson } from '../json-call.ts';
import { temporaryFolder } from './harness.ts';

const RUNS = 12;
const COMPACT_AFTER_BYTES = 600;
const ROLE = 'arn:aws:iam::000000000000:role/local';
const PASS = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } });
const WAIT = JSON.stringify({ StartAt: 'Long', States: { Long: { Type: 'Wait', Seconds: 3600, End: true } } });

/** Runs a step; an error the API would answer with is part of the behaviour (it must change nothing). */
async function attempt(step: () => unknown): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!(error instanceof Error) || !/Exception|NotFound|Exists|DoesNotExist|InvalidArn/.test(`${error.name} ${(error as { code?: string }).code ?? ''}`))
      throw error;
  }
}

/** Appends half a line to every change log under `dir` (a crash in the middle of an append). */
async function tearLogs(dir: string): Promise<number> {
  const logs = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.log'));
  for (const log of logs) await appendFile(join(dir, log), '999 deadbeef {"op":"put","half');
  return logs.length;
}

/** Whether a compaction happened: a snapshot file is there while the service has not been closed. */
async function snapshotExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

// ---- CloudWatch alarms ----------------------------------------------------------------

type AlarmStep = { kind: 'define'; alarm: number; description: string } | { kind: 'state'; alarm: number; value: AlarmStateValue; reason: string };

const alarmStep: fc.Arbitrary<AlarmStep> = fc.oneof(
  fc.record({ kind: fc.constant('define' as const), alarm: fc.nat(3), description: fc.constantFrom('one', 'two', 'a longer description') }),
  fc.record({
    kind: fc.constant('state' as const),
    alarm: fc.nat(4),
    value: fc.constantFrom<AlarmStateValue>('OK', 'ALARM', 'INSUFFICIENT_DATA'),
    reason: fc.string({ maxLength: 30 }),
  }),
);

const metric = {
  namespace: 'AWS/Route53',
  name: 'HealthCheckStatus',
  dimensions: { HealthCheckId: 'x' },
  period: 60,
  stat: 'Minimum',
  threshold: 1,
  comparisonOperator: 'LessThanThreshold',
  evaluationPeriods: 1,
};

async function alarmsView(alarms: LocalAlarms): Promise<unknown> {
  return alarms.list();
}

// ---- EventBridge ------------------------------------------------------------------------

type BusStep =
  | { kind: 'bus'; bus: number }
  | { kind: 'deleteBus'; bus: number }
  | { kind: 'rule'; bus: number; rule: number; source: string; disabled: boolean }
  | { kind: 'deleteRule'; bus: number; rule: number }
  | { kind: 'targets'; bus: number; rule: number; ids: number[] }
  | { kind: 'removeTargets'; bus: number; rule: number; ids: number[] };

const BUSES = ['default', 'apps', 'ops'];
const busStep: fc.Arbitrary<BusStep> = fc.oneof(
  fc.record({ kind: fc.constant('bus' as const), bus: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant('deleteBus' as const), bus: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant('rule' as const), bus: fc.nat(2), rule: fc.nat(3), source: fc.constantFrom('a', 'b'), disabled: fc.boolean() }),
  fc.record({ kind: fc.constant('deleteRule' as const), bus: fc.nat(2), rule: fc.nat(3) }),
  fc.record({ kind: fc.constant('targets' as const), bus: fc.nat(2), rule: fc.nat(3), ids: fc.array(fc.nat(6), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('removeTargets' as const), bus: fc.nat(2), rule: fc.nat(3), ids: fc.array(fc.nat(6), { minLength: 1, maxLength: 3 }) }),
);

async function runBusStep(bus: LocalEventBus, s: BusStep): Promise<void> {
  const EventBusName = BUSES[s.bus]!;
  const Rule = `r${'rule' in s ? s.rule : 0}`;
  await attempt(() => {
    if (s.kind === 'bus') bus.createEventBus(EventBusName);
    if (s.kind === 'deleteBus') bus.deleteEventBus(EventBusName);
    if (s.kind === 'rule')
      bus.putRule({ Name: Rule, EventBusName, EventPattern: JSON.stringify({ source: [s.source] }), State: s.disabled ? 'DISABLED' : 'ENABLED' });
    if (s.kind === 'deleteRule') bus.deleteRule({ Name: Rule, EventBusName });
    if (s.kind === 'targets')
      bus.putTargets({ Rule, EventBusName, Targets: s.ids.map((id) => ({ Id: `t${id}`, Arn: `arn:aws:lambda:us-east-1:000000000000:function:f${id}` })) });
    if (s.kind === 'removeTargets') bus.removeTargets({ Rule, EventBusName, Ids: s.ids.map((id) => `t${id}`) });
  });
  await bus.flush();
}

function busView(bus: LocalEventBus): unknown {
  return bus.listEventBuses().map((b) => ({ ...b, rules: bus.listRules({ EventBusName: b.Name }) }));
}

// ---- Step Functions -------------------------------------------------------------------

type SfnStep =
  | { kind: 'machine'; machine: number; waits: boolean }
  | { kind: 'update'; machine: number; waits: boolean }
  | { kind: 'deleteMachine'; machine: number }
  | { kind: 'start'; machine: number; execution: number; input: number }
  | { kind: 'stop'; machine: number; execution: number };

const sfnStep: fc.Arbitrary<SfnStep> = fc.oneof(
  fc.record({ kind: fc.constant('machine' as const), machine: fc.nat(1), waits: fc.boolean() }),
  fc.record({ kind: fc.constant('update' as const), machine: fc.nat(1), waits: fc.boolean() }),
  fc.record({ kind: fc.constant('deleteMachine' as const), machine: fc.nat(1) }),
  fc.record({ kind: fc.constant('start' as const), machine: fc.nat(1), execution: fc.nat(5), input: fc.nat(3) }),
  fc.record({ kind: fc.constant('start' as const), machine: fc.nat(1), execution: fc.nat(5), input: fc.nat(3) }),
  fc.record({ kind: fc.constant('stop' as const), machine: fc.nat(1), execution: fc.nat(5) }),
);

const machineArn = (engine: LocalStepFunctions, machine: number) => `arn:aws:states:us-east-1:${engine.place.accountId}:stateMachine:m${machine}`;
const executionArnOf = (engine: LocalStepFunctions, machine: number, execution: number) =>
  `arn:aws:states:us-east-1:${engine.place.accountId}:execution:m${machine}:e${execution}`;

async function runSfnStep(engine: LocalStepFunctions, s: SfnStep): Promise<void> {
  const stateMachineArn = machineArn(engine, s.machine);
  await attempt(async () => {
    if (s.kind === 'machine') engine.createStateMachine({ name: `m${s.machine}`, definition: s.waits ? WAIT : PASS, roleArn: ROLE });
    if (s.kind === 'update') engine.updateStateMachine({ stateMachineArn, definition: s.waits ? WAIT : PASS });
    if (s.kind === 'deleteMachine') engine.deleteStateMachine(stateMachineArn);
    if (s.kind === 'start') {
      const { executionArn } = engine.startExecution({ stateMachineArn, name: `e${s.execution}`, input: JSON.stringify({ input: s.input }) });
      // A Pass machine ends at once; a Wait machine stays RUNNING (an hour).
      if (engine.describeStateMachine(stateMachineArn).definition === PASS) await engine.waitForExecution(executionArn);
    }
    if (s.kind === 'stop') {
      const arn = executionArnOf(engine, s.machine, s.execution);
      engine.stopExecution({ executionArn: arn, error: 'Stopped', cause: 'by the test' });
      await engine.waitForExecution(arn);
    }
  });
  await engine.flush();
}

async function sfnView(engine: LocalStepFunctions): Promise<unknown> {
  const machines = engine.listStateMachines({ maxResults: 100 }).items;
  const executions: unknown[] = [];
  for (let machine = 0; machine < 2; machine++) {
    for (let execution = 0; execution < 6; execution++) {
      try {
        executions.push(await engine.describeExecution(executionArnOf(engine, machine, execution)));
      } catch (error) {
        executions.push((error as Error).name === 'AwsServiceError' ? (error as { code?: string }).code : (error as Error).message);
      }
    }
  }
  const listed = machines.map((m) => engine.listExecutions({ stateMachineArn: m.stateMachineArn, maxResults: 100 }).items);
  return { machines, executions, listed };
}

// ---- the properties ---------------------------------------------------------------------

describe('local services: restart from the snapshot and change log', () => {
  it('CloudWatch alarms: a second process sees what the first shows, after compactions and a torn last line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(alarmStep, { minLength: 1, maxLength: 40 }), async (steps) => {
        const folder = await temporaryFolder('cw-restart');
        try {
          const first = await LocalAlarms.open({ stateDir: folder.path, compactAfterBytes: COMPACT_AFTER_BYTES });
          for (const s of steps) {
            if (s.kind === 'define') first.define({ name: `a${s.alarm}`, description: s.description, metric });
            else first.setState(`a${s.alarm}`, s.value, s.reason);
            await first.flush();
          }
          const expected = await alarmsView(first);
          const second = await LocalAlarms.open({ stateDir: folder.path });
          expect(await alarmsView(second)).toEqual(expected);
          expect(await tearLogs(folder.path)).toBeLessThanOrEqual(1);
          const third = await LocalAlarms.open({ stateDir: folder.path });
          expect(await alarmsView(third)).toEqual(expected);
          // One at a time: each close compacts into the same file.
          for (const alarms of [first, second, third]) await alarms.close();
        } finally {
          await folder.remove();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('EventBridge: a second process sees the same buses, rules and targets, after compactions and a torn last line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(busStep, { minLength: 1, maxLength: 40 }), async (steps) => {
        const folder = await temporaryFolder('eb-restart');
        try {
          const first = await LocalEventBus.open({ stateDir: folder.path, compactAfterBytes: COMPACT_AFTER_BYTES });
          for (const s of steps) await runBusStep(first, s);
          const expected = busView(first);
          const second = await LocalEventBus.open({ stateDir: folder.path });
          expect(busView(second)).toEqual(expected);
          await tearLogs(folder.path);
          const third = await LocalEventBus.open({ stateDir: folder.path });
          expect(busView(third)).toEqual(expected);
          // One at a time: each close compacts into the same file.
          for (const bus of [first, second, third]) await bus.close();
        } finally {
          await folder.remove();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('Step Functions: a second process sees the same machines and executions (histories included), after compactions and a torn last line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sfnStep, { minLength: 1, maxLength: 30 }), async (steps) => {
        const folder = await temporaryFolder('sfn-restart');
        const options = { handlers: {}, waitScale: 1, stateDir: folder.path, retention: { maxClosedPerStateMachine: 3 } };
        try {
          const first = await LocalStepFunctions.open({ ...options, compactAfterBytes: COMPACT_AFTER_BYTES });
          for (const s of steps) await runSfnStep(first, s);
          const expected = await sfnView(first);
          const second = await LocalStepFunctions.open(options);
          expect(await sfnView(second)).toEqual(expected);
          await tearLogs(folder.path);
          const third = await LocalStepFunctions.open(options);
          expect(await sfnView(third)).toEqual(expected);
          await first.close();
          await second.close();
          await third.close();
        } finally {
          await folder.remove();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('compacts each service once its log outgrows the threshold, and a clean stop leaves one snapshot file per log', async () => {
    const folder = await temporaryFolder('compact');
    try {
      const alarms = await LocalAlarms.open({ stateDir: folder.path, compactAfterBytes: COMPACT_AFTER_BYTES });
      const bus = await LocalEventBus.open({ stateDir: folder.path, compactAfterBytes: COMPACT_AFTER_BYTES });
      const engine = await LocalStepFunctions.open({ handlers: {}, stateDir: folder.path, compactAfterBytes: COMPACT_AFTER_BYTES });
      for (let i = 0; i < 20; i++) {
        alarms.define({ name: `a${i}`, description: 'd', metric });
        bus.putRule({ Name: `r${i}`, EventPattern: JSON.stringify({ source: ['s'] }) });
        engine.createStateMachine({ name: `m${i}`, definition: PASS, roleArn: ROLE });
      }
      const { executionArn } = engine.startExecution({ stateMachineArn: machineArn(engine, 0).replace(':m0', ':m1'), name: 'one' });
      await engine.waitForExecution(executionArn);
      await Promise.all([alarms.flush(), bus.flush(), engine.flush()]);
      // Compacted while running: the snapshots exist before any clean stop.
      for (const file of ['cloudwatch/alarms.json', 'eventbridge/rules.json', 'stepfunctions/state-machines.json']) {
        expect({ file, compacted: await snapshotExists(join(folder.path, file)) }).toEqual({ file, compacted: true });
      }
      await Promise.all([alarms.close(), bus.close(), engine.close()]);
      const files = (await readdir(folder.path, { recursive: true })).filter((f) => /\.(json|log)$/.test(f) && !f.includes('execution-bodies')).sort();
      expect(files).toEqual(['cloudwatch/alarms.json', 'eventbridge/rules.json', 'stepfunctions/executions.json', 'stepfunctions/state-machines.json']);
      const reopened = await LocalStepFunctions.open({ handlers: {}, stateDir: folder.path });
      expect(reopened.listStateMachines({ maxResults: 100 }).items).toHaveLength(20);
      expect(await reopened.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED' });
      await reopened.close();
      const [alarmsAgain, busAgain] = [await LocalAlarms.open({ stateDir: folder.path }), await LocalEventBus.open({ stateDir: folder.path })];
      expect(alarmsAgain.list()).toHaveLength(20);
      expect(busAgain.listRules()).toHaveLength(20);
      await alarmsAgain.close();
      await busAgain.close();
    } finally {
      await folder.remove();
    }
  });
});

describe('local services: a change is on disk before its answer', () => {
  it('SetAlarmState, PutRule, PutTargets, CreateStateMachine and StartExecution are in the change logs the moment each answer is given', async () => {
    // Prepare: each service answering as the endpoint calls it (no HTTP round trip for a late write to hide in)
    const folder = await temporaryFolder('durable-answer');
    const alarms = await LocalAlarms.open({ stateDir: folder.path });
    const bus = await LocalEventBus.open({ stateDir: folder.path });
    const engine = await LocalStepFunctions.open({ handlers: {}, stateDir: folder.path, waitScale: 0 });
    alarms.define({ name: 'canary-east', description: 'd', metric });
    await alarms.flush();
    const [cloudwatch] = cloudWatchServices(alarms);
    const events = eventBridgeService(bus);
    const sfn = stepFunctionsService(engine);
    const logOf = (file: string) => readFileSync(join(folder.path, `${file}.log`), 'utf8');
    try {
      // Act + Assess: read synchronously right after each answer
      await callJson(cloudwatch!, 'GraniteServiceVersion20100801.SetAlarmState', {
        AlarmName: 'canary-east',
        StateValue: 'ALARM',
        StateReason: 'reason-written-first',
      });
      expect(logOf('cloudwatch/alarms.json')).toContain('reason-written-first');
      await callJson(events, 'AWSEvents.PutRule', { Name: 'rule-written-first', EventPattern: JSON.stringify({ source: ['x'] }) });
      expect(logOf('eventbridge/rules.json')).toContain('rule-written-first');
      await callJson(events, 'AWSEvents.PutTargets', {
        Rule: 'rule-written-first',
        Targets: [{ Id: 'target-written-first', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' }],
      });
      expect(logOf('eventbridge/rules.json')).toContain('target-written-first');
      const { stateMachineArn } = await callJson(sfn, 'AWSStepFunctions.CreateStateMachine', {
        name: 'machine-written-first',
        definition: WAIT,
        roleArn: ROLE,
      });
      expect(logOf('stepfunctions/state-machines.json')).toContain('machine-written-first');
      await callJson(sfn, 'AWSStepFunctions.StartExecution', { stateMachineArn, name: 'execution-written-first' });
      expect(logOf('stepfunctions/executions.json')).toContain('execution-written-first');
    } finally {
      await alarms.close();
      await bus.close();
      await engine.close();
      await folder.remove();
    }
  });
});
