// `switchyard edge-config` and `discover` on a fleet with edge clusters: the example fleet's
// three workload clusters, plus edge clusters whose manifests each test writes.
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDiscover } from '../../../src/cli/commands/discover.ts';
import { runEdgeConfig, type EdgeConfigOptions } from '../../../src/cli/commands/edge-config.ts';
import { buildProgram, main } from '../../../src/cli/main.ts';
import { completionTable } from '../../../src/cli/commands/completion.ts';
import { parseFleetConfig } from '../../../src/core/config.ts';

const EXAMPLE_FLEET = new URL('../../../examples/fleet/', import.meta.url).pathname;

/** Whether fleet.yaml takes `upstream: {zone}` yet (the edge tier's fleet model). */
function fleetTakesUpstream(): boolean {
  try {
    parseFleetConfig(
      'ownerId: t\nzones: [{ name: example.com }]\nupstream: { zone: mesh.internal }\nclusters: [{ name: a, region: us-east-1, eksClusterName: a, canaryHostname: c.example.com, domainFilter: [example.com] }]',
      'probe.yaml',
    );
    return true;
  } catch {
    return false;
  }
}

const edgeCluster = (name: string, region: string) => `
  - name: ${name}
    role: edge
    region: ${region}
    eksClusterName: ${name}
    entryPoint: ${name}.elb.${region}.amazonaws.com
    canaryHostname: canary-${name}.example.com
    domainFilter: [example.com]
    manifests: clusters/${name}
`;

