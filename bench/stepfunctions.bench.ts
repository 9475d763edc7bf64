// Local Step Functions throughput: N short executions, each five Lambda Tasks in a row
// (in-process handlers that return at once, as a warm Lambda would), all started at once
// on one LocalStepFunctions with a state folder (as the runtime runs it: every execution
// is persisted) and waited for. Executions per second = N / (last end − first start),
// at three sizes; the growth check fails when the CPU time grows faster than the size
// (bench/lib/growth.ts). Target at 1,000: over 200 executions per second.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStepFunctions } from '@switchyard/local-aws/stepfunctions';
import { growthTarget, type SizePoint } from './lib/growth.ts';

const SIZES = [250, 1000, 4000] as const;
const TARGET_SIZE = 1000;
const TARGET_PER_SECOND = 200;
const TASKS = 5;

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** Five Lambda Tasks in a row, each handing its result on (the shape of a short Switchyard workflow). */
const DEFINITION = JSON.stringify({
  StartAt: 'Task1',
  States: Object.fromEntries(
    Array.from({ length: TASKS }, (_, i) => [
      `Task${i + 1}`,
      {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: '${step}', 'Payload.$': '$' },
        ResultSelector: { 'step.$': '$.Payload.step', 'app.$': '$.Payload.app' },
        ...(i + 1 < TASKS ? { Next: `Task${i + 2}` } : { End: true }),
      },
    ]),
  ),
});

const handlers = {
  step: async (input: unknown) => {
    const { step = 0, app } = input as { step?: number; app: string };
    return { step: step + 1, app };
  },
};

async function throughput(executions: number): Promise<{ executions: number; seconds: number; cpuSeconds: number; perSecond: number }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'switchyard-bench-sfn-'));
  const engine = await LocalStepFunctions.open({ handlers, waitScale: 0, stateDir });
  try {
    const { stateMachineArn } = engine.createStateMachine({ name: 'Short', definition: DEFINITION, roleArn: 'arn:aws:iam::000000000000:role/bench' });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const arns = Array.from(
      { length: executions },
      (_, i) => engine.startExecution({ stateMachineArn, name: `run-${i}`, input: JSON.stringify({ app: `app-${i}.example.com` }) }).executionArn,
    );
    const ended = await Promise.all(arns.map((arn) => engine.waitForExecution(arn)));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const wrong = ended.find((record) => record.status !== 'SUCCEEDED' || (JSON.parse(record.output ?? '{}') as { step?: number }).step !== TASKS);
    if (wrong !== undefined) throw new Error(`${wrong.name} ended ${wrong.status} with ${wrong.output ?? ''} ${wrong.error ?? ''} ${wrong.cause ?? ''}`);
    return { executions, seconds: round(seconds, 3), cpuSeconds: round((used.user + used.system) / 1e6, 3), perSecond: Math.round(executions / seconds) };
  } finally {
    await engine.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  // A first small run warms the compiler, so the smallest size is not charged for it.
  await throughput(50);
  const runs = [];
  for (const size of SIZES) runs.push(await throughput(size));
  const at = runs.find((r) => r.executions === TARGET_SIZE)!;
  // CPU time: on a shared machine it varies far less than wall time.
  const points: SizePoint[] = runs.map((r) => ({ size: r.executions, value: r.cpuSeconds }));
  return {
    tasksPerExecution: TASKS,
    runs,
    targets: [
      {
        name: `local Step Functions, ${TARGET_SIZE} executions of ${TASKS} Lambda Tasks: executions/second`,
        target: `> ${TARGET_PER_SECOND}`,
        actual: at.perSecond,
        pass: at.perSecond > TARGET_PER_SECOND,
      },
      growthTarget('local Step Functions: CPU seconds for N executions', points),
    ],
  };
}
