import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFleet } from '../../../src/fleet/fleet-file.ts';
import { gatewayPublishedDetailSchema, gatewayWithdrawnDetailSchema, type GatewayEvent } from '../../../src/core/gateway-events.ts';
import { KubeApi } from '../../../src/k8s/api/client.ts';
import type { PublishedEndpoint } from '../../../src/core/model.ts';
import type { KubeObject } from '../../../src/k8s/kube.ts';
import { canaryHostnames } from '../../../src/k8s/parse/cluster.ts';
import { ClusterWatcher } from '../../../src/k8s/watch.ts';
import { FakeApiServer, TEST_CA } from './fake-api-server.ts';
import { EXAMPLE_FLEET, eventually, exampleManifests, serve } from './helpers.ts';

const GATEWAYS = '/apis/networking.istio.io/v1/gateways';

let server: FakeApiServer;
let watcher: ClusterWatcher | undefined;
beforeEach(async () => {
  server = await new FakeApiServer().start();
});
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await server.close();
});

async function startWatching(initial?: readonly PublishedEndpoint[]) {
  const fleet = (await loadFleet(EXAMPLE_FLEET)).config;
  const { entryPoint: _pinned, ...east } = fleet.clusters[0]!;
  const events: GatewayEvent[] = [];
  const errors: string[] = [];
  watcher = new ClusterWatcher({
    cluster: east,
    canaries: canaryHostnames(fleet.clusters),
    api: new KubeApi({ server: server.url, caData: TEST_CA, token: async () => 't' }),
    emit: (batch) => {
      events.push(...batch);
    },
    onError: (error, what) => errors.push(`${what}: ${(error as Error).message}`),
    debounceMs: 5,
    resyncMs: 0,
    backoff: { minMs: 20, maxMs: 50 },
    ...(initial ? { initial } : {}),
  });
  await watcher.start();
  return { events, errors, watcher };
}

function gateway(objects: KubeObject[], name: string): KubeObject {
  return objects.find((o) => o.kind === 'Gateway' && o.metadata?.name === name) as KubeObject;
}

