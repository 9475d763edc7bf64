// One name for the event-bus variable: SWITCHYARD_BUS (what users type for
// `discover --watch`, and what the deploy sets), SWITCHYARD_EVENT_BUS kept as its alias.
import { describe, expect, it } from 'vitest';
import { BUS_ENV, BUS_ENV_ALIAS, busFromEnv } from '../../../src/core/events.ts';
import { RUNTIME_ENV } from '../../../stacks/deployment.ts';
import { fixturePlan } from '../../deploy/helpers.ts';

describe('busFromEnv', () => {
  it.each([
    [
      { SWITCHYARD_BUS: 'a', SWITCHYARD_EVENT_BUS: 'b' },
      { bus: 'a', variable: 'SWITCHYARD_BUS' },
    ],
    [{ SWITCHYARD_EVENT_BUS: 'b' }, { bus: 'b', variable: 'SWITCHYARD_EVENT_BUS' }],
    [
      { SWITCHYARD_BUS: '', SWITCHYARD_EVENT_BUS: 'b' },
      { bus: 'b', variable: 'SWITCHYARD_EVENT_BUS' },
    ],
    [{}, undefined],
  ])('%j → %j', (env, expected) => {
    expect(busFromEnv(env)).toEqual(expected);
  });
});

describe("the deployed functions' bus variables", () => {
  it('set SWITCHYARD_BUS, and SWITCHYARD_EVENT_BUS to the same bus', async () => {
    // Prepare
    const plan = await fixturePlan();
    // Act
    const env = plan.functions[0]!.environment;
    // Assess
    expect([RUNTIME_ENV.eventBus, RUNTIME_ENV.eventBusAlias]).toEqual([BUS_ENV, BUS_ENV_ALIAS]);
    expect(BUS_ENV).toBe('SWITCHYARD_BUS');
    expect(env['SWITCHYARD_BUS']).toBe('switchyard-dev-bus');
    expect(env['SWITCHYARD_EVENT_BUS']).toBe('switchyard-dev-bus');
    expect(busFromEnv(env)).toEqual({ bus: 'switchyard-dev-bus', variable: 'SWITCHYARD_BUS' });
  });
});
