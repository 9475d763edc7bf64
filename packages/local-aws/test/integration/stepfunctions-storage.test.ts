// The local Step Functions' state on disk: names never become paths, closed executions are
// read lazily after a restart, and retention bounds what is kept.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../src/stepfunctions/engine.ts';
import { stepFunctionsService } from '../../src/stepfunctions/service.ts';
import { clientConfig, serve, temporaryFolder } from './harness.ts';

const ROLE = 'arn:aws:iam::000000000000:role/switchyard-local';
const PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
const WAIT = JSON.stringify({ StartAt: 'Long', States: { Long: { Type: 'Wait', SecondsPath: '$.seconds', End: true } } });
const DAY_MS = 86_400_000;

async function thrown(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('local Step Functions: names are never paths', () => {
  it("a machine named '..' with an execution named 'state-machines' overwrites nothing, and the service opens again", async () => {
    // Prepare
    const folder = await temporaryFolder('sfn-names');
    const options = { handlers: {}, stateDir: folder.path, waitScale: 0 };
    try {
      const first = await LocalStepFunctions.open(options);
      const endpoint = await serve(stepFunctionsService(first));
      const sfn = new SFNClient(clientConfig(endpoint));
      const arns: string[] = [];
      // Act: names AWS accepts, chosen to land on the service's own files if they were paths
      for (const [machine, execution] of [
        ['..', 'state-machines'],
        ['.', '..'],
        ['..', 'execution-index'],
        ['executions', '.'],
      ] as const) {
        const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: machine, definition: PASS, roleArn: ROLE }));
        const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: execution, input: '{"n":1}' }));
        await first.waitForExecution(executionArn!);
        arns.push(executionArn!);
      }
      sfn.destroy();
      await endpoint.close();

      // Assess: the machines file is still the list of machines, and a restart reads everything back
      const { machines } = JSON.parse(await readFile(join(folder.path, 'stepfunctions', 'state-machines.json'), 'utf8')) as {
        machines: Array<{ name: string }>;
      };
      expect(machines.map((m) => m.name).sort()).toEqual(['.', '..', 'executions']);
      const files = await filesUnder(join(folder.path, 'stepfunctions'));
      expect(files.filter((f) => f.startsWith('execution-bodies/'))).toHaveLength(4);
      expect(files.every((f) => /^(state-machines\.json|executions\.json|execution-bodies\/[0-9a-f]{64}\.json)$/.test(f))).toBe(true);
      const second = await LocalStepFunctions.open(options);
      for (const arn of arns) expect(await second.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', input: '{"n":1}' });
      await second.close();
    } finally {
      await folder.remove();
    }
  });

  it('says which file is wrong when state-machines.json is not a list (as an earlier version could leave it)', async () => {
    const folder = await temporaryFolder('sfn-clobbered');
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(folder.path, 'stepfunctions'), { recursive: true });
      await writeFile(join(folder.path, 'stepfunctions', 'state-machines.json'), JSON.stringify({ executionArn: 'x', status: 'SUCCEEDED' }));
      await expect(LocalStepFunctions.open({ handlers: {}, stateDir: folder.path })).rejects.toThrow(
        /state-machines\.json is not a list of state machines.*--reset/,
      );
    } finally {
      await folder.remove();
    }
  });

  it('refuses names AWS refuses, with its errors, before looking the machine up', async () => {
    // Prepare
    const engine = await LocalStepFunctions.open({ handlers: {}, waitScale: 0 });
    const endpoint = await serve(stepFunctionsService(engine));
    const sfn = new SFNClient(clientConfig(endpoint));
    try {
      const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'Pass', definition: PASS, roleArn: ROLE }));
      const missing = stateMachineArn!.replace(':Pass', ':Missing');
      const long = 'a'.repeat(81);
      // Act
      const tooLong = await thrown(sfn.send(new StartExecutionCommand({ stateMachineArn: missing, name: long })));
      const slash = await thrown(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'a/b' })));
      const machineTooLong = await thrown(sfn.send(new CreateStateMachineCommand({ name: long, definition: PASS, roleArn: ROLE })));
      const machineSlash = await thrown(sfn.send(new CreateStateMachineCommand({ name: '../x', definition: PASS, roleArn: ROLE })));
      // Assess
      expect(tooLong).toMatchObject({
        name: 'ValidationException',
        status: 400,
        message: `1 validation error detected: Value '${long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`,
      });
      expect(slash).toMatchObject({ name: 'InvalidName', status: 400, message: "Invalid Name: 'a/b'" });
      expect(machineTooLong).toMatchObject({ name: 'ValidationException', status: 400 });
      expect(machineSlash).toMatchObject({ name: 'InvalidName', status: 400 });
    } finally {
      sfn.destroy();
      await endpoint.close();
    }
  });
});

