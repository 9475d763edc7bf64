import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListHealthChecksCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  type Change as SdkChange,
} from '@aws-sdk/client-route-53';
import { appendFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StateTable } from '../../../src/core/ports.ts';
import { dnsIo, type DnsIo } from '../../../src/cli/dns-io.ts';
import { emptyFleetState } from '../../../src/core/fleet-document.ts';
import { main } from '../../../src/cli/main.ts';
import { VirtualClock } from '../aws/helpers/virtual-clock.ts';

const r53 = mockClient(Route53Client);
const saved: DnsIo = { ...dnsIo };
let out: string[];
let err: string[];
let clock: VirtualClock;

function mockEmptyAccount(): void {
  r53
    .on(ListHostedZonesCommand)
    .resolves({ HostedZones: [{ Id: '/hostedzone/Z1', Name: 'example.com.', CallerReference: 'x' }], IsTruncated: false, Marker: '', MaxItems: 100 });
  r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 300 });
  r53.on(ListHealthChecksCommand).resolves({ HealthChecks: [], IsTruncated: false, Marker: '', MaxItems: 100 });
  r53.on(ListTagsForResourcesCommand).resolves({ ResourceTagSets: [] });
  let n = 0;
  r53.on(CreateHealthCheckCommand).callsFake((input) => ({
    HealthCheck: { Id: `hc-${++n}`, CallerReference: input.CallerReference, HealthCheckVersion: 1, HealthCheckConfig: input.HealthCheckConfig },
    Location: 'x',
  }));
  r53.on(ChangeTagsForResourceCommand).resolves({});
  r53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date(0) } });
}

async function run(...argv: string[]): Promise<number> {
  return main(argv);
}

beforeEach(() => {
  r53.reset();
  out = [];
  err = [];
  clock = new VirtualClock();
  Object.assign(dnsIo, { clock, out: (t: string) => out.push(t), err: (t: string) => err.push(t) });
  process.exitCode = undefined;
});

