import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fleetPathProblem, parseFleetConfig, isWithin } from '../../../src/core/config.ts';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolveFleetPath } from '../../../src/fleet/fleet-paths.ts';
import { loadFleet } from '../../../src/fleet/fleet-file.ts';
import { ConfigError } from '../../../src/core/errors.ts';

const minimal = `
ownerId: test
zones: [{ name: example.com }]
clusters:
  - name: east
    region: us-east-1
    eksClusterName: east
    canaryHostname: canary-east.example.com
    domainFilter: [example.com]
`;

function issuesOf(text: string): string[] {
  try {
    parseFleetConfig(text, 'fleet.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('parseFleetConfig', () => {
  it('fills defaults for policy, health checks and safety', () => {
    const fleet = parseFleetConfig(minimal, 'fleet.yaml');
    expect(fleet.policy).toBe('sync');
    expect(fleet.healthCheck).toEqual({ protocol: 'HTTP', port: 80, path: '/status/200', intervalSeconds: 30, failureThreshold: 3 });
    expect(fleet.safety.minHealthyActive).toBe(1);
    expect(fleet.safety.maxConcurrentDrains).toBe(1);
    expect(fleet.clusters[0]?.weight).toBe(100);
  });

  it('normalises DNS names to lower case without a trailing dot', () => {
    const fleet = parseFleetConfig(minimal.replace('name: example.com', 'name: Example.COM.'), 'fleet.yaml');
    expect(fleet.zones[0]?.name).toBe('example.com');
  });

  it('names the path and the reason of every problem', () => {
    const issues = issuesOf(minimal.replace('us-east-1', 'mars-1').replace('ownerId: test', 'ownerId: test\npolicy: delete-all'));
    expect(issues).toContainEqual(expect.stringMatching(/^clusters\[0\]\.region: not an AWS region/));
    expect(issues).toContainEqual(expect.stringMatching(/^policy: /));
  });

  it('refuses a well-formed but unknown region, which Route 53 would refuse record by record', () => {
    const issues = issuesOf(minimal.replace('region: us-east-1', 'region: eu-west-9'));
    expect(issues).toEqual([expect.stringMatching(/^clusters\[0\]\.region: unknown AWS region/)]);
  });

  it('rejects unknown settings (typos) by path', () => {
    expect(issuesOf(minimal.replace('region: us-east-1', 'region: us-east-1\n    wieght: 5'))).toContainEqual(
      expect.stringMatching(/^clusters\[0\]: .*wieght/),
    );
  });

  it('rejects duplicate clusters and canaries outside the domain filter', () => {
    const twice = minimal + minimal.split('clusters:')[1]!.replace('canary-east.example.com', 'canary.other.org');
    const issues = issuesOf(twice);
    expect(issues).toContainEqual(expect.stringContaining('clusters[1].name: duplicate cluster name "east"'));
    expect(issues).toContainEqual(expect.stringContaining('clusters[1].canaryHostname: "canary.other.org" is outside'));
  });

  it('gives the line and column of each problem in the YAML text', () => {
    // Prepare: the region is on line 12, column 13; the second cluster's mapping (missing its region) starts on line 14
    const text = `${minimal.replace('region: us-east-1', 'region: eu-west-9')}  - name: west\n    canaryHostname: canary-west.example.com\n    domainFilter: [example.com]\n`;
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    // Act
    const issues = issuesOf(text);
    // Assess
    expect(issues).toContainEqual(
      expect.stringMatching(new RegExp(`^clusters\\[0\\]\\.region: unknown AWS region .*\\(line ${lineOf('eu-west-9')}, column 13\\)$`)),
    );
    expect(issues).toContainEqual(expect.stringMatching(new RegExp(`^clusters\\[1\\]\\.region: .*\\(line ${lineOf('name: west')}, column 5\\)$`)));
  });

  it('refuses an alias bomb as invalid YAML instead of expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    expect(issuesOf(bomb)[0]).toMatch(/^not valid YAML: /);
  });

  it('reports broken YAML with its line', () => {
    expect(issuesOf('ownerId: [unclosed\n')[0]).toMatch(/^not valid YAML \(line \d+\)/);
  });

  it('names the file in the error message', () => {
    expect(() => parseFleetConfig('{}', '/etc/fleet.yaml')).toThrow(/^\/etc\/fleet\.yaml: invalid configuration/);
  });
});

