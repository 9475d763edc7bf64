// docs/fleet.schema.json: generated from the zod schema (scripts/fleet-schema.ts), current,
// and it accepts the example fleet and refuses what parseFleetConfig refuses field by field.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FLEET_SCHEMA_FILE, fleetSchemaText } from '../../../scripts/fleet-schema.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'examples', 'fleet', 'fleet.yaml');

async function validator() {
  const schema = JSON.parse(await readFile(FLEET_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  return new Ajv2020({ strict: false, allErrors: true }).compile(schema);
}

describe('docs/fleet.schema.json', () => {
  it('is what scripts/fleet-schema.ts writes (run `npm run schema` after changing src/core/config.ts)', async () => {
    expect(await readFile(FLEET_SCHEMA_FILE, 'utf8')).toBe(fleetSchemaText());
  });

  it('accepts the example fleet', async () => {
    const validate = await validator();
    const fleet: unknown = parse(await readFile(EXAMPLE, 'utf8'));
    expect(validate(fleet), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses a typo, a wrong type and a bad enum value, as the CLI does', async () => {
    const validate = await validator();
    const fleet = parse(await readFile(EXAMPLE, 'utf8')) as { policy: string; ttl: unknown; clusters: Array<Record<string, unknown>> };
    expect(validate({ ...fleet, policy: 'delete-all' })).toBe(false);
    expect(validate({ ...fleet, ttl: 'soon' })).toBe(false);
    expect(validate({ ...fleet, clusters: [{ ...fleet.clusters[0], wieght: 5 }] })).toBe(false);
  });
});