afterEach(() => {
  Object.assign(dnsIo, saved);
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

describe('switchyard plan', () => {
  it('prints the plan as a table and changes nothing', async () => {
    // Prepare
    mockEmptyAccount();

    // Act
    const code = await run('plan', '--fleet', 'examples/fleet');

    // Assess
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^Owner switchyard-example, policy sync, zones example\.com\. \(Z1\)/);
    expect(text).toMatch(/ACTION\s+ZONE\s+NAME\s+TYPE\s+SET\s+ROUTING\s+HEALTH CHECK\s+TARGET/);
    expect(text).toMatch(
      /CREATE\s+Z1\s+shop\.example\.com\.\s+A\s+east\s+weight 100\s+new \(east\)\s+alias mesh-east-ingress-1a2b3c4d5e6f7a8b\.elb\.us-east-1\.amazonaws\.com\./,
    );
    expect(text).toMatch(/CREATE\s+Z1\s+api\.example\.com\.\s+A\s+west\s+failover SECONDARY/);
    expect(text).toMatch(/CREATE\s+Z1\s+docs\.example\.com\.\s+A\s+eu\s+latency eu-west-1/);
    expect(text).toMatch(/create\s+east\s+\(new\)\s+HTTP canary-east\.example\.com:80\/status\/200 every 10s, 3 failures/);
    expect(text).toContain(
      'Plan: 12 to create, 0 to update, 0 to delete (+8 ownership marker changes); health checks: 5 to create, 0 to update, 0 to delete; 1 ChangeResourceRecordSets request.',
    );
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    expect(r53.commandCalls(CreateHealthCheckCommand)).toHaveLength(0);
    expect(err.join('\n')).toContain('zone example.com. (Z1): 0 record sets');
    expect(err[0]).toMatch(/^endpoints: 10 from manifests of east \(clusters\/east\), west \(clusters\/west\), eu \(clusters\/eu\)$/);
  });

  it('reads the endpoints file with --source file, to the same plan', async () => {
    mockEmptyAccount();

    const code = await run('plan', '--fleet', 'examples/fleet', '--source', 'file', '--json');

    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n')).summary).toEqual({ create: 12, update: 0, delete: 0, markers: 8, requests: 1 });
  });

  it('reads the endpoints file with --source endpoints-file, and takes the earlier spelling file with a notice', async () => {
    mockEmptyAccount();

    const code = await run('plan', '--fleet', 'examples/fleet', '--source', 'endpoints-file', '--json');

    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n')).summary).toEqual({ create: 12, update: 0, delete: 0, markers: 8, requests: 1 });
    expect(err.join('\n')).not.toContain('is now called');
    out.length = 0;
    expect(await run('plan', '--fleet', 'examples/fleet', '--source', 'file', '--json')).toBe(0);
    expect(err.join('\n')).toContain('--source file is now called --source endpoints-file');
  });

  it('follows the drains and failovers in the state table named by --state-table', async () => {
    // Prepare: east is drained; shop alone is failed over away from west.
    mockEmptyAccount();
    const asked: Array<[string, string | undefined]> = [];
    dnsIo.stateTable = (name, endpointUrl) => {
      asked.push([name, endpointUrl]);
      return {
        readFleet: async () => ({
          ...emptyFleetState(),
          intents: { east: { cluster: 'east', state: 'DRAINED', weightPercent: 0 } },
          failovers: { 'west|shop.example.com': { cluster: 'west', hostname: 'shop.example.com', alarmName: 'a', at: '2026-01-01T00:00:00Z' } },
        }),
      } as unknown as StateTable;
    };

    // Act
    const code = await run('plan', '--fleet', 'examples/fleet', '--json', '--state-table', 'switchyard-state', '--endpoint-url', 'http://127.0.0.1:4566');

    // Assess
    expect(code).toBe(0);
    expect(asked).toEqual([['switchyard-state', 'http://127.0.0.1:4566']]);
    const doc = JSON.parse(out.join('\n'));
    const shop = doc.changes.filter((c: { name: string; recordSet: { type: string } }) => c.name === 'shop.example.com.' && c.recordSet.type === 'A');
    expect(
      Object.fromEntries(shop.map((c: { recordSet: { setIdentifier: string; weight: number } }) => [c.recordSet.setIdentifier, c.recordSet.weight])),
    ).toEqual({ east: 0, west: 0, eu: 100 });
    const api = doc.changes.filter((c: { name: string; recordSet: { type: string } }) => c.name === 'api.example.com.' && c.recordSet.type === 'A');
    expect(api.map((c: { recordSet: { setIdentifier: string; failover: string } }) => `${c.recordSet.setIdentifier} ${c.recordSet.failover}`)).toEqual([
      'west SECONDARY',
    ]);
  });

  it('exits 2 on an unknown --source', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await run('plan', '--fleet', 'examples/fleet', '--source', 'kubectl')).toBe(2);
    expect(String(errors.mock.calls[0]?.[0])).toContain('--source: "kubectl" is not one of auto, manifests, eks, endpoints-file');
  });

  it('leaves the records of a cluster it cannot read as they are, and exits 1', async () => {
    // Prepare: the eu manifests are missing; Route 53 has eu's shop record and its marker.
    const dir = await mkdtemp(join(tmpdir(), 'sy-cli-'));
    try {
      await cp('examples/fleet', dir, { recursive: true });
      await rm(join(dir, 'clusters', 'eu'), { recursive: true });
      mockEmptyAccount();
      r53.on(ListResourceRecordSetsCommand).resolves({
        ResourceRecordSets: [
          {
            Name: 'shop.example.com.',
            Type: 'A',
            SetIdentifier: 'eu',
            Weight: 100,
            AliasTarget: {
              HostedZoneId: 'Z32O12XQLNTSW2',
              DNSName: 'mesh-eu-ingress-0a1b2c3d4e5f6a7b.elb.eu-west-1.amazonaws.com.',
              EvaluateTargetHealth: true,
            },
          },
          {
            Name: '_switchyard.shop.example.com.',
            Type: 'TXT',
            TTL: 300,
            ResourceRecords: [{ Value: '"heritage=switchyard,owner=switchyard-example,set=A/eu"' }],
          },
        ],
        IsTruncated: false,
        MaxItems: 300,
      });

      // Act
      const code = await run('plan', '--fleet', dir, '--json');

      // Assess
      expect(code).toBe(1);
      const doc = JSON.parse(out.join('\n'));
      expect(doc.unreachable).toEqual(['eu']);
      expect(doc.changes.filter((c: { action: string }) => c.action === 'DELETE')).toEqual([]);
      expect(
        doc.changes
          .filter((c: { name: string; recordSet: { type: string } }) => c.name === 'shop.example.com.' && c.recordSet.type === 'A')
          .map((c: { recordSet: { setIdentifier: string } }) => c.recordSet.setIdentifier)
          .sort(),
      ).toEqual(['east', 'west']);
      expect(doc.problems.some((p: { subject: string; reason: string }) => p.subject === 'eu' && p.reason.startsWith('cannot read the cluster'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an edge cluster publishing a host no workload cluster serves (docs/edge.md, "Discovery"), and exits 1', async () => {
    // Prepare: an edge cluster whose Gateway publishes blog.example.com, which no workload serves
    const dir = await mkdtemp(join(tmpdir(), 'sy-cli-'));
    try {
      await cp('examples/fleet', dir, { recursive: true });
      await appendFile(
        join(dir, 'fleet.yaml'),
        '\n  - { name: edge-us, role: edge, region: us-east-1, eksClusterName: edge-us, entryPoint: edge-us.elb.us-east-1.amazonaws.com, canaryHostname: canary-edge-us.example.com, domainFilter: [example.com], manifests: clusters/edge-us }\nupstream: { zone: mesh.internal }\n',
      );
      await mkdir(join(dir, 'clusters', 'edge-us'));
      await writeFile(
        join(dir, 'clusters', 'edge-us', 'gateway.yaml'),
        'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: blog, namespace: edge }\nspec: { selector: { istio: ingressgateway }, servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: [blog.example.com, canary-edge-us.example.com] }] }\n',
      );
      mockEmptyAccount();
      // The edge tier's private upstream zone exists too (docs/edge.md).
      r53.on(ListHostedZonesCommand).resolves({
        HostedZones: [
          { Id: '/hostedzone/Z1', Name: 'example.com.', CallerReference: 'x' },
          { Id: '/hostedzone/Z2', Name: 'mesh.internal.', CallerReference: 'y', Config: { PrivateZone: true } },
        ],
        IsTruncated: false,
        Marker: '',
        MaxItems: 100,
      });

      // Act
      const code = await run('plan', '--fleet', dir, '--json');

      // Assess
      expect(code).toBe(1);
      const doc = JSON.parse(out.join('\n'));
      expect(doc.problems).toContainEqual(
        expect.objectContaining({
          subject: 'edge-us/IstioGateway/edge/blog',
          reason: 'edge cluster edge-us publishes "blog.example.com", which no workload cluster serves (east, west, eu)',
        }),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints JSON with --json', async () => {
    mockEmptyAccount();

    const code = await run('plan', '--fleet', 'examples/fleet', '--json');

    expect(code).toBe(0);
    const doc = JSON.parse(out.join('\n'));
    expect(doc.summary).toEqual({ create: 12, update: 0, delete: 0, markers: 8, requests: 1 });
    expect(doc.healthChecks.create).toHaveLength(5);
    expect(
      doc.changes.find((c: { name: string; recordSet: { setIdentifier?: string } }) => c.name === 'api.example.com.' && c.recordSet.setIdentifier === 'east')
        .recordSet.failover,
    ).toBe('PRIMARY');
    expect(doc.problems).toEqual([]);
    expect(err).toEqual([]);
  });

  it('exits 2 and names the file and setting for a bad config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-cli-'));
    try {
      await writeFile(join(dir, 'fleet.yaml'), 'ownerId: x\nzones: []\nclusters: []\n');
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});

      const code = await run('plan', '--fleet', dir);

      expect(code).toBe(2);
      expect(String(errors.mock.calls[0]?.[0])).toContain(`ConfigError: ${join(dir, 'fleet.yaml')}: invalid configuration`);
      expect(String(errors.mock.calls[0]?.[0])).toMatch(/zones: Too small/);
      expect(r53.calls()).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 without --fleet', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run('plan')).toBe(2);
  });

  it('exits 2 when a managed zone does not exist in the account', async () => {
    mockEmptyAccount();
    r53.on(ListHostedZonesCommand).resolves({ HostedZones: [], IsTruncated: false, Marker: '', MaxItems: 100 });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});

    expect(await run('plan', '--fleet', 'examples/fleet')).toBe(2);
    expect(String(errors.mock.calls[0]?.[0])).toContain('zones[0].name: no hosted zone named example.com. in this account');
  });

  it('exits 1 when Route 53 cannot be read', async () => {
    r53
      .on(ListHostedZonesCommand)
      .rejects(
        Object.assign(new Error('User is not authorized to perform: route53:ListHostedZones'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      );
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});

    expect(await run('plan', '--fleet', 'examples/fleet')).toBe(1);
    expect(String(errors.mock.calls[0]?.[0])).toContain('not authorized');
  });
});

