// kill -9 while Step Functions, EventBridge and the CloudWatch alarms write: a child process
// (fixtures/state-writer.ts) changes one service through its API and reports each answered
// change; killed at a random moment (often mid-append or mid-compaction), the state it
// leaves holds every answered change, and each change whole or not at all.
import { describe, expect, it } from 'vitest';
import { LocalAlarms } from '../../src/cloudwatch/alarms.ts';
import { LocalEventBus } from '../../src/eventbridge/bus.ts';
import { LocalStepFunctions } from '../../src/stepfunctions/engine.ts';
import { runAndKill } from '../kill-child.ts';
import { temporaryFolder } from './harness.ts';

const CHILD = new URL('../fixtures/state-writer.ts', import.meta.url).pathname;
/** As in the writer: alarms it cycles through, targets per rule. */
const ALARMS = 7;
const TARGETS = 3;

/** Starts the writer on one service, kills it with SIGKILL after `acks` answered changes plus `extraMs`; returns the last ack seen. */
async function killedAfter(service: string, stateDir: string, acks: number, extraMs: number): Promise<number> {
  return (await runAndKill([CHILD, service, stateDir], acks, extraMs)).lastAck;
}

const kills = [
  [40, 0],
  [150, 1],
  [300, 3],
] as const;

describe('local services: kill -9 while writing', () => {
  it.each(kills)(
    'CloudWatch alarms after %i answered SetAlarmState (+%i ms): every alarm holds its last answered state or a later one',
    async (acks, extraMs) => {
      const folder = await temporaryFolder('cw-kill');
      try {
        const lastAck = await killedAfter('cloudwatch', folder.path, acks, extraMs);
        const alarms = await LocalAlarms.open({ stateDir: folder.path });
        for (let i = 0; i < ALARMS; i++) {
          // The last answered change of alarm i, and what the alarm holds now.
          const answered = lastAck - ((((lastAck - i) % ALARMS) + ALARMS) % ALARMS);
          const alarm = alarms.get(`a${i}`)!;
          const held = Number(/^change (\d+)$/.exec(alarm.reason)?.[1] ?? 0);
          expect({ alarm: i, atLeast: held >= answered }).toEqual({ alarm: i, atLeast: true });
          // Whole: the state value is the one that change set.
          if (held > 0) expect({ alarm: i, state: alarm.state }).toEqual({ alarm: i, state: held % 2 === 0 ? 'OK' : 'ALARM' });
        }
        await alarms.close();
      } finally {
        await folder.remove();
      }
    },
  );

  it.each(kills)('EventBridge after %i answered rules with targets (+%i ms): loses none, and no PutTargets by half', async (acks, extraMs) => {
    const folder = await temporaryFolder('eb-kill');
    try {
      const lastAck = await killedAfter('eventbridge', folder.path, acks, extraMs);
      const bus = await LocalEventBus.open({ stateDir: folder.path });
      const rules = bus.listRules().map((rule) => ({ n: Number(rule.Name.slice(1)), targets: rule.targets.length }));
      const numbers = rules.map((rule) => rule.n).sort((a, b) => a - b);
      expect(numbers.length).toBeGreaterThanOrEqual(lastAck);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
      for (const rule of rules) {
        // Answered rules have all their targets; the one in flight has all or none.
        if (rule.n <= lastAck) expect(rule).toEqual({ n: rule.n, targets: TARGETS });
        else expect([0, TARGETS]).toContain(rule.targets);
      }
      await bus.close();
    } finally {
      await folder.remove();
    }
  });

  it.each(kills)(
    'Step Functions after %i answered StartExecution (+%i ms): loses none, and every history is whole up to where it stopped',
    async (acks, extraMs) => {
      const folder = await temporaryFolder('sfn-kill');
      try {
        const lastAck = await killedAfter('stepfunctions', folder.path, acks, extraMs);
        const engine = await LocalStepFunctions.open({ handlers: {}, stateDir: folder.path, waitScale: 0 });
        const [machine] = engine.listStateMachines().items;
        const listed = engine.listExecutions({ stateMachineArn: machine!.stateMachineArn, maxResults: 1000 });
        const executions = [...listed.items];
        for (let token = listed.nextToken; token !== undefined;) {
          const page = engine.listExecutions({ stateMachineArn: machine!.stateMachineArn, maxResults: 1000, nextToken: token });
          executions.push(...page.items);
          token = page.nextToken;
        }
        const numbers = executions.map((e) => Number(e.name.slice(1))).sort((a, b) => a - b);
        expect(numbers.length).toBeGreaterThanOrEqual(lastAck);
        expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
        const interrupted = new Set(engine.interruptedExecutions().map((e) => e.executionArn));
        for (const summary of executions) {
          const record = await engine.describeExecution(summary.executionArn);
          // Events 1..k in order; a closed execution ends with its end event, a RUNNING one is reported interrupted.
          expect(record.history.map((event) => event.id)).toEqual(record.history.map((_, i) => i + 1));
          expect(record.input).toBe(JSON.stringify({ n: Number(summary.name.slice(1)) }));
          if (record.status === 'RUNNING') expect(interrupted.has(record.executionArn)).toBe(true);
          else
            expect({ name: record.name, status: record.status, last: record.history.at(-1)?.type }).toEqual({
              name: record.name,
              status: 'SUCCEEDED',
              last: 'ExecutionSucceeded',
            });
        }
        await engine.close();
      } finally {
        await folder.remove();
      }
    },
  );
});
