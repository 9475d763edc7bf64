import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFleet, type LoadedFleet } from '../../../src/fleet/fleet-file.ts';
import type { KubeObject } from '../../../src/k8s/kube.ts';
import { clusterSource, manifestFolderSource } from '../../../src/k8s/source.ts';

const EXAMPLE_FLEET = new URL('../../../examples/fleet/', import.meta.url).pathname;

/** The example fleet with the pinned entry points removed, so Services are really looked up. */
async function unpinned(): Promise<LoadedFleet> {
  const fleet = await loadFleet(EXAMPLE_FLEET);
  return { ...fleet, config: { ...fleet.config, clusters: fleet.config.clusters.map(({ entryPoint: _pinned, ...c }) => c) } };
}

describe('manifestFolderSource over the example fleet', () => {
  it("finds the example apps in all three clusters, each through the gateway Service matching fleet.yaml's entry point", async () => {
    // Prepare
    const pinned = await loadFleet(EXAMPLE_FLEET);
    const fleet = await unpinned();

    // Act
    const result = await manifestFolderSource(fleet).list();

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.unreachable).toEqual([]);
    const byHost = (h: string) =>
      result.endpoints
        .filter((e) => e.hostname === h)
        .map((e) => e.cluster)
        .sort();
    expect(byHost('shop.example.com')).toEqual(['east', 'eu', 'west']);
    expect(byHost('api.example.com')).toEqual(['east', 'west']);
    expect(byHost('docs.example.com')).toEqual(['east', 'eu']);
    for (const cluster of pinned.config.clusters) {
      expect(byHost(cluster.canaryHostname)).toEqual([cluster.name]);
      const own = result.endpoints.filter((e) => e.cluster === cluster.name);
      expect(own.every((e) => e.entryPoint === cluster.entryPoint)).toBe(true);
    }
    const api = result.endpoints.filter((e) => e.hostname === 'api.example.com');
    expect(Object.fromEntries(api.map((e) => [e.cluster, e.annotations]))).toEqual({
      east: { routing: 'failover', failover: 'primary', healthPath: '/healthz' },
      west: { routing: 'failover', failover: 'secondary', healthPath: '/healthz' },
    });
    expect(result.endpoints.filter((e) => e.hostname === 'docs.example.com').every((e) => e.annotations.routing === 'latency')).toBe(true);
    expect(
      result.endpoints
        .filter((e) => e.canary)
        .map((e) => e.hostname)
        .sort(),
    ).toEqual(['canary-east.example.com', 'canary-eu.example.com', 'canary-west.example.com']);
    expect(new Set(result.endpoints.map((e) => e.kind))).toEqual(new Set(['IstioGateway', 'HTTPRoute', 'TetrateGateway']));
  });

  it('describes what it reads', async () => {
    const source = manifestFolderSource(await loadFleet(EXAMPLE_FLEET), { clusters: ['west'] });
    expect(source.description).toBe('manifests of west (clusters/west)');
  });

  it('refuses an unknown cluster name', async () => {
    const fleet = await loadFleet(EXAMPLE_FLEET);
    expect(() => manifestFolderSource(fleet, { clusters: ['north'] })).toThrow('unknown cluster "north" (known: east, west, eu)');
  });

  describe('a cluster whose folder cannot be read', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'switchyard-fleet-'));
      await cp(EXAMPLE_FLEET, dir, { recursive: true });
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('is unreachable: it contributes nothing, is reported, and the others go on', async () => {
      await writeFile(join(dir, 'clusters', 'west', 'zz-broken.yaml'), 'kind: [');
      const result = await manifestFolderSource(await loadFleet(dir)).list();
      expect(result.unreachable).toEqual(['west']);
      expect(result.endpoints.some((e) => e.cluster === 'west')).toBe(false);
      expect(new Set(result.endpoints.map((e) => e.cluster))).toEqual(new Set(['east', 'eu']));
      expect(result.problems).toEqual([
        {
          subject: join(dir, 'clusters', 'west', 'zz-broken.yaml'),
          cluster: 'west',
          reason: expect.stringMatching(/^line 1: not valid YAML: .*; the cluster is held: its records are left as they are$/),
        },
      ]);
    });
  });
});

describe('clusterSource', () => {
  it('reads clusters concurrently and reports each failure as unreachable with its reason', async () => {
    const fleet = (await loadFleet(EXAMPLE_FLEET)).config;
    let running = 0;
    let most = 0;
    const source = clusterSource(
      fleet,
      (cluster) => ({
        async read(): Promise<KubeObject[]> {
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 10));
          running--;
          if (cluster.name === 'eu') throw new Error('connect ETIMEDOUT');
          return [];
        },
      }),
      { concurrency: 2 },
    );
    const result = await source.list();
    expect(most).toBe(2);
    expect(result).toEqual({
      endpoints: [],
      unreachable: ['eu'],
      problems: [{ subject: 'eu', cluster: 'eu', reason: 'cannot read the cluster, so its records are left as they are: connect ETIMEDOUT' }],
    });
  });
});