describe('local Step Functions: request limits', () => {
  it('refuses an execution input over 256 KiB (UTF-8 bytes) with ValidationException and starts nothing; 256 KiB exactly is fine', async () => {
    // Prepare
    const engine = await LocalStepFunctions.open({ handlers: {}, waitScale: 0 });
    const endpoint = await serve(stepFunctionsService(engine));
    const sfn = new SFNClient(clientConfig(endpoint));
    try {
      const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'Pass', definition: PASS, roleArn: ROLE }));
      const exactly = `"${'a'.repeat(262_144 - 2)}"`;
      // 'é' is two bytes: 131,072 characters are 262,144 bytes, plus the quotes
      const overInBytes = `"${'é'.repeat(131_072)}"`;
      // Act
      const tooLarge = await thrown(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'big', input: overInBytes })));
      const fits = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'fits', input: exactly }));
      const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      // Assess
      expect(tooLarge).toMatchObject({
        name: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding",
      });
      expect(fits.executionArn).toMatch(/:fits$/);
      expect(listed.executions?.map((e) => e.name)).toEqual(['fits']);
    } finally {
      sfn.destroy();
      await endpoint.close();
    }
  });
});

describe('local Step Functions: closed executions after a restart', () => {
  it('lists closed executions from the index without reading their bodies, and reads a body only when asked for', async () => {
    // Prepare: 30 closed executions and one the "dead" process left RUNNING
    const folder = await temporaryFolder('sfn-lazy');
    const options = { handlers: {}, stateDir: folder.path, waitScale: 1 };
    try {
      const first = await LocalStepFunctions.open(options);
      const { stateMachineArn } = first.createStateMachine({ name: 'Waiter', definition: WAIT, roleArn: ROLE });
      const closed: string[] = [];
      for (let i = 0; i < 30; i++) {
        const { executionArn } = first.startExecution({ stateMachineArn, name: `run-${i}`, input: '{"seconds":0}' });
        await first.waitForExecution(executionArn);
        closed.push(executionArn);
      }
      const running = first.startExecution({ stateMachineArn, name: 'running', input: '{"seconds":600}' });
      await first.close();
      // Every closed body but one is replaced by garbage: reading any of them would fail
      const bodies = join(folder.path, 'stepfunctions', 'execution-bodies');
      const kept = (await bodyFileOf(bodies, closed[0]!))!;
      for (const file of await readdir(bodies))
        if (file !== kept) {
          const text = await readFile(join(bodies, file), 'utf8');
          if (!text.includes('"status":"RUNNING"')) await writeFile(join(bodies, file), 'not json');
        }

      // Act
      const second = await LocalStepFunctions.open(options);
      const endpoint = await serve(stepFunctionsService(second));
      const sfn = new SFNClient(clientConfig(endpoint));
      const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }));
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: closed[0] }));
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: closed[0] }));

      // Assess
      expect(listed.executions).toHaveLength(31);
      expect(listed.executions?.filter((e) => e.status === 'SUCCEEDED')).toHaveLength(30);
      expect(second.interruptedExecutions().map((e) => e.executionArn)).toEqual([running.executionArn]);
      expect(described).toMatchObject({ status: 'SUCCEEDED', input: '{"seconds":0}', output: '{"seconds":0}' });
      expect(history.events?.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']);
      sfn.destroy();
      await endpoint.close();
    } finally {
      await folder.remove();
    }
  });

  it('moves the layout of an earlier version (a summaries index and every body), repairing an index that lags behind the bodies', async () => {
    // Prepare
    const folder = await temporaryFolder('sfn-index');
    const options = { handlers: {}, stateDir: folder.path, waitScale: 0 };
    try {
      const first = await LocalStepFunctions.open(options);
      const { stateMachineArn } = first.createStateMachine({ name: 'Pass', definition: PASS, roleArn: ROLE });
      const { executionArn } = first.startExecution({ stateMachineArn, name: 'one' });
      await first.waitForExecution(executionArn);
      await first.close();
      // The earlier layout: no change log, every body in execution-bodies/, and an index the
      // process died before writing.
      await rm(join(folder.path, 'stepfunctions', 'executions.json'));
      await writeFile(join(folder.path, 'stepfunctions', 'execution-index.json'), JSON.stringify({ version: 1, executions: [] }));
      // Act
      const second = await LocalStepFunctions.open(options);
      // Assess
      expect(second.listExecutions({ stateMachineArn }).items.map((e) => e.name)).toEqual(['one']);
      expect(await second.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED' });
      await second.close();
      expect(await readdir(join(folder.path, 'stepfunctions'))).not.toContain('execution-index.json');
      const third = await LocalStepFunctions.open(options);
      expect(third.listExecutions({ stateMachineArn }).items.map((e) => e.name)).toEqual(['one']);
      await third.close();
    } finally {
      await folder.remove();
    }
  });

  it('reads executions kept in the layout before bodies were keyed by hash, and moves them', async () => {
    // Prepare: executions/<machine>/<name>.json as earlier versions wrote them
    const folder = await temporaryFolder('sfn-legacy');
    const options = { handlers: {}, stateDir: folder.path, waitScale: 0 };
    try {
      const first = await LocalStepFunctions.open(options);
      const { stateMachineArn } = first.createStateMachine({ name: 'Pass', definition: PASS, roleArn: ROLE });
      await first.close();
      const executionArn = stateMachineArn.replace(':stateMachine:', ':execution:') + ':old';
      const legacy = {
        executionArn,
        stateMachineArn,
        name: 'old',
        status: 'SUCCEEDED',
        startDate: Date.now() - 1000,
        stopDate: Date.now(),
        input: '{}',
        output: '{}',
        history: [],
      };
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(folder.path, 'stepfunctions', 'executions', 'Pass'), { recursive: true });
      await writeFile(join(folder.path, 'stepfunctions', 'executions', 'Pass', 'old.json'), JSON.stringify(legacy));
      // Act
      const second = await LocalStepFunctions.open(options);
      await second.close();
      const third = await LocalStepFunctions.open(options);
      // Assess
      expect(await third.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', name: 'old' });
      expect(await readdir(join(folder.path, 'stepfunctions'))).not.toContain('executions');
      await third.close();
    } finally {
      await folder.remove();
    }
  });
});

