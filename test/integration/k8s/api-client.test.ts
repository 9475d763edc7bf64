import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeApi, KubeApiError, type WatchEvent } from '../../../src/k8s/api/client.ts';
import { listClusterObjects } from '../../../src/k8s/api/reader.ts';
import { FakeApiServer, OTHER_CA, TEST_CA } from './fake-api-server.ts';
import { exampleManifests, serve } from './helpers.ts';

let server: FakeApiServer;
beforeEach(async () => {
  server = await new FakeApiServer().start();
});
afterEach(async () => {
  await server.close();
});

const api = (overrides: Partial<ConstructorParameters<typeof KubeApi>[0]> = {}) =>
  new KubeApi({ server: server.url, caData: TEST_CA, token: async () => 'secret-token', timeoutMs: 2000, ...overrides });

describe('KubeApi against a fake API server over TLS', () => {
  it('lists every page, trusting the cluster CA and sending the bearer token', async () => {
    // Prepare
    const services = Array.from({ length: 5 }, (_, i) => ({ metadata: { name: `svc-${i}`, namespace: 'default' } }));
    server.setList('/api/v1/services', services, '4242');
    server.pageLimit = 2;

    // Act
    const result = await api({ pageSize: 2 }).list('/api/v1/services');

    // Assess
    expect(result.items.map((o) => o.metadata?.name)).toEqual(['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4']);
    expect(result.resourceVersion).toBe('4242');
    expect(server.requests.map((r) => [r.query['continue'] ?? '', r.authorization])).toEqual([
      ['', 'Bearer secret-token'],
      ['2', 'Bearer secret-token'],
      ['4', 'Bearer secret-token'],
    ]);
  });

  it('refuses a server whose certificate another CA signed, and one checked only against the system roots', async () => {
    server.setList('/api/v1/services', [], '1');
    await expect(api({ caData: OTHER_CA }).list('/api/v1/services')).rejects.toThrow(/cannot reach .*(self.signed|unable to verify|certificate)/i);
    await expect(api({ caData: undefined }).list('/api/v1/services')).rejects.toThrow(/cannot reach .*(self.signed|unable to verify|certificate)/i);
    expect(server.requests).toEqual([]);
  });

  it('reports a rejected token as HTTP 401 and a missing resource as 404', async () => {
    server.acceptToken = (token) => token === 'the-right-one';
    const refused = await api()
      .list('/api/v1/services')
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).status).toBe(401);
    expect((refused as Error).message).toBe('/api/v1/services: HTTP 401: Unauthorized');

    server.acceptToken = () => true;
    await expect(api().list('/apis/networking.istio.io/v1/gateways')).rejects.toMatchObject({ status: 404 });
  });

  it('asks for the token before every request, so a refreshed token is used', async () => {
    server.setList('/api/v1/namespaces', [], '1');
    let n = 0;
    const client = api({ token: async () => `token-${++n}` });
    await client.list('/api/v1/namespaces');
    await client.list('/api/v1/namespaces');
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('reads a chunked watch stream event by event from the given resourceVersion', async () => {
    const events: WatchEvent[] = [];
    const done = api().watch('/api/v1/services', { resourceVersion: '77', onEvent: (e) => events.push(e) });
    const session = await server.nextWatch('/api/v1/services');
    session.send('ADDED', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', resourceVersion: '78' } });
    session.send('BOOKMARK', { apiVersion: 'v1', kind: 'Service', metadata: { resourceVersion: '80' } });
    session.send('DELETED', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', resourceVersion: '81' } });
    session.end();
    await done;

    expect(session.resourceVersion).toBe('77');
    expect(server.requests.at(-1)?.query).toMatchObject({ watch: '1', resourceVersion: '77', allowWatchBookmarks: 'true' });
    expect(events.map((e) => `${e.type} ${e.object.metadata?.resourceVersion}`)).toEqual(['ADDED 78', 'BOOKMARK 80', 'DELETED 81']);
  });

  it('turns a 410 Gone (as an ERROR event or as the HTTP status) into KubeApiError 410', async () => {
    const first = api().watch('/api/v1/services', { resourceVersion: '1', onEvent: () => {} });
    (await server.nextWatch('/api/v1/services')).gone();
    await expect(first).rejects.toMatchObject({ status: 410 });

    server.failWatch('/api/v1/services', 410);
    await expect(api().watch('/api/v1/services', { resourceVersion: '1', onEvent: () => {} })).rejects.toMatchObject({ status: 410 });
  });

  it('lists a cluster: core types, the custom resources it serves, and none of those it does not', async () => {
    const manifests = await exampleManifests('west');
    serve(server, manifests);

    const objects = await listClusterObjects(api());

    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`).sort()).toEqual(
      manifests.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`).sort(),
    );
    const asked = new Set(server.requests.map((r) => r.path));
    // Istio and TSB are not installed in west: every version was tried, then they were skipped.
    expect(asked).toContain('/apis/networking.istio.io/v1alpha3/gateways');
    expect(asked).toContain('/apis/gateway.tsb.tetrate.io/v2/ingressgateways');
  });
});