const CANARY_GATEWAY = (name: string) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: canary, namespace: edge }
spec: { selector: { istio: ingressgateway }, servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: [canary-${name}.example.com] }] }
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-edge-config-'));
  await cp(EXAMPLE_FLEET, dir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The upstream zone a fleet with edge clusters must name (docs/edge.md). */
const UPSTREAM = 'upstream:\n  zone: mesh.internal';

/** Adds edge clusters (name → extra manifests) to the copied fleet, and `fleetExtra` (by default the upstream zone). */
async function addEdges(edges: Record<string, string>, fleetExtra = UPSTREAM): Promise<void> {
  const regions = ['us-east-1', 'eu-west-1'];
  let clusters = '';
  for (const [i, [name, manifests]] of Object.entries(edges).entries()) {
    clusters += edgeCluster(name, regions[i % 2]!);
    await mkdir(join(dir, 'clusters', name), { recursive: true });
    await writeFile(join(dir, 'clusters', name, 'edge.yaml'), `${CANARY_GATEWAY(name)}${manifests ? `---\n${manifests}` : ''}`);
  }
  await appendFile(join(dir, 'fleet.yaml'), clusters);
  if (fleetExtra) await appendFile(join(dir, 'fleet.yaml'), `\n${fleetExtra}\n`);
}

async function run(options: Omit<EdgeConfigOptions, 'fleet'>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runEdgeConfig({ fleet: dir, ...options }, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Through the CLI's entry: the exit code and what went to stderr. */
async function cli(args: string[]): Promise<{ code: number; err: string }> {
  const errors: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((text: unknown) => void errors.push(String(text)));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const saved = process.exitCode;
    const code = await main(args);
    process.exitCode = saved;
    return { code, err: errors.join('\n') };
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
}

describe('switchyard edge-config', () => {
  it('is a registered verb with its flags in the shell completion', () => {
    const program = buildProgram();
    expect(program.commands.map((c) => c.name())).toContain('edge-config');
    const row = completionTable(program).find((r) => r.path === 'edge-config');
    expect(row?.words).toEqual(expect.arrayContaining(['--fleet', '--app', '--mesh', '--cluster', '--tsb', '--help']));
  });

  it.each([
    ['a fleet without edge clusters', () => [], 'the fleet has no edge clusters (clusters[].role: edge)'],
    // fleet.yaml itself is refused: `upstream` is required with edge clusters
    ['no upstream zone (Istio)', () => ['--app', 'shop.example.com'], 'upstream: required because clusters edge-us have role: edge'],
    ['an unknown mesh', () => ['--mesh', 'linkerd'], '--mesh: "linkerd" is not one of istio, tetrate'],
    ['Tetrate without its TSB hierarchy', () => ['--mesh', 'tetrate', '--app', 'shop.example.com'], '--mesh tetrate needs --tsb'],
    [
      'an unknown app',
      () => ['--mesh', 'tetrate', '--tsb', 'o/t/w/g', '--app', 'nope.example.com'],
      'unknown app "nope.example.com": no workload cluster serves it (served: api.example.com, docs.example.com, shop.example.com)',
    ],
    [
      'an app no edge may publish',
      () => ['--mesh', 'tetrate', '--tsb', 'o/t/w/g', '--app', 'shop.example.com'],
      '--app: no edge cluster may publish "shop.example.com" (outside every edge\'s domainFilter: edge-us: canary-edge-us.example.com)',
    ],
    [
      'no app named and none on the edges yet',
      () => ['--mesh', 'tetrate', '--tsb', 'o/t/w/g'],
      'no app is published by an edge cluster yet: name the app to put behind the edges with --app <host>',
    ],
    [
      'an unknown edge cluster',
      () => ['--mesh', 'tetrate', '--tsb', 'o/t/w/g', '--cluster', 'east'],
      '--cluster: "east" is not an edge cluster of the fleet (edge clusters: edge-us)',
    ],
  ])('refuses %s with exit 2 and says why', async (label, args, message) => {
    if (label !== 'a fleet without edge clusters') await addEdges({ 'edge-us': '' }, label === 'no upstream zone (Istio)' ? '' : UPSTREAM);
    if (label === 'an app no edge may publish') {
      const file = join(dir, 'fleet.yaml');
      await writeFile(
        file,
        (await readFile(file, 'utf8')).replace(
          'canaryHostname: canary-edge-us.example.com\n    domainFilter: [example.com]',
          'canaryHostname: canary-edge-us.example.com\n    domainFilter: [canary-edge-us.example.com]',
        ),
      );
    }
    const { code, err } = await cli(['edge-config', '--fleet', dir, ...args()]);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('Tetrate: prints a Tier1Gateway per edge for the app, forwarding to the workload clusters that serve it', async () => {
    await addEdges({ 'edge-us': '', 'edge-eu': '' });
    const { code, out } = await run({
      mesh: 'tetrate',
      tsb: 'myorg/platform/edge/tier1',
      app: 'Shop.Example.com',
      namespace: 'tier1',
      selector: 'app=tier1-gateway',
    });
    expect(code).toBe(0);
    expect(out).toMatch(/^# edge cluster edge-us \(us-east-1, EKS edge-us\): kubectl apply -f -\n/);
    expect(out).toContain('\n# edge cluster edge-eu (eu-west-1, EKS edge-eu): kubectl apply -f -\n');
    const docs = parseAllDocuments(out).map(
      (d) => d.toJSON() as { kind: string; spec: { externalServers: Array<{ hostname: string; clusters: Array<{ name: string }> }> } },
    );
    expect(docs.map((d) => d.kind)).toEqual(['Tier1Gateway', 'Tier1Gateway']);
    const discovered = JSON.parse(await discoverJson())
      .endpoints.filter((e: { hostname: string; cluster: string }) => e.hostname === 'shop.example.com' && !e.cluster.startsWith('edge'))
      .map((e: { cluster: string }) => e.cluster);
    for (const doc of docs)
      expect(doc.spec.externalServers).toEqual([
        expect.objectContaining({ hostname: 'shop.example.com', clusters: discovered.map((name: string) => ({ name })) }),
      ]);
  });

  it.skipIf(!fleetTakesUpstream())(
    'Istio: without --app, prints the resources of every app an edge already publishes, forwarding to its upstream name',
    async () => {
      await addEdges(
        {
          'edge-us': `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: shop, namespace: edge }\nspec: { selector: { istio: ingressgateway }, servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: [shop.example.com] }] }\n`,
        },
        'upstream:\n  zone: mesh.internal',
      );
      const { code, out } = await run({ credential: 'shop-tls' });
      expect(code).toBe(0);
      const docs = parseAllDocuments(out).map((d) => d.toJSON() as { kind: string; spec: Record<string, unknown> });
      expect(docs.map((d) => d.kind)).toEqual(['Gateway', 'VirtualService', 'ServiceEntry', 'DestinationRule']);
      expect(docs[2]!.spec).toMatchObject({ hosts: ['shop.example.com.mesh.internal'], resolution: 'DNS' });
    },
  );

  async function discoverJson(): Promise<string> {
    const out: string[] = [];
    await runDiscover({ fleet: dir, json: true }, { out: (t) => out.push(t) });
    return out.join('\n');
  }
});

describe('switchyard discover with edge clusters', () => {
  it('shows where each edge forwards, and reports a host no workload serves and a forward to a cluster that does not serve it (exit 1)', async () => {
    // Prepare: edge-us publishes blog (served by no workload) and shop through a Tier1Gateway naming eu and a stray cluster
    await addEdges({
      'edge-us': `apiVersion: gateway.tsb.tetrate.io/v2
kind: Tier1Gateway
metadata: { name: shop, namespace: edge }
spec:
  workloadSelector: { namespace: edge, labels: { app: tier1 } }
  externalServers:
    - { name: shop, hostname: shop.example.com, port: 443, tls: { mode: SIMPLE, secretName: shop }, clusters: [{ name: eu, weight: 50 }, { name: gone, weight: 50 }] }
    - { name: blog, hostname: blog.example.com, port: 443, tls: { mode: SIMPLE, secretName: blog }, clusters: [] }
`,
    });
    // Act
    const out: string[] = [];
    const code = await runDiscover({ fleet: dir, json: true }, { out: (t) => out.push(t) });
    const report = JSON.parse(out.join('\n'));
    // Assess
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      {
        cluster: 'edge-us',
        resource: 'edge-us/Tier1Gateway/edge/shop',
        reason: 'edge cluster edge-us publishes "blog.example.com", which no workload cluster serves (east, west, eu)',
      },
      {
        cluster: 'edge-us',
        resource: 'edge-us/Tier1Gateway/edge/shop',
        reason: 'forwards "shop.example.com" to cluster gone, not a cluster of the fleet (served by east, west, eu)',
      },
    ]);
    expect(report.edges).toEqual([
      { cluster: 'edge-us', hostname: 'blog.example.com', forwards: [{ kind: 'Tier1Gateway', resource: 'edge/shop', targets: [{ clusters: [] }] }] },
      {
        cluster: 'edge-us',
        hostname: 'shop.example.com',
        forwards: [
          {
            kind: 'Tier1Gateway',
            resource: 'edge/shop',
            targets: [
              {
                clusters: [
                  { name: 'eu', weight: 50 },
                  { name: 'gone', weight: 50 },
                ],
              },
            ],
          },
        ],
      },
    ]);
    // The text report lists the forwarding under the edge cluster
    const text: string[] = [];
    await runDiscover({ fleet: dir }, { out: (t) => text.push(t) });
    expect(text.join('\n')).toContain(
      '  edge forwarding:\n    blog.example.com → every cluster exposing it  (Tier1Gateway edge/shop)\n    shop.example.com → clusters eu (50), gone (50)  (Tier1Gateway edge/shop)\n',
    );
    expect(await readFile(join(dir, 'fleet.yaml'), 'utf8')).toContain('role: edge');
  });
});
