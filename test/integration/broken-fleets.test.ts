// Broken fleets against a local Route 53 that holds the example fleet's records: each
// fleet is a copy of examples/fleet with one thing broken. `plan` and `sync` either
// refuse it as bad input (exit 2, naming the file, the setting and the reason) or hold
// the broken cluster (exit 1, the file and the reason reported); either way Route 53
// is byte-identical afterwards: nothing is deleted, nothing is changed.
import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateHostedZoneCommand,
  ListHealthChecksCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { dnsIo, type DnsIo } from '../../src/cli/dns-io.ts';
import { main } from '../../src/cli/main.ts';
import { createRoute53Service, serveLocalService, type Route53Service, type RunningServer } from '@switchyard/local-aws/route53';
import { VirtualClock } from '../unit/aws/helpers/virtual-clock.ts';

const EXAMPLE_FLEET = 'examples/fleet';
const GATEWAY_LINE = '  http:\n';

type Outcome =
  /** Exit 2: stderr names fleet.yaml (or `file`), the setting and the reason. */
  | { refused: { file?: string; setting: string; reason: RegExp } }
  /** Exit 1: the cluster is held; a problem names `subject` (a path below the fleet, or the cluster) and the reason. */
  | { held: { cluster: string; subject: string; reason: RegExp } };

interface BrokenFleet {
  name: string;
  /** Breaks the copy of the example fleet in `dir`. */
  breakIt(dir: string): Promise<void>;
  outcome: Outcome;
  args?: string[];
  skip?: boolean;
}

const editFleet = async (dir: string, edit: (text: string) => string) =>
  writeFile(join(dir, 'fleet.yaml'), edit(await readFile(join(dir, 'fleet.yaml'), 'utf8')));
const outside = () => mkdtemp(join(tmpdir(), 'switchyard-outside-'));

/** One Tetrate Gateway declaring `count` hostnames. */
function hugeGateway(count: number): string {
  const servers = Array.from({ length: count }, (_, i) => `    - { name: h${i}, port: 80, hostname: h${i}.example.com }`).join('\n');
  return `apiVersion: gateway.tsb.tetrate.io/v2\nkind: Gateway\nmetadata: { name: huge, namespace: shop }\nspec:\n  workloadSelector: { namespace: tetrate-gw, labels: { app: eu-gateway } }\n${GATEWAY_LINE}${servers}\n`;
}