describe('loadFleet', () => {
  it('loads the example fleet', async () => {
    const { config, dir } = await loadFleet(join(import.meta.dirname, '../../../examples/fleet'));
    expect(config.clusters.map((c) => [c.name, c.region])).toEqual([
      ['east', 'us-east-1'],
      ['west', 'us-west-2'],
      ['eu', 'eu-west-1'],
    ]);
    expect(dir).toMatch(/examples\/fleet$/);
  });

  it('fails with the path when the folder does not exist', async () => {
    await expect(loadFleet('/nonexistent/fleet')).rejects.toThrow(/\/nonexistent\/fleet: invalid configuration\n {2}no such file/);
  });
});

describe('isWithin', () => {
  it('matches labels, not string suffixes', () => {
    expect(isWithin('shop.example.com', 'example.com')).toBe(true);
    expect(isWithin('example.com.', 'EXAMPLE.com')).toBe(true);
    expect(isWithin('badexample.com', 'example.com')).toBe(false);
  });

  it('answers as the label-wise suffix test on lower-cased names without one trailing dot (property)', () => {
    const reference = (name: string, suffix: string) => {
      const n = name.toLowerCase().replace(/\.$/, '');
      const s = suffix.toLowerCase().replace(/\.$/, '');
      return n === s || n.endsWith(`.${s}`);
    };
    const label = fc.constantFrom('a', 'B', 'example', 'com', 'xample', '', 'shop');
    const name = fc.array(label, { maxLength: 4 }).chain((labels) => fc.constantFrom(labels.join('.'), `${labels.join('.')}.`, `${labels.join('.')}..`));
    fc.assert(
      fc.property(name, name, (n, s) => {
        expect(isWithin(n, s)).toBe(reference(n, s));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fleet paths', () => {
  it.each([
    ['clusters/east', undefined],
    ['./clusters/../clusters/east', undefined],
    ['.', undefined],
    ['/etc', '"/etc" is absolute; fleet paths are relative to the fleet folder'],
    ['C:\\Windows', '"C:\\Windows" is absolute; fleet paths are relative to the fleet folder'],
    ['..', '".." leaves the fleet folder'],
    ['../..', '"../.." leaves the fleet folder'],
    ['clusters/../../x', '"clusters/../../x" leaves the fleet folder'],
    ['..\\x', '"..\\x" leaves the fleet folder'],
    ['', 'is empty'],
    ['a\0b', 'contains a NUL character'],
  ])('%j: %s', (path, problem) => {
    expect(fleetPathProblem(path)).toBe(problem);
  });

  it('names the setting in fleet.yaml', () => {
    expect(issuesOf(`${minimal}    manifests: /etc\n`)).toEqual([
      'clusters[0].manifests: "/etc" is absolute; fleet paths are relative to the fleet folder (line 10, column 16)',
    ]);
    expect(issuesOf(`${minimal}endpointsFile: ../shadow\n`)).toEqual(['endpointsFile: "../shadow" leaves the fleet folder (line 10, column 16)']);
  });

  describe('after symlinks', () => {
    let root: string;
    let fleet: string;
    let outside: string;
    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), 'switchyard-paths-'));
      fleet = join(root, 'fleet');
      outside = join(root, 'outside');
      await mkdir(join(fleet, 'clusters'), { recursive: true });
      await mkdir(outside);
    });
    afterEach(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('accepts a path that does not exist yet, and a symlink that stays inside', async () => {
      await symlink('clusters', join(fleet, 'current'));
      expect(await resolveFleetPath(fleet, 'clusters/later')).toBe(join(fleet, 'clusters/later'));
      expect(await resolveFleetPath(fleet, 'current/east')).toBe(join(fleet, 'current/east'));
    });

    it('refuses a symlink (even a dangling one, or one under a folder not there yet) that leads outside', async () => {
      await symlink(outside, join(fleet, 'clusters', 'east'));
      await symlink(join(outside, 'not-yet'), join(fleet, 'clusters', 'west'));
      await expect(resolveFleetPath(fleet, 'clusters/east')).rejects.toThrow(
        `"clusters/east" leads to ${outside} through a symlink, outside the fleet folder ${fleet}`,
      );
      await expect(resolveFleetPath(fleet, 'clusters/west/x')).rejects.toThrow(`leads to ${join(outside, 'not-yet', 'x')} through a symlink`);
    });

    it('makes loadFleet fail with file, setting and reason', async () => {
      await writeFile(join(fleet, 'fleet.yaml'), `${minimal}    manifests: clusters/east\n`);
      await symlink(outside, join(fleet, 'clusters', 'east'));
      await expect(loadFleet(fleet)).rejects.toThrow(
        `${join(fleet, 'fleet.yaml')}: invalid configuration\n  clusters[0].manifests: "clusters/east" leads to ${outside} through a symlink`,
      );
    });
  });
});
