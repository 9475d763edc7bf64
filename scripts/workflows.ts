// Writes workflows/<Name>.asl.json, the state machines the deploy and the local engine read,
// from their builders in src/workflows. `npm test` fails when the committed files are not
// what this writes: run `npm run workflows` after changing a workflow (docs/workflows.md,
// "How to change a workflow").
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WORKFLOWS, workflowText } from '../src/workflows/index.ts';
import type { WorkflowName } from '../src/core/ports.ts';

export const WORKFLOWS_DIR = join(import.meta.dirname, '..', 'workflows');

export const workflowFile = (name: WorkflowName): string => join(WORKFLOWS_DIR, `${name}.asl.json`);

if (process.argv[1] === import.meta.filename) {
  for (const name of Object.keys(WORKFLOWS) as WorkflowName[]) {
    await writeFile(workflowFile(name), workflowText(name));
    console.log(`wrote ${workflowFile(name)}`);
  }
}
