// The stand-in Kubernetes API server of a simulated cluster, through the project's own
// Kubernetes client (TLS with the stand-in CA, bearer token): lists, watches that carry
// file changes as ADDED / MODIFIED / DELETED, resuming from a resourceVersion, 410 for a
// version no longer kept, 401 for a wrong token, 503 while the folder does not read.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeApi, KubeApiError, type WatchEvent } from '../../../src/k8s/api/client.ts';
import { ManifestApiServer, STANDIN_CA } from '../../../src/local/kube/manifest-api.ts';

const GATEWAYS = '/apis/networking.istio.io/v1/gateways';
const gateway = (name: string, host: string) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: shop }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["${host}"] }]
`;

let root: string;
let folder: string;
let tokenFile: string;
let server: ManifestApiServer;
let client: KubeApi;
const stops: AbortController[] = [];

const until = async (check: () => boolean, what: string, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not met within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'switchyard-standin-'));
  folder = join(root, 'clusters', 'east');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'shop.yaml'), gateway('shop', 'shop.example.com'));
  tokenFile = join(root, 'token');
  await writeFile(tokenFile, 'local-token\n');
  server = await ManifestApiServer.start({ fleetDir: root, manifests: 'clusters/east', tokenFile, pollMs: 0, debounceMs: 20 });
  client = new KubeApi({ server: server.url, caData: STANDIN_CA, token: async () => 'local-token', timeoutMs: 5000 });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) stop.abort();
  client.close();
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function watch(path: string, resourceVersion: string): { events: WatchEvent[]; done: Promise<unknown> } {
  const stop = new AbortController();
  stops.push(stop);
  const events: WatchEvent[] = [];
  const done = client.watch(path, { resourceVersion, signal: stop.signal, onEvent: (e) => events.push(e) }).catch((error: unknown) => error);
  return { events, done };
}

describe('ManifestApiServer (a stand-in API server of a manifest folder)', () => {
  it('lists the folder by resource type, with a resourceVersion; serves no other path', async () => {
    // Act
    const list = await client.list(GATEWAYS);
    const services = await client.list('/api/v1/services');
    // Assess
    expect(list.items.map((o) => [o.metadata?.namespace, o.metadata?.name])).toEqual([['shop', 'shop']]);
    expect(Number(list.resourceVersion)).toBeGreaterThan(0);
    expect(services.items).toEqual([]);
    await expect(client.list('/api/v1/secrets')).rejects.toMatchObject({ status: 404 });
  });

  it('turns a file added, changed and deleted into ADDED, MODIFIED and DELETED on a watch', async () => {
    // Prepare
    const list = await client.list(GATEWAYS);
    const { events } = watch(GATEWAYS, list.resourceVersion);
    // Act + Assess
    await writeFile(join(folder, 'blog.yaml'), gateway('blog', 'blog.example.com'));
    await until(() => events.length === 1, 'ADDED');
    await writeFile(join(folder, 'blog.yaml'), gateway('blog', 'blog2.example.com'));
    await until(() => events.length === 2, 'MODIFIED');
    await rm(join(folder, 'blog.yaml'));
    await until(() => events.length === 3, 'DELETED');
    expect(events.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ['ADDED', 'blog'],
      ['MODIFIED', 'blog'],
      ['DELETED', 'blog'],
    ]);
    const versions = events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('resumes a watch from a resourceVersion with the changes after it', async () => {
    // Prepare
    const list = await client.list(GATEWAYS);
    await writeFile(join(folder, 'blog.yaml'), gateway('blog', 'blog.example.com'));
    await until(() => server.resourceVersion !== list.resourceVersion, 'the change was read');
    // Act: a watch from the list's version, opened after the change
    const { events } = watch(GATEWAYS, list.resourceVersion);
    // Assess
    await until(() => events.length === 1, 'the missed change');
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'blog' } } });
  });

  it('answers 410 Gone to a watch from a version it no longer keeps', async () => {
    // Prepare: a stand-in that keeps only the last event; two changes after version 1
    await server.close();
    server = await ManifestApiServer.start({ fleetDir: root, manifests: 'clusters/east', tokenFile, pollMs: 0, debounceMs: 20, historySize: 1 });
    client.close();
    client = new KubeApi({ server: server.url, caData: STANDIN_CA, token: async () => 'local-token', timeoutMs: 5000 });
    await writeFile(join(folder, 'blog.yaml'), gateway('blog', 'blog.example.com'));
    await until(() => Number(server.resourceVersion) > 2, 'the change was read');
    // Act
    const { done } = watch(GATEWAYS, '1');
    // Assess
    const error = await done;
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(410);
  });

  it('refuses a token other than the one in the token file', async () => {
    const stranger = new KubeApi({ server: server.url, caData: STANDIN_CA, token: async () => 'not-the-token', timeoutMs: 5000 });
    await expect(stranger.list(GATEWAYS)).rejects.toMatchObject({ status: 401 });
    stranger.close();
  });

  it('answers 503 while a file does not parse, sends nothing on open watches, and serves the folder again once fixed', async () => {
    // Prepare
    const list = await client.list(GATEWAYS);
    const { events } = watch(GATEWAYS, list.resourceVersion);
    // Act: a broken file, and meanwhile the shop Gateway's file is removed
    await writeFile(join(folder, 'broken.yaml'), 'kind: [unclosed\n');
    await until(() => server.unavailable !== undefined, 'the folder does not read');
    await rm(join(folder, 'shop.yaml'));
    await server.reload();
    // Assess
    await expect(client.list(GATEWAYS)).rejects.toMatchObject({ status: 503 });
    expect(events).toEqual([]);
    // Act: fixed
    await rm(join(folder, 'broken.yaml'));
    await until(() => events.length === 1, 'the deletion, once the folder reads');
    expect(events[0]).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'shop' } } });
  });
});
