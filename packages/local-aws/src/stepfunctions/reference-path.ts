// ASL Reference Paths (`$.a.b`, `$['a'][0]`, `$$.Execution.Id`): the JSONPath subset
// that SecondsPath and TimestampPath may use. Needed to scale Wait states, which the
// runner executes itself.
import { InvalidInput } from '../errors.ts';

type Step = string | number;

const STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\])/;

export function parseReferencePath(path: string): { root: '$' | '$$'; steps: Step[] } {
  const root = path.startsWith('$$') ? '$$' : path.startsWith('$') ? '$' : undefined;
  if (root === undefined) throw new InvalidInput(`reference path "${path}" must start with $`);
  const steps: Step[] = [];
  let rest = path.slice(root.length);
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (!match) throw new InvalidInput(`reference path "${path}" is not a plain path (at "${rest}")`);
    if (match[4] !== undefined) steps.push(Number(match[4]));
    else steps.push((match[1] ?? match[2] ?? match[3])!);
    rest = rest.slice(match[0].length);
  }
  return { root, steps };
}

/** The value at the path, or undefined when a step is missing. */
export function readReferencePath(path: string, input: unknown, context: unknown): unknown {
  const { root, steps } = parseReferencePath(path);
  let value: unknown = root === '$$' ? context : input;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}
