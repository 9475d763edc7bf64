import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileEndpointSource, parseEndpointsFile } from '../../../src/aws/endpoints-file.ts';
import { loadFleet } from '../../../src/fleet/fleet-file.ts';
import { parseFleetConfig } from '../../../src/core/config.ts';
import { ConfigError } from '../../../src/core/errors.ts';

const fleet = parseFleetConfig(
  `
ownerId: test
zones: [{ name: example.com }]
clusters:
  - { name: east, region: us-east-1, eksClusterName: e, canaryHostname: canary-east.example.com, domainFilter: [example.com] }
  - { name: west, region: us-west-2, eksClusterName: w, canaryHostname: canary-west.example.com, domainFilter: [example.com] }
`,
  'fleet.yaml',
);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEndpointsFile', () => {
  it('reads entries with defaults, annotations and the canary flag', () => {
    // Prepare
    const text = `
- { hostname: Shop.Example.com., cluster: east, gateway: shop/gw, annotations: { switchyard.io/routing: weighted, switchyard.io/weight: 50 } }
- { hostname: canary-west.example.com, cluster: west, kind: IstioGateway, entryPoint: lb-west.elb.us-west-2.amazonaws.com }
`;
    // Act
    const { endpoints, problems } = parseEndpointsFile(text, '/f/endpoints.yaml', fleet);

    // Assess
    expect(problems).toEqual([]);
    expect(endpoints).toEqual([
      { hostname: 'shop.example.com', cluster: 'east', kind: 'Gateway', gateway: 'shop/gw', annotations: { routing: 'weighted', weight: 50 } },
      {
        hostname: 'canary-west.example.com',
        cluster: 'west',
        kind: 'IstioGateway',
        gateway: 'endpoints-file/canary-west.example.com',
        entryPoint: 'lb-west.elb.us-west-2.amazonaws.com',
        annotations: {},
        canary: true,
      },
    ]);
  });

  it('reports a bad annotation as a problem of that entry only', () => {
    const text = `
- { hostname: shop.example.com, cluster: east, gateway: shop/gw, annotations: { switchyard.io/weight: "300", switchyard.io/routing: weighted } }
- { hostname: shop.example.com, cluster: west, gateway: shop/gw }
`;
    const { endpoints, problems } = parseEndpointsFile(text, '/f/endpoints.yaml', fleet);

    expect(endpoints).toHaveLength(2);
    expect(endpoints[0]!.annotations).toEqual({ routing: 'weighted' });
    expect(problems).toEqual([
      {
        subject: 'east/Gateway/shop/gw',
        reason: 'endpoints.yaml[0]: switchyard.io/weight: "300" is not an integer 0–255',
        cluster: 'east',
        hostname: 'shop.example.com',
      },
    ]);
  });

  it.each([
    ['not a list', 'hostname: x', ['(top level): Invalid input: expected array, received object (expected a list of endpoints)']],
    ['a missing hostname', '- { cluster: east }', ['[0].hostname: Invalid input: expected string, received undefined']],
    ['a bad DNS name', '- { hostname: "bad name", cluster: east }', ['[0].hostname: not a valid DNS name']],
    ['an unknown key', '- { hostname: a.example.com, cluster: east, weight: 3 }', ['[0]: Unrecognized key: "weight"']],
    ['an unknown cluster', '- { hostname: a.example.com, cluster: north }', ['[0].cluster: unknown cluster "north" (known: east, west)']],
    ['a bad gateway ref', '- { hostname: a.example.com, cluster: east, gateway: gw }', ['[0].gateway: must be "namespace/name"']],
    [
      'a duplicate',
      '- { hostname: a.example.com, cluster: east }\n- { hostname: A.example.com, cluster: east }',
      ['[1]: a.example.com is already published by cluster east at [0]'],
    ],
    ['broken YAML', '- { hostname: [', undefined],
  ])('rejects %s with a ConfigError naming the file and path', (_, text, issues) => {
    const error = configError(() => parseEndpointsFile(text, '/f/endpoints.yaml', fleet));
    expect(error.message).toMatch(/^\/f\/endpoints\.yaml: invalid configuration/);
    if (issues) expect(error.issues).toEqual(issues);
    else expect(error.issues[0]).toMatch(/^not valid YAML \(line 1\)/);
  });

  it('treats an empty file as no endpoints', () => {
    expect(parseEndpointsFile('', 'e.yaml', fleet)).toEqual({ endpoints: [], problems: [] });
  });
});

describe('FileEndpointSource', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads the example fleet’s endpoints without problems', async () => {
    const loaded = await loadFleet('examples/fleet');
    const { endpoints, problems } = await new FileEndpointSource(loaded).list();
    expect(problems).toEqual([]);
    expect(endpoints.filter((e) => e.hostname === 'shop.example.com').map((e) => e.cluster)).toEqual(['east', 'west', 'eu']);
    expect(endpoints.filter((e) => e.canary).map((e) => e.hostname)).toEqual(['canary-east.example.com', 'canary-west.example.com', 'canary-eu.example.com']);
  });

  it('names the file when it cannot be read, and needs endpointsFile set', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sy-endpoints-'));
    await writeFile(
      join(dir, 'fleet.yaml'),
      'ownerId: t\nzones: [{name: example.com}]\nendpointsFile: missing.yaml\nclusters: [{ name: east, region: us-east-1, eksClusterName: e, canaryHostname: c.example.com, domainFilter: [example.com] }]\n',
    );
    const loaded = await loadFleet(dir);

    await expect(new FileEndpointSource(loaded).list()).rejects.toThrow(`${join(dir, 'missing.yaml')}: invalid configuration\n  cannot read: ENOENT`);
    expect(() => new FileEndpointSource({ ...loaded, config: { ...loaded.config, endpointsFile: undefined } })).toThrow(/endpointsFile: not set/);
  });
});
