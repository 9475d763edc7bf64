// `"ResultPath": "$"` means "the result replaces the whole input", on a state and on a
// Catch (docs/local-platform.md). aws-local-stepfunctions 3.0.0 strips a leading "$." and
// sets the rest, so "$" alone becomes a field named "$" in the input instead. An absent
// ResultPath means "$" in the library as on AWS, so dropping the key gives AWS's answer.
import { forEachState, type AslObject } from './definition.ts';

/** Removes every `"ResultPath": "$"` of `definition` (states and Catch clauses, nested Maps and branches included), in place. */
export function dropRootResultPaths(definition: AslObject): void {
  forEachState(definition, (_name, state) => {
    if (state['ResultPath'] === '$') delete state['ResultPath'];
    const catchers = state['Catch'];
    if (!Array.isArray(catchers)) return;
    for (const catcher of catchers) {
      if (catcher !== null && typeof catcher === 'object' && (catcher as AslObject)['ResultPath'] === '$') delete (catcher as AslObject)['ResultPath'];
    }
  });
}
