// One declaration per function (functions/index.ts): the ports its handler builds, and
// the IAM actions derived from them. The handler file must build exactly the declared
// ports, so what is granted is what the code can call.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, PORT_ACTIONS } from '../../functions/index.ts';
import { ROOT } from './helpers.ts';

const handlerNames = readdirSync(join(ROOT, 'functions'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

/** The keys of the object literal a handler passes to containerDeps({...}). */
function builtPorts(name: string): string[] {
  const text = readFileSync(join(ROOT, 'functions', `${name}.ts`), 'utf8');
  const literal = /containerDeps\(\{([^}]*)\}\)/.exec(text)?.[1];
  if (literal === undefined) throw new Error(`functions/${name}.ts: no containerDeps({ ... }) call`);
  return literal
    .split(',')
    .map((entry) => entry.split(':')[0]!.trim())
    .filter((key) => key !== '')
    .sort();
}

describe('FUNCTIONS declarations', () => {
  it.each(handlerNames)('functions/%s.ts builds exactly the ports its declaration lists', (name) => {
    const spec = FUNCTIONS[name as keyof typeof FUNCTIONS];
    expect(spec, `FUNCTIONS.${name}`).toBeDefined();
    expect(builtPorts(name)).toEqual([...spec.ports].sort());
  });

  it('derives every function’s actions from its ports, and nothing else', () => {
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      const expected = [...new Set(spec.ports.flatMap((port) => PORT_ACTIONS[port]))].sort();
      expect(spec.actions, name).toEqual(expected);
    }
  });

  it('keeps each port’s action list free of wildcards and duplicates', () => {
    for (const [port, actions] of Object.entries(PORT_ACTIONS)) {
      for (const action of actions) expect(action, port).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      expect(new Set(actions).size, port).toBe(actions.length);
    }
  });
});