describe('switchyard sync', () => {
  // These syncs run on zones no stage manages: --no-state-table, the stage has no table.
  beforeEach(() => {
    dnsIo.tableExists = async () => false;
  });

  it('applies the plan with progress and a summary, and exits 0', async () => {
    // Prepare
    mockEmptyAccount();
    const sent: SdkChange[] = [];
    r53.on(ChangeResourceRecordSetsCommand).callsFake((input: { ChangeBatch: { Changes: SdkChange[] } }) => {
      sent.push(...input.ChangeBatch.Changes);
      return { ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(0) } };
    });
    // The read-back after INSYNC (a page from the first changed name) finds what was sent.
    r53.on(ListResourceRecordSetsCommand).callsFake((input: { StartRecordName?: string }) => ({
      ResourceRecordSets: input.StartRecordName === undefined ? [] : sent.filter((c) => c.Action !== 'DELETE').map((c) => c.ResourceRecordSet),
      IsTruncated: false,
      MaxItems: 300,
    }));

    // Act
    const code = await run('sync', '--fleet', 'examples/fleet', '--no-state-table', '--stage', 'dev');

    // Assess
    expect(code).toBe(0);
    expect(r53.commandCalls(CreateHealthCheckCommand)).toHaveLength(5);
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input.ChangeBatch?.Changes).toHaveLength(20);
    expect(out.join('\n')).toMatch(
      /^Sync done: 20 changes applied for 8 names, 0 names failed; 1 request sent; health checks 5 created, 0 updated, 0 deleted\.\nAll changes INSYNC after 2 s\./,
    );
    expect(err).toContain('request 1/1 Z1: 8 name(s) applied');
    expect(clock.sleeps).toContain(2000);
  });

  it('applies the good names of a rejected batch, reports the bad one with Route 53’s message, and exits 1', async () => {
    // Prepare
    mockEmptyAccount();
    const message = 'RRSet with DNS name api.example.com. is not permitted in zone example.com.';
    r53.on(ChangeResourceRecordSetsCommand).callsFake((input: { ChangeBatch: { Changes: SdkChange[] } }) => {
      if (input.ChangeBatch.Changes.some((c) => c.ResourceRecordSet?.Name === 'api.example.com.')) {
        throw new InvalidChangeBatch({ message, messages: [message], $metadata: { httpStatusCode: 400 } });
      }
      return { ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date(0) } };
    });

    // Act
    const code = await run('sync', '--fleet', 'examples/fleet', '--json', '--no-state-table', '--stage', 'dev');

    // Assess
    expect(code).toBe(1);
    const doc = JSON.parse(out.join('\n'));
    expect(doc.failed).toBe(true);
    expect(doc.results.filter((r: { status: string }) => r.status === 'failed')).toEqual([
      { zoneId: 'Z1', name: 'api.example.com.', changes: 3, status: 'failed', messages: [message] },
    ]);
    expect(doc.results.filter((r: { status: string }) => r.status === 'applied')).toHaveLength(7);
    expect(doc.requestsSent).toBe(9);
  });

  it('sends no writes with --dry-run and logs each one it skipped', async () => {
    mockEmptyAccount();

    const code = await run('sync', '--fleet', 'examples/fleet', '--dry-run', '--no-state-table', '--stage', 'dev');

    expect(code).toBe(0);
    expect(r53.commandCalls(CreateHealthCheckCommand)).toHaveLength(0);
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    expect(err.filter((l) => l.startsWith('dry-run: not sending CreateHealthCheck'))).toHaveLength(5);
    expect(err).toContain('dry-run: not sending ChangeResourceRecordSets Z1: 20 change(s)');
    expect(out.join('\n')).toMatch(/^Dry run done: 20 changes would apply for 8 names/);
  });

  it('exits 2 on a bad --insync-timeout', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await run('sync', '--fleet', 'examples/fleet', '--insync-timeout', 'soon')).toBe(2);
    expect(String(errors.mock.calls[0]?.[0])).toContain('--insync-timeout: "soon" is not a whole number of seconds');
  });
});