const BROKEN: BrokenFleet[] = [
  // fleet.yaml itself
  {
    name: 'fleet.yaml is not valid YAML',
    breakIt: (d) => editFleet(d, (t) => `${t}\nclusters: [\n`),
    outcome: { refused: { setting: '', reason: /not valid YAML/ } },
  },
  {
    name: 'fleet.yaml is empty (0 bytes)',
    breakIt: (d) => writeFile(join(d, 'fleet.yaml'), ''),
    outcome: { refused: { setting: '(top level)', reason: /expected a mapping of settings/ } },
  },
  {
    name: 'fleet.yaml is binary garbage',
    breakIt: (d) => writeFile(join(d, 'fleet.yaml'), Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x9c, 0x80])),
    outcome: { refused: { setting: '', reason: /not valid YAML|expected a mapping/ } },
  },
  {
    name: 'fleet.yaml has a key twice',
    breakIt: (d) => editFleet(d, (t) => t.replace('policy: sync', 'policy: sync\npolicy: upsert-only')),
    outcome: { refused: { setting: '', reason: /not valid YAML.*unique/ } },
  },
  {
    name: 'a weight of the wrong type',
    breakIt: (d) => editFleet(d, (t) => t.replace('weight: 100', 'weight: heavy')),
    outcome: { refused: { setting: 'clusters[0].weight', reason: /expected number/ } },
  },
  {
    name: 'clusters is a mapping',
    breakIt: (d) => editFleet(d, (t) => t.replace(/clusters:\n[\s\S]*$/, 'clusters: { east: {} }\n')),
    outcome: { refused: { setting: 'clusters', reason: /expected array/ } },
  },
  {
    name: 'a duplicate cluster name',
    breakIt: (d) => editFleet(d, (t) => t.replace('- name: west', '- name: east')),
    outcome: { refused: { setting: 'clusters[1].name', reason: /duplicate cluster name "east"/ } },
  },
  {
    name: 'an unknown region',
    breakIt: (d) => editFleet(d, (t) => t.replace('region: eu-west-1', 'region: eu-west-9')),
    outcome: { refused: { setting: 'clusters[2].region', reason: /unknown AWS region/ } },
  },
  {
    name: 'an unknown setting',
    breakIt: (d) => editFleet(d, (t) => t.replace('policy: sync', 'policy: sync\nmanifestDir: /etc')),
    outcome: { refused: { setting: '(top level)', reason: /manifestDir/ } },
  },
  {
    name: 'no ownerId',
    breakIt: (d) => editFleet(d, (t) => t.replace('ownerId: switchyard-example', '')),
    outcome: { refused: { setting: 'ownerId', reason: /expected string/ } },
  },
  {
    name: 'a canary outside the domain filter',
    breakIt: (d) => editFleet(d, (t) => t.replace('canaryHostname: canary-eu.example.com', 'canaryHostname: canary-eu.example.org')),
    outcome: { refused: { setting: 'clusters[2].canaryHostname', reason: /outside the cluster's domainFilter/ } },
  },
  // Paths that leave the fleet folder
  {
    name: 'manifests: /etc',
    breakIt: (d) => editFleet(d, (t) => t.replace('manifests: clusters/east', 'manifests: /etc')),
    outcome: { refused: { setting: 'clusters[0].manifests', reason: /"\/etc" is absolute; fleet paths are relative to the fleet folder/ } },
  },
  {
    name: 'manifests: ../..',
    breakIt: (d) => editFleet(d, (t) => t.replace('manifests: clusters/west', 'manifests: ../..')),
    outcome: { refused: { setting: 'clusters[1].manifests', reason: /"\.\.\/\.\." leaves the fleet folder/ } },
  },
  {
    name: 'manifests: clusters/../../x',
    breakIt: (d) => editFleet(d, (t) => t.replace('manifests: clusters/eu', 'manifests: clusters/../../x')),
    outcome: { refused: { setting: 'clusters[2].manifests', reason: /leaves the fleet folder/ } },
  },
  {
    name: 'manifests: an empty path',
    breakIt: (d) => editFleet(d, (t) => t.replace('manifests: clusters/eu', 'manifests: ""')),
    outcome: { refused: { setting: 'clusters[2].manifests', reason: /is empty/ } },
  },
  {
    name: 'endpointsFile: /etc/shadow',
    breakIt: (d) => editFleet(d, (t) => t.replace('endpointsFile: endpoints.yaml', 'endpointsFile: /etc/shadow')),
    outcome: { refused: { setting: 'endpointsFile', reason: /"\/etc\/shadow" is absolute/ } },
  },
  {
    name: 'endpointsFile: ../../etc/shadow',
    breakIt: (d) => editFleet(d, (t) => t.replace('endpointsFile: endpoints.yaml', 'endpointsFile: ../../etc/shadow')),
    outcome: { refused: { setting: 'endpointsFile', reason: /leaves the fleet folder/ } },
  },
  {
    name: 'a manifests folder that is a symlink to /etc',
    breakIt: async (d) => {
      await rm(join(d, 'clusters', 'east'), { recursive: true });
      await symlink('/etc', join(d, 'clusters', 'east'));
    },
    outcome: { refused: { setting: 'clusters[0].manifests', reason: /"clusters\/east" leads to \/etc through a symlink, outside the fleet folder/ } },
  },
  {
    name: 'a parent folder that is a symlink out of the fleet',
    breakIt: async (d) => {
      const elsewhere = await outside();
      await rename(join(d, 'clusters'), join(elsewhere, 'clusters'));
      await symlink(join(elsewhere, 'clusters'), join(d, 'clusters'));
    },
    outcome: { refused: { setting: 'clusters[0].manifests', reason: /leads to .*switchyard-outside-.* through a symlink, outside the fleet folder/ } },
  },
  {
    name: 'an endpoints file that is a symlink to /etc/hostname',
    breakIt: async (d) => {
      await rm(join(d, 'endpoints.yaml'));
      await symlink('/etc/hostname', join(d, 'endpoints.yaml'));
    },
    outcome: { refused: { setting: 'endpointsFile', reason: /leads to \/etc\/hostname through a symlink, outside the fleet folder/ } },
  },
  // The endpoints file (--source file)
  {
    name: 'an endpoints file naming an unknown cluster',
    args: ['--source', 'file'],
    breakIt: async (d) =>
      writeFile(join(d, 'endpoints.yaml'), `${await readFile(join(d, 'endpoints.yaml'), 'utf8')}\n- { hostname: x.example.com, cluster: north }\n`),
    outcome: { refused: { file: 'endpoints.yaml', setting: '.cluster', reason: /unknown cluster "north"/ } },
  },
  {
    name: 'an endpoints file that is not YAML',
    args: ['--source', 'file'],
    breakIt: (d) => writeFile(join(d, 'endpoints.yaml'), '- { hostname: [\n'),
    outcome: { refused: { file: 'endpoints.yaml', setting: '', reason: /not valid YAML/ } },
  },
  // Manifests that cannot be used: the cluster is held
  {
    name: 'a 0-byte manifest',
    breakIt: (d) => writeFile(join(d, 'clusters', 'eu', 'gateways.yaml'), ''),
    outcome: { held: { cluster: 'eu', subject: 'clusters/eu/gateways.yaml', reason: /^empty \(0 bytes\); the cluster is held/ } },
  },
  {
    name: 'every manifest 0 bytes',
    breakIt: async (d) => {
      for (const f of await readdir(join(d, 'clusters', 'eu'))) await writeFile(join(d, 'clusters', 'eu', f), '');
    },
    outcome: { held: { cluster: 'eu', subject: 'clusters/eu/gateway-service.yaml', reason: /^empty \(0 bytes\)/ } },
  },
  {
    name: 'a manifest of binary garbage',
    breakIt: (d) => writeFile(join(d, 'clusters', 'west', 'gateway.yaml'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0x00])),
    outcome: { held: { cluster: 'west', subject: 'clusters/west/gateway.yaml', reason: /^not UTF-8 text/ } },
  },
  {
    name: 'a manifest of prose',
    breakIt: (d) => writeFile(join(d, 'clusters', 'west', 'gateway.yaml'), 'hello, world\n'),
    outcome: { held: { cluster: 'west', subject: 'clusters/west/gateway.yaml', reason: /expected a Kubernetes object, got string/ } },
  },
  {
    name: 'a manifest that is not YAML',
    breakIt: (d) => writeFile(join(d, 'clusters', 'east', 'gateways.yaml'), 'apiVersion: v1\nkind: [\n'),
    outcome: { held: { cluster: 'east', subject: 'clusters/east/gateways.yaml', reason: /^line \d+: not valid YAML/ } },
  },
  {
    name: 'a manifest with only comments',
    breakIt: (d) => writeFile(join(d, 'clusters', 'east', 'gateways.yaml'), '# kubectl get gateways -A -o yaml\n---\n'),
    outcome: { held: { cluster: 'east', subject: 'clusters/east/gateways.yaml', reason: /holds no YAML document/ } },
  },
  {
    name: 'an object without kind',
    breakIt: (d) => writeFile(join(d, 'clusters', 'east', 'gateways.yaml'), 'apiVersion: v1\nmetadata: { name: x }\n'),
    outcome: { held: { cluster: 'east', subject: 'clusters/east/gateways.yaml', reason: /not a Kubernetes object/ } },
  },
  {
    name: 'a YAML alias bomb',
    breakIt: (d) =>
      writeFile(
        join(d, 'clusters', 'east', 'gateways.yaml'),
        `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from(
          { length: 12 },
          (_, i) =>
            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
              .fill(`*${String.fromCharCode(97 + i)}`)
              .join(', ')}]`,
        ).join('\n')}\n`,
      ),
    outcome: { held: { cluster: 'east', subject: 'clusters/east/gateways.yaml', reason: /alias|Excessive/i } },
  },
  {
    name: 'YAML nested 10,000 deep',
    breakIt: (d) => writeFile(join(d, 'clusters', 'east', 'gateways.yaml'), `${'['.repeat(10_000)}${']'.repeat(10_000)}\n`),
    outcome: { held: { cluster: 'east', subject: 'clusters/east/gateways.yaml', reason: /./ } },
  },
  {
    name: 'a manifest symlinked to /etc/passwd',
    breakIt: (d) => symlink('/etc/passwd', join(d, 'clusters', 'eu', 'passwd.yaml')),
    outcome: { held: { cluster: 'eu', subject: 'clusters/eu/passwd.yaml', reason: /^a symlink to \/etc\/passwd, outside the manifests folder/ } },
  },
  {
    name: "a subfolder symlinked to another cluster's folder",
    breakIt: (d) => symlink(join(d, 'clusters', 'east'), join(d, 'clusters', 'eu', 'more')),
    outcome: { held: { cluster: 'eu', subject: 'clusters/eu/more', reason: /outside the manifests folder/ } },
  },
  {
    name: 'a symlink that leads nowhere',
    breakIt: (d) => symlink('..data/gone.yaml', join(d, 'clusters', 'eu', 'gone.yaml')),
    outcome: { held: { cluster: 'eu', subject: 'clusters/eu/gone.yaml', reason: /^a symlink that leads nowhere/ } },
  },
  {
    name: 'a FIFO named like a manifest',
    breakIt: async (d) => void execFileSync('mkfifo', [join(d, 'clusters', 'eu', 'pipe.yaml')]),
    outcome: { held: { cluster: 'eu', subject: 'clusters/eu/pipe.yaml', reason: /^not a regular file/ } },
  },
  {
    name: 'a manifest nobody may read',
    // root reads every file whatever its mode
    skip: process.getuid?.() === 0,
    breakIt: (d) => chmod(join(d, 'clusters', 'eu', 'gateways.yaml'), 0o000),
    outcome: { held: { cluster: 'eu', subject: 'clusters/eu/gateways.yaml', reason: /^cannot read: EACCES/ } },
  },
  {
    name: '10,000 hostnames in one Gateway',
    breakIt: (d) => writeFile(join(d, 'clusters', 'eu', 'huge.yaml'), hugeGateway(10_000)),
    outcome: { held: { cluster: 'eu', subject: 'eu/TetrateGateway/shop/huge', reason: /^declares 10000 hostnames, more than the 1000 a resource may/ } },
  },
  {
    name: 'an emptied manifests folder',
    breakIt: async (d) => {
      for (const f of await readdir(join(d, 'clusters', 'eu'))) await rm(join(d, 'clusters', 'eu', f));
    },
    outcome: {
      held: {
        cluster: 'eu',
        subject: 'eu',
        reason: /^the source published nothing for it \(not even its canary\), but Route 53 holds \d+ record set\(s\) of it: the cluster is held/,
      },
    },
  },
  {
    name: 'a missing manifests folder',
    breakIt: (d) => rm(join(d, 'clusters', 'eu'), { recursive: true }),
    outcome: { held: { cluster: 'eu', subject: 'eu', reason: /no such manifests folder/ } },
  },
];

/** Turns `folder` into a ConfigMap volume as the kubelet lays it out: files in a timestamped folder, `..data` to it, one symlink per file. */
async function asConfigMapVolume(folder: string): Promise<void> {
  const files = await readdir(folder);
  const stamp = '..2026_12_03_09_00_00.123456789';
  await mkdir(join(folder, stamp));
  for (const f of files) await rename(join(folder, f), join(folder, stamp, f));
  await symlink(stamp, join(folder, '..data'));
  for (const f of files) await symlink(join('..data', f), join(folder, f));
}

describe('broken fleets against a local Route 53 holding the example fleet', () => {
  let service: Route53Service;
  let server: RunningServer;
  let client: Route53Client;
  let zoneId: string;
  let before: string;
  const saved: DnsIo = { ...dnsIo };
  const temps: string[] = [];
  let out: string[];
  let err: string[];

  const snapshot = async () => {
    const records: ResourceRecordSet[] = [];
    let next: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type']; StartRecordIdentifier?: string } = {};
    for (;;) {
      const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...next }));
      records.push(...(page.ResourceRecordSets ?? []));
      if (!page.IsTruncated) break;
      next = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier };
    }
    const checks = (await client.send(new ListHealthChecksCommand({}))).HealthChecks ?? [];
    return JSON.stringify({ records, checks });
  };

  const copyOfExample = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-broken-fleet-'));
    temps.push(dir);
    await cp(EXAMPLE_FLEET, dir, { recursive: true });
    return dir;
  };

  const run = async (verb: 'plan' | 'sync', dir: string, args: string[] = []) => {
    out = [];
    err = [];
    const logged = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
    try {
      // sync: this zone belongs to no Switchyard stage (no state table).
      const code = await main([
        verb,
        '--fleet',
        dir,
        '--endpoint-url',
        server.url,
        '--json',
        ...(verb === 'sync' ? ['--no-state-table', '--stage', 'it'] : []),
        ...args,
      ]);
      return { code, json: out.length > 0 ? (JSON.parse(out.join('\n')) as Record<string, unknown>) : undefined, stderr: err.join('\n') };
    } finally {
      logged.mockRestore();
    }
  };

  beforeAll(async () => {
    service = createRoute53Service({ insyncDelayMs: 0, resolveTarget: () => undefined });
    server = await serveLocalService(service);
    client = new Route53Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const zone = await client.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `broken-${process.pid}-${Date.now()}` }));
    zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
    Object.assign(dnsIo, { clock: new VirtualClock(), out: (t: string) => out.push(t), err: (t: string) => err.push(t), tableExists: async () => false });
    const synced = await run('sync', await copyOfExample());
    expect(synced.code).toBe(0);
    before = await snapshot();
    expect(JSON.parse(before).records.filter((r: ResourceRecordSet) => r.SetIdentifier === 'eu').length).toBeGreaterThan(0);
  });

  afterAll(async () => {
    Object.assign(dnsIo, saved);
    process.exitCode = undefined;
    client.destroy();
    await server.close();
    await service.close();
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    Object.assign(dnsIo, { clock: new VirtualClock(), out: (t: string) => out.push(t), err: (t: string) => err.push(t), tableExists: async () => false });
    process.exitCode = undefined;
  });

  afterEach(() => {
    process.exitCode = undefined;
  });

  it('has at least 30 broken fleets', () => {
    expect(BROKEN.filter((b) => !b.skip).length).toBeGreaterThanOrEqual(30);
  });

  it.each(BROKEN.map((b) => [b.name, b] as const))('%s: refused or held, and Route 53 is unchanged', async (_, broken) => {
    if (broken.skip) return;
    // Prepare
    const dir = await copyOfExample();
    await broken.breakIt(dir);

    for (const verb of ['plan', 'sync'] as const) {
      // Act
      const result = await run(verb, dir, broken.args);

      // Assess
      if ('refused' in broken.outcome) {
        const { file, setting, reason } = broken.outcome.refused;
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain(join(dir, file ?? 'fleet.yaml'));
        const line = result.stderr.split('\n').find((l) => l.includes(setting) && reason.test(l));
        expect(line, `no line naming ${setting} and ${reason} in:\n${result.stderr}`).toBeDefined();
      } else {
        const { cluster, subject, reason } = broken.outcome.held;
        expect(result.code, JSON.stringify(result.json?.['problems'] ?? result.stderr)).toBe(1);
        expect(result.json?.['unreachable']).toContain(cluster);
        const problems = result.json?.['problems'] as Array<{ subject: string; reason: string; cluster?: string }>;
        const expectedSubject = subject.includes('/') && !subject.startsWith(`${cluster}/`) ? join(dir, subject) : subject;
        expect(problems, JSON.stringify(problems)).toContainEqual(
          expect.objectContaining({ subject: expectedSubject, cluster, reason: expect.stringMatching(reason) }),
        );
        if (verb === 'plan') {
          const changes = result.json?.['changes'] as Array<{ action: string }>;
          expect(changes.filter((c) => c.action === 'DELETE')).toEqual([]);
          expect((result.json?.['healthChecks'] as { delete: unknown[] }).delete).toEqual([]);
        }
      }
      expect(await snapshot()).toBe(before);
    }
  });

  it('reads manifests folders laid out as ConfigMap volumes (every file a symlink into ..data) as they are: no change', async () => {
    // Prepare
    const dir = await copyOfExample();
    for (const cluster of ['east', 'west', 'eu']) await asConfigMapVolume(join(dir, 'clusters', cluster));

    // Act
    const planned = await run('plan', dir);
    const synced = await run('sync', dir);

    // Assess
    expect(planned.code, JSON.stringify(planned.json?.['problems'])).toBe(0);
    expect(planned.json?.['unreachable']).toEqual([]);
    expect(planned.json?.['changes']).toEqual([]);
    expect((planned.json?.['healthChecks'] as { delete: unknown[] }).delete).toEqual([]);
    expect(synced.code).toBe(0);
    expect(await snapshot()).toBe(before);
  });

  it('follows a manifests folder that is a symlink inside the fleet folder', async () => {
    const dir = await copyOfExample();
    await rename(join(dir, 'clusters', 'eu'), join(dir, 'clusters', 'eu-2026-12'));
    await symlink('eu-2026-12', join(dir, 'clusters', 'eu'));

    const planned = await run('plan', dir);

    expect(planned.code, JSON.stringify(planned.json?.['problems'])).toBe(0);
    expect(planned.json?.['changes']).toEqual([]);
  });
});