describe('local Step Functions: retention', () => {
  it('keeps at most the configured number of closed executions per state machine, deleting the oldest bodies', async () => {
    // Prepare
    const folder = await temporaryFolder('sfn-count');
    const options = { handlers: {}, stateDir: folder.path, waitScale: 0, retention: { maxClosedPerStateMachine: 10 } };
    try {
      const engine = await LocalStepFunctions.open(options);
      const { stateMachineArn } = engine.createStateMachine({ name: 'Pass', definition: PASS, roleArn: ROLE });
      // Act
      for (let i = 0; i < 25; i++)
        await engine.waitForExecution(engine.startExecution({ stateMachineArn, name: `run-${String(i).padStart(2, '0')}` }).executionArn);
      await engine.flush();
      const names = engine.listExecutions({ stateMachineArn, maxResults: 100 }).items.map((e) => e.name);
      const bodies = await readdir(join(folder.path, 'stepfunctions', 'execution-bodies'));
      await engine.close();
      const reopened = await LocalStepFunctions.open(options);
      // Assess: never more than 10; the newest stay, the oldest are gone with their files
      expect(names.length).toBeLessThanOrEqual(10);
      expect(names).toContain('run-24');
      expect(names).not.toContain('run-00');
      expect(bodies).toHaveLength(names.length);
      await expect(reopened.describeExecution(stateMachineArn.replace(':stateMachine:', ':execution:') + ':run-00')).rejects.toMatchObject({
        name: 'ExecutionDoesNotExist',
      });
      expect(
        reopened
          .listExecutions({ stateMachineArn, maxResults: 100 })
          .items.map((e) => e.name)
          .sort(),
      ).toEqual([...names].sort());
      await reopened.close();
    } finally {
      await folder.remove();
    }
  });

  it('forgets closed executions 90 days after they stopped, as AWS does, and keeps running ones', async () => {
    // Prepare
    const folder = await temporaryFolder('sfn-age');
    let now = Date.now();
    const options = { handlers: {}, stateDir: folder.path, waitScale: 1, now: () => now };
    try {
      const first = await LocalStepFunctions.open(options);
      const { stateMachineArn } = first.createStateMachine({ name: 'Waiter', definition: WAIT, roleArn: ROLE });
      const old = first.startExecution({ stateMachineArn, name: 'old', input: '{"seconds":0}' });
      await first.waitForExecution(old.executionArn);
      const running = first.startExecution({ stateMachineArn, name: 'running', input: '{"seconds":600}' });
      await first.close();
      // Act: 89 days later it is still there; 91 days later it is gone
      now += 89 * DAY_MS;
      const second = await LocalStepFunctions.open(options);
      const after89 = second
        .listExecutions({ stateMachineArn })
        .items.map((e) => e.name)
        .sort();
      await second.close();
      now += 2 * DAY_MS;
      const third = await LocalStepFunctions.open(options);
      const after91 = third.listExecutions({ stateMachineArn }).items.map((e) => e.name);
      // Assess
      expect(after89).toEqual(['old', 'running']);
      expect(after91).toEqual(['running']);
      await expect(third.describeExecution(old.executionArn)).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
      expect(third.interruptedExecutions().map((e) => e.executionArn)).toEqual([running.executionArn]);
      await third.close();
    } finally {
      await folder.remove();
    }
  });
});

/** The body file of an execution, found by its content (the test does not assume the naming). */
async function bodyFileOf(bodies: string, executionArn: string): Promise<string | undefined> {
  for (const file of await readdir(bodies)) {
    const text = await readFile(join(bodies, file), 'utf8');
    if (text.includes(`"executionArn":"${executionArn}"`)) return file;
  }
  return undefined;
}
