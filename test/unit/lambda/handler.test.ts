import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { DrainUnsafe } from '../../../src/core/errors.ts';
import type { Deps } from '../../../src/core/ports.ts';
import { buildDeps, containerDeps } from '../../../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../../../src/lambda/env/table.ts';
import { workflowsFromEnv } from '../../../src/lambda/env/workflows.ts';
import { lambdaHandler } from '../../../src/lambda/handler.ts';

const context = { functionName: 'test', awsRequestId: 'r1', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

function fleetFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-fleet-'));
  writeFileSync(join(dir, 'fleet.yaml'), readFileSync('examples/fleet/fleet.yaml', 'utf8').replace(/^endpointsFile:.*$/m, ''));
  return join(dir, 'fleet.yaml');
}

describe('lambdaHandler', () => {
  it('runs the task with the container deps and returns its result', async () => {
    // Prepare
    const deps = { fleet: { ownerId: 'o' } } as unknown as Deps;
    const handler = lambdaHandler(
      'echo',
      (d) => async (input) => ({ owner: d.fleet.ownerId, input }),
      async () => deps,
    );
    // Act
    const result = await handler({ a: 1 }, context);
    // Assess
    expect(result).toEqual({ owner: 'o', input: { a: 1 } });
  });

  it('rethrows a named error unchanged, so Step Functions matches its name', async () => {
    // Prepare
    const log = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const handler = lambdaHandler(
      'refuse',
      () => async () => Promise.reject(new DrainUnsafe('no')),
      async () => ({}) as Deps,
    );
    // Act
    const result = handler({}, context);
    // Assess
    await expect(result).rejects.toMatchObject({ name: 'DrainUnsafe', message: 'no' });
    log.mockRestore();
  });
});

describe('deps from the environment', () => {
  it('builds the ports a function names, and stand-ins that refuse loudly for the others', async () => {
    // Prepare
    const env = { SWITCHYARD_FLEET_FILE: fleetFile(), SWITCHYARD_STAGE: 'test', SWITCHYARD_TABLE: 'switchyard-test-state' };
    // Act
    const deps = await buildDeps({ table: tableFromEnv }, env);
    // Assess
    expect(deps.fleet.ownerId).toBe('switchyard-example');
    expect(deps.stage).toBe('test');
    expect(typeof deps.table.readFleet).toBe('function');
    expect(() => deps.dns.apply({} as never)).toThrow(/the dns port is not available to this function/);
    expect(() => deps.workflows.start('Reconcile', 'x', {})).toThrow(/the workflows port is not available/);
  });

  it('names the missing environment variable', async () => {
    await expect(buildDeps({ table: tableFromEnv }, {})).rejects.toThrow(/SWITCHYARD_FLEET_FILE is not set/);
    // Without its stage a function cannot tell its alarms from another stage's.
    await expect(buildDeps({ table: tableFromEnv }, { SWITCHYARD_FLEET_FILE: fleetFile(), SWITCHYARD_TABLE: 't' })).rejects.toThrow(
      /SWITCHYARD_STAGE is not set/,
    );
    await expect(buildDeps({ table: tableFromEnv }, { SWITCHYARD_FLEET_FILE: fleetFile(), SWITCHYARD_STAGE: 'test' })).rejects.toThrow(
      /SWITCHYARD_TABLE is not set/,
    );
    await expect(buildDeps({ workflows: workflowsFromEnv }, { SWITCHYARD_FLEET_FILE: fleetFile(), SWITCHYARD_STAGE: 'test' })).rejects.toThrow(
      /SWITCHYARD_STATE_MACHINES is not set/,
    );
  });

  it('retries a failed build on the next invocation', async () => {
    // Prepare
    const env: NodeJS.ProcessEnv = {};
    const deps = containerDeps({}, env);
    // Act
    const first = deps();
    await expect(first).rejects.toThrow(/SWITCHYARD_FLEET_FILE/);
    env.SWITCHYARD_FLEET_FILE = fleetFile();
    env.SWITCHYARD_STAGE = 'test';
    // Assess
    expect((await deps()).fleet.ownerId).toBe('switchyard-example');
  });
});
