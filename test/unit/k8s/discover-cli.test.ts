import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDiscover } from '../../../src/cli/commands/discover.ts';
import { buildProgram } from '../../../src/cli/main.ts';

const EXAMPLE_FLEET = new URL('../../../examples/fleet/', import.meta.url).pathname;

async function run(args: Parameters<typeof runDiscover>[0]): Promise<{ code: number; text: string }> {
  const out: string[] = [];
  const code = await runDiscover(args, { out: (t) => out.push(t) });
  return { code, text: out.join('\n') };
}

describe('switchyard discover', () => {
  it('is a registered verb', () => {
    expect(buildProgram().commands.map((c) => c.name())).toContain('discover');
  });

  it('prints the example fleet as JSON with routing, weight, failover and health per endpoint', async () => {
    const { code, text } = await run({ fleet: EXAMPLE_FLEET, json: true });
    const report = JSON.parse(text);

    expect(code).toBe(0);
    expect(report.problems).toEqual([]);
    expect(report.unreachable).toEqual([]);
    const row = (cluster: string, hostname: string) =>
      report.endpoints.find((e: { cluster: string; hostname: string }) => e.cluster === cluster && e.hostname === hostname);
    expect(row('east', 'shop.example.com')).toEqual({
      cluster: 'east',
      hostname: 'shop.example.com',
      kind: 'IstioGateway',
      gateway: 'shop/shop-gateway',
      entryPoint: 'mesh-east-ingress-1a2b3c4d5e6f7a8b.elb.us-east-1.amazonaws.com',
      routing: 'weighted',
      weight: 100,
      failover: null,
      health: { protocol: 'HTTP', fqdn: 'canary-east.example.com', port: 80, path: '/status/200' },
      canary: false,
      enabled: true,
    });
    expect(row('west', 'api.example.com')).toMatchObject({
      kind: 'HTTPRoute',
      gateway: 'api/api',
      routing: 'failover',
      failover: 'secondary',
      weight: null,
      health: { path: '/healthz' },
    });
    expect(row('east', 'api.example.com')).toMatchObject({ failover: 'primary' });
    expect(row('eu', 'docs.example.com')).toMatchObject({ kind: 'TetrateGateway', routing: 'latency' });
    expect(row('eu', 'canary-eu.example.com')).toMatchObject({ canary: true, routing: 'simple' });
    expect(report.endpoints).toHaveLength(10);
  });

  it('prints a table per cluster', async () => {
    const { code, text } = await run({ fleet: EXAMPLE_FLEET });
    expect(code).toBe(0);
    expect(text).toMatch(/^east: 4 endpoints\n  HOSTNAME +KIND +GATEWAY +ENTRY POINT +ROUTING +WEIGHT +FAILOVER +HEALTH\n/);
    expect(text).toMatch(/\n\nwest: 3 endpoints\n/);
    expect(text).toMatch(/\n\neu: 3 endpoints\n/);
    expect(text).toMatch(
      /  api\.example\.com +HTTPRoute +api\/api +mesh-west-ingress-9f8e7d6c5b4a3f2e\.elb\.us-west-2\.amazonaws\.com +failover +- +secondary +HTTP west\.api\.example\.com:80\/healthz/,
    );
    expect(text).toContain('canary (simple)');
    expect(text.endsWith('No problems.')).toBe(true);
  });

  describe('with problems', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'switchyard-discover-'));
      await cp(EXAMPLE_FLEET, dir, { recursive: true });
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('exits 1 when resources have problems, listing each with its cluster and resource', async () => {
      await writeFile(
        join(dir, 'clusters', 'eu', 'bad.yaml'),
        `apiVersion: gateway.tsb.tetrate.io/v2
kind: Gateway
metadata: { name: bad, namespace: shop, annotations: { switchyard.io/weight: heavy } }
spec:
  workloadSelector: { namespace: tetrate-gw, labels: { app: eu-gateway } }
  http: [{ name: x, port: 80, hostname: "*" }, { name: y, port: 80, hostname: cart.example.com }]
`,
      );
      const { code, text } = await run({ fleet: dir, json: true });
      const report = JSON.parse(text);
      expect(code).toBe(1);
      expect(report.problems).toEqual([
        { cluster: 'eu', resource: 'eu/TetrateGateway/shop/bad', reason: 'ignored annotation switchyard.io/weight: "heavy" is not an integer 0–255' },
        { cluster: 'eu', resource: 'eu/TetrateGateway/shop/bad', reason: 'host "*" matches every name and cannot be published' },
      ]);
      expect(report.endpoints.some((e: { hostname: string }) => e.hostname === 'cart.example.com')).toBe(true);
    });

    it('exits 1 when a cluster cannot be read, and shows it as unreachable', async () => {
      await rm(join(dir, 'clusters', 'west'), { recursive: true });
      const { code, text } = await run({ fleet: dir });
      expect(code).toBe(1);
      expect(text).toContain('west: UNREACHABLE — held: its records are left as they are (see the problems below)');
      expect(text).toMatch(/west: cannot read the cluster, so its records are left as they are: .*no such manifests folder/);
    });

    it('reads a cluster without a manifests folder from files as unreachable with --source manifests', async () => {
      const fleetYaml = await readFile(join(EXAMPLE_FLEET, 'fleet.yaml'), 'utf8');
      await writeFile(join(dir, 'fleet.yaml'), fleetYaml.replace('    manifests: clusters/eu\n', ''));
      const { code, text } = await run({ fleet: dir, json: true, source: 'manifests' });
      const report = JSON.parse(text);
      expect(code).toBe(1);
      expect(report.unreachable).toEqual(['eu']);
      expect(report.problems).toContainEqual({
        cluster: 'eu',
        resource: 'eu',
        reason: 'cannot read the cluster, so its records are left as they are: cluster eu has no manifests folder in the fleet config',
      });
    });
  });

  it('refuses a missing fleet as bad input', async () => {
    await expect(run({ fleet: join(tmpdir(), 'no-such-fleet') })).rejects.toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });
});
