// Writes docs/fleet.schema.json, the JSON Schema of fleet.yaml, from the zod schema the CLI
// and the functions validate with (editors use it for completion and checks). `npm test`
// fails when the committed file is not what this writes: run `npm run schema` after a
// change to src/core/config.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fleetJsonSchema } from '../src/core/config.ts';

export const FLEET_SCHEMA_FILE = join(import.meta.dirname, '..', 'docs', 'fleet.schema.json');

export function fleetSchemaText(): string {
  return `${JSON.stringify(fleetJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === import.meta.filename) {
  await writeFile(FLEET_SCHEMA_FILE, fleetSchemaText());
  console.log(`wrote ${FLEET_SCHEMA_FILE}`);
}
