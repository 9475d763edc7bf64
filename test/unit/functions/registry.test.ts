import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, TASK_FACTORIES } from '../../../functions/index.ts';

const handlerFiles = readdirSync('functions')
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

describe('FUNCTIONS registry', () => {
  it('has one entry per functions/<name>.ts handler and per task', () => {
    expect(Object.keys(FUNCTIONS).sort()).toEqual(handlerFiles);
    expect(Object.keys(TASK_FACTORIES).sort()).toEqual(handlerFiles);
  });

  it('lists IAM actions as service:Action, never a wildcard, without duplicates', () => {
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      for (const action of spec.actions) expect(action, name).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      expect(new Set(spec.actions).size, name).toBe(spec.actions.length);
    }
  });

  it('gives the router StartExecution only: it reads nothing and writes no DNS', () => {
    expect(FUNCTIONS.router.actions).toEqual(['states:StartExecution']);
  });

  it('gives DNS write access only to functions that change records', () => {
    const writers = Object.entries(FUNCTIONS)
      .filter(([, spec]) => (spec.actions as string[]).includes('route53:ChangeResourceRecordSets'))
      .map(([name]) => name);
    expect(writers).not.toContain('router');
    expect(writers).not.toContain('finishOperation');
    expect(writers).not.toContain('failoverDecide');
    expect(writers).toContain('applyWeights');
  });

  it.each(handlerFiles)('functions/%s.ts is a thin shell: lambdaHandler around the task of the same name', (name) => {
    const text = readFileSync(`functions/${name}.ts`, 'utf8');
    // The code besides comments and imports, as one line (Prettier may wrap a long call).
    const code = text
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('//') && !line.startsWith('import'))
      .map((line) => line.trim())
      .join(' ')
      .replace(/\( /g, '(')
      .replace(/,? \)/g, ')');
    expect(code).toMatch(new RegExp(`^export const handler = lambdaHandler\\('${name}', ${name}, containerDeps\\(\\{[^;]*\\}\\)\\);$`));
  });

  it.each(handlerFiles)('functions/%s.ts exports a handler', async (name) => {
    const module = (await import(`../../../functions/${name}.ts`)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });
});