describe('ClusterWatcher against a fake API server', () => {
  it('lists, then turns watch events into Gateway Published / Withdrawn events', async () => {
    // Prepare
    const manifests = await exampleManifests('east');
    serve(server, manifests, '500');
    const { events } = await startWatching();
    expect(events).toEqual([]); // the first list is the baseline
    expect(watcher!.endpoints?.map((e) => e.hostname)).toEqual(['api.example.com', 'canary-east.example.com', 'docs.example.com', 'shop.example.com']);
    const watch = await server.nextWatch(GATEWAYS);
    expect(watch.resourceVersion).toBe('500');

    // Act 1: a new Gateway appears
    watch.send('ADDED', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'blog', namespace: 'blog', resourceVersion: '501', annotations: { 'switchyard.io/weight': '30' } },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ hosts: ['blog/blog.example.com'] }] },
    });
    await eventually(() => events.length === 1);
    // Act 2: docs is deleted
    watch.send('DELETED', { ...gateway(manifests, 'docs-gateway'), metadata: { ...gateway(manifests, 'docs-gateway').metadata, resourceVersion: '502' } });
    await eventually(() => events.length === 2);

    // Assess
    expect(events[0]).toEqual({
      detailType: 'Gateway Published',
      detail: {
        cluster: 'east',
        kind: 'IstioGateway',
        gateway: 'blog/blog',
        hostnames: ['blog.example.com'],
        entryPoint: 'mesh-east-ingress-1a2b3c4d5e6f7a8b.elb.us-east-1.amazonaws.com',
        annotations: { weight: 30 },
        resourceVersion: '501',
        observedAt: expect.any(String),
      },
    });
    expect(events[1]).toEqual({
      detailType: 'Gateway Withdrawn',
      detail: {
        cluster: 'east',
        kind: 'IstioGateway',
        gateway: 'docs/docs-gateway',
        hostnames: ['docs.example.com'],
        reason: 'deleted',
        observedAt: expect.any(String),
      },
    });
    for (const e of events) (e.detailType === 'Gateway Published' ? gatewayPublishedDetailSchema : gatewayWithdrawnDetailSchema).parse(e.detail);
  });

  it('finds the same picture in objects as an API server sends them (managedFields, last-applied, status), listed a page at a time', async () => {
    // Prepare: every object with the fields a real API server adds, one object a page
    const manifests = await exampleManifests('east');
    const heavy = (o: KubeObject): KubeObject => ({
      ...o,
      metadata: {
        ...o.metadata,
        annotations: { ...o.metadata?.annotations, 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) },
        managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:servers': {} } } }],
      } as KubeObject['metadata'],
      status: { ...(o.status as object | undefined), conditions: [{ type: 'Reconciled', status: 'True' }] },
    });
    serve(server, manifests.map(heavy), '500');
    server.pageLimit = 1;

    // Act
    const { events } = await startWatching();
    const watch = await server.nextWatch(GATEWAYS);
    const docs = gateway(manifests, 'docs-gateway');
    watch.send('MODIFIED', heavy({ ...docs, metadata: { ...docs.metadata, resourceVersion: '501', annotations: { 'switchyard.io/weight': '7' } } }));
    await eventually(() => events.length === 1);

    // Assess
    expect(watcher!.endpoints?.map((e) => e.hostname)).toEqual(['api.example.com', 'canary-east.example.com', 'docs.example.com', 'shop.example.com']);
    expect(events[0]).toMatchObject({
      detailType: 'Gateway Published',
      detail: { gateway: 'docs/docs-gateway', annotations: { weight: 7 }, resourceVersion: '501' },
    });
    expect(server.requests.filter((r) => r.path === GATEWAYS && r.query['continue']).length).toBeGreaterThan(0);
  });

  it('re-lists on 410 Gone and reports what changed while it was not watching', async () => {
    // Prepare
    const manifests = await exampleManifests('east');
    serve(server, manifests, '500');
    const { events } = await startWatching();
    const first = await server.nextWatch(GATEWAYS);

    // Act: while the watch was behind, shop-gateway was deleted and api-gateway re-annotated
    const api = gateway(manifests, 'api-gateway');
    const relisted = manifests
      .filter((o) => o !== gateway(manifests, 'shop-gateway'))
      .map((o) =>
        o === api
          ? {
              ...api,
              metadata: { ...api.metadata, resourceVersion: '900', annotations: { ...api.metadata?.annotations, 'switchyard.io/health-path': '/ready' } },
            }
          : o,
      );
    serve(server, relisted, '901');
    first.gone();
    const second = await server.nextWatch(GATEWAYS);
    await eventually(() => events.length === 2);

    // Assess
    expect(second.resourceVersion).toBe('901');
    expect(server.requests.filter((r) => r.path === GATEWAYS && r.query['watch'] === undefined)).toHaveLength(2);
    expect(events.map((e) => `${e.detailType} ${e.detail.gateway} ${e.detail.hostnames.join(',')}`)).toEqual([
      'Gateway Published api/api-gateway api.example.com',
      'Gateway Withdrawn shop/shop-gateway shop.example.com',
    ]);
    expect(events[0]?.detail).toMatchObject({ annotations: { healthPath: '/ready' }, resourceVersion: '900' });
  });

  it('withdraws nothing while the API server is unreachable, and goes on when it is back', async () => {
    // Prepare
    serve(server, await exampleManifests('east'), '500');
    const { events, errors } = await startWatching();
    const watch = await server.nextWatch(GATEWAYS);

    // Act: the watch breaks and every new watch fails
    server.failWatch(GATEWAYS, 503);
    watch.end();
    await eventually(() => errors.some((e) => e.startsWith('watch gateways: ') && e.includes('HTTP 503')));
    await watcher!.settled();
    const during = [...events];
    server.failWatch(GATEWAYS, undefined);
    const resumed = await server.nextWatch(GATEWAYS);
    resumed.send('DELETED', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'api-gateway', namespace: 'api', resourceVersion: '600' },
    });
    await eventually(() => events.length === 1);

    // Assess
    expect(during).toEqual([]);
    expect(watcher!.endpoints?.map((e) => e.hostname)).toEqual(['canary-east.example.com', 'docs.example.com', 'shop.example.com']);
    expect(resumed.resourceVersion).toBe('500');
    expect(events[0]).toMatchObject({ detailType: 'Gateway Withdrawn', detail: { gateway: 'api/api-gateway', hostnames: ['api.example.com'] } });
  });

  it('keeps retrying the first list while the cluster is unreachable, emitting nothing', async () => {
    server.acceptToken = () => false;
    const fleet = (await loadFleet(EXAMPLE_FLEET)).config;
    const errors: string[] = [];
    const events: GatewayEvent[] = [];
    watcher = new ClusterWatcher({
      cluster: fleet.clusters[0]!,
      canaries: canaryHostnames(fleet.clusters),
      api: new KubeApi({ server: server.url, caData: TEST_CA, token: async () => 't' }),
      emit: (batch) => void events.push(...batch),
      onError: (error, what) => errors.push(`${what}: ${(error as Error).message}`),
      backoff: { minMs: 10, maxMs: 20 },
      resyncMs: 0,
    });
    const started = watcher.start();
    await eventually(() => errors.length >= 2);
    serve(server, await exampleManifests('east'), '700');
    server.acceptToken = () => true;
    await started;

    expect(errors[0]).toMatch(/^list: .*HTTP 401: Unauthorized$/);
    expect(events).toEqual([]);
    expect(watcher.endpoints).toHaveLength(4);
  });

  it('compares the first list with the endpoints last known', async () => {
    serve(server, await exampleManifests('east'), '500');
    const stale = {
      hostname: 'old.example.com',
      cluster: 'east',
      kind: 'IstioGateway' as const,
      gateway: 'old/old',
      entryPoint: 'x.elb.amazonaws.com',
      annotations: {},
    };
    const { events } = await startWatching([stale]);
    await watcher!.settled();
    expect(events.filter((e) => e.detailType === 'Gateway Withdrawn').map((e) => e.detail.hostnames)).toEqual([['old.example.com']]);
    expect(events.filter((e) => e.detailType === 'Gateway Published')).toHaveLength(4);
  });
});
