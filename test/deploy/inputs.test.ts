import { mkdtemp, mkdir, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { DEFAULT_FLEET } from '../../src/core/config.ts';
import { fleetPath, readDeploySources } from '../../stacks/inputs.ts';
import { parseRegistry } from '../../stacks/registry.ts';
import { FUNCTIONS } from './fixtures/registry.ts';
import { FIXTURES, fixtureSources } from './helpers.ts';

describe('fleetPath', () => {
  it('is SWITCHYARD_FLEET, else the example fleet', () => {
    expect(fleetPath({ SWITCHYARD_FLEET: './fleets/prod' })).toBe('./fleets/prod');
    expect(fleetPath({ SWITCHYARD_FLEET: '  ' })).toBe(DEFAULT_FLEET);
    expect(fleetPath({})).toBe('./examples/fleet');
  });
});

describe('readDeploySources', () => {
  it('reads the fleet, the registry and every <Name>.asl.json workflow of a checkout', async () => {
    const sources = await fixtureSources();
    expect(sources.fleetDir).toBe('fleet');
    expect(sources.fleet.config.ownerId).toBe('fixture');
    expect(sources.workflows.map((w) => [w.name, w.file])).toEqual([
      ['DrainCluster', 'workflows/DrainCluster.asl.json'],
      ['Reconcile', 'workflows/Reconcile.asl.json'],
    ]);
  });

  it('refuses a registry entry without its handler file, naming it', async () => {
    const registry = parseRegistry({ ...FUNCTIONS, ghost: { description: 'no file', actions: [] } });
    await expect(readDeploySources(FIXTURES, registry, { SWITCHYARD_FLEET: 'fleet' })).rejects.toThrow(
      /FUNCTIONS\.ghost: no handler file functions\/ghost\.ts/,
    );
  });

  it('refuses a fleet outside the project or the project itself (it is copied into every function)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'switchyard-deploy-'));
    await mkdir(join(root, 'functions'));
    await cp(join(FIXTURES, 'fleet/fleet.yaml'), join(root, 'fleet.yaml'));
    await expect(readDeploySources(root, {}, { SWITCHYARD_FLEET: '.' })).rejects.toThrow(ConfigError);
    await expect(readDeploySources(join(root, 'functions'), {}, { SWITCHYARD_FLEET: '..' })).rejects.toThrow(/must be a folder inside the project/);
  });

  it('reports a broken fleet file by path, before anything is planned', async () => {
    const root = await mkdtemp(join(tmpdir(), 'switchyard-deploy-'));
    await mkdir(join(root, 'fleet'));
    await writeFile(join(root, 'fleet/fleet.yaml'), 'ownerId: x\nzones: []\n');
    await expect(readDeploySources(root, {}, { SWITCHYARD_FLEET: 'fleet' })).rejects.toThrow(/fleet\.yaml: invalid configuration/);
  });
});

describe('parseRegistry', () => {
  it('accepts the documented shape', () => {
    expect(Object.keys(parseRegistry(FUNCTIONS))).toEqual(['router', 'reader', 'publisher', 'discover']);
  });

  it('refuses wildcard actions, bad names and missing fields, naming each', () => {
    const issues = (value: unknown): string[] => {
      try {
        parseRegistry(value);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues;
      }
      throw new Error('expected ConfigError');
    };
    expect(issues({ apply: { description: 'x', actions: ['route53:*'] } })).toEqual([
      expect.stringMatching(/^FUNCTIONS\.apply\.actions\[0\]: must be "service:Action"/),
    ]);
    expect(issues({ apply: { description: 'x', actions: ['*'] } })).toHaveLength(1);
    expect(issues({ 'Apply-Records': { description: 'x', actions: [] } })[0]).toMatch(/camelCase/);
    expect(issues({ apply: { actions: [] } })[0]).toMatch(/^FUNCTIONS\.apply\.description/);
    expect(issues({ apply: { description: 'x', actions: [], timeoutSeconds: 901 } })[0]).toMatch(/^FUNCTIONS\.apply\.timeoutSeconds/);
  });
});
