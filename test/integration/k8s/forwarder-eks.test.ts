// `switchyard discover --watch --source eks` against fake EKS API servers (TLS with the
// test CA, presigned-STS tokens checked), DescribeCluster mocked to point at them, and a
// real EventBridgeClient sending to the local EventBridge service.
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/k8s/kube.ts';
import { isValidEksToken } from '../../unit/k8s/sigv4.ts';
import { FakeApiServer, TEST_CA } from './fake-api-server.ts';
import { quiet, runWatch, startLocalBus, type LocalBus, type WatchRun } from './forwarder-harness.ts';
import { EXAMPLE_FLEET, eventually, exampleManifests, serve } from './helpers.ts';

const eksMock = mockClient(EKSClient);
const CREDENTIALS = { accessKeyId: 'AKIDFORWARDER', secretAccessKey: 'forwarder-secret' };
const GATEWAYS = '/apis/networking.istio.io/v1/gateways';

let east: FakeApiServer;
let west: FakeApiServer;
let local: LocalBus;
let run: WatchRun | undefined;
let out: string[];
let err: string[];

beforeEach(async () => {
  east = await new FakeApiServer().start();
  west = await new FakeApiServer().start();
  local = await startLocalBus();
  const described = (server: FakeApiServer, name: string) => ({
    cluster: { name, status: 'ACTIVE', endpoint: server.url, certificateAuthority: { data: Buffer.from(TEST_CA).toString('base64') } },
  });
  eksMock.on(DescribeClusterCommand, { name: 'mesh-east' }).resolves(described(east, 'mesh-east') as never);
  eksMock.on(DescribeClusterCommand, { name: 'mesh-west' }).resolves(described(west, 'mesh-west') as never);
  eksMock
    .on(DescribeClusterCommand, { name: 'mesh-eu' })
    .rejects(Object.assign(new Error('No cluster found for name: mesh-eu.'), { name: 'ResourceNotFoundException' }));
  // Like EKS: only a GetCallerIdentity presign for this very cluster, signed with the caller's key
  east.acceptToken = (token) => isValidEksToken(token, 'mesh-east', CREDENTIALS.secretAccessKey, 'us-east-1');
  west.acceptToken = () => false;
});
afterEach(async () => {
  await run?.finish();
  run = undefined;
  eksMock.reset();
  await east.close();
  await west.close();
  await local.endpoint.close();
});

async function forward(): Promise<void> {
  run = runWatch(
    { fleet: EXAMPLE_FLEET, source: 'eks', endpointUrl: local.endpoint.url },
    { eks: { credentials: async () => CREDENTIALS }, watcher: { backoff: { minMs: 20, maxMs: 50 }, watch: { debounceMs: 5, resyncMs: 0 } } },
  );
  ({ out, err } = run);
  await eventually(() => err.includes('east: watching (4 endpoints now)'));
}

/** Stops the forwarder as SIGINT would; the exit code. */
const finish = () => (run as WatchRun).finish();

const busEvents = () => local.events();

function gatewayNamed(objects: KubeObject[], name: string): KubeObject {
  return objects.find((o) => o.kind === 'Gateway' && o.metadata?.name === name) as KubeObject;
}

describe('discover --watch --source eks', () => {
  it('sends a watch event of a reachable cluster to the bus; the unreachable ones are reported and send nothing', async () => {
    // Prepare: east serves its manifests; west refuses every token; eu does not exist
    serve(east, await exampleManifests('east'), '500');
    serve(west, await exampleManifests('west'), '700');
    await forward();
    const watch = await east.nextWatch(GATEWAYS);

    // Act: a Gateway appears in east
    watch.send('ADDED', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'blog', namespace: 'blog', resourceVersion: '501' },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ hosts: ['blog.example.com'] }] },
    });
    await eventually(() => busEvents().length === 1);
    await eventually(() => err.some((l) => l.startsWith('west: unreachable')) && err.some((l) => l.startsWith('eu: unreachable')));
    await quiet();
    const code = await finish();

    // Assess
    expect(busEvents()).toEqual([
      {
        bus: 'default',
        id: expect.any(String),
        detailType: 'Gateway Published',
        detail: {
          cluster: 'east',
          kind: 'IstioGateway',
          gateway: 'blog/blog',
          hostnames: ['blog.example.com'],
          entryPoint: 'mesh-east-ingress-1a2b3c4d5e6f7a8b.elb.us-east-1.amazonaws.com',
          annotations: {},
          resourceVersion: '501',
          observedAt: expect.any(String),
        },
      },
    ]);
    expect(out).toEqual([`sent Gateway Published east IstioGateway blog/blog: blog.example.com [${busEvents()[0]!.id}]`]);
    expect(err).toContain(
      `west: unreachable, sending nothing for it until it is back (its last complete picture is kept): /api/v1/services: HTTP 401: Unauthorized`,
    );
    expect(err).toContain(
      'eu: unreachable, sending nothing for it until it is back (its last complete picture is kept): DescribeCluster mesh-eu: No cluster found for name: mesh-eu.',
    );
    expect(err.filter((l) => l.startsWith('west: unreachable'))).toHaveLength(1); // reported once, not per retry
    expect(west.requests.length).toBeGreaterThan(2); // ...while it is retried
    expect(err.at(-1)).toBe('stopped: 1 event(s) sent, 0 not sent');
    expect(code).toBe(0);
  });

  it('re-lists after 410 Gone and sends what changed meanwhile', async () => {
    const manifests = await exampleManifests('east');
    serve(east, manifests, '500');
    await forward();
    const first = await east.nextWatch(GATEWAYS);

    // Act: shop-gateway was deleted while the watch was behind
    serve(
      east,
      manifests.filter((o) => o !== gatewayNamed(manifests, 'shop-gateway')),
      '900',
    );
    first.gone();
    const second = await east.nextWatch(GATEWAYS);
    await eventually(() => busEvents().length === 1);
    const code = await finish();

    expect(second.resourceVersion).toBe('900');
    expect(busEvents().map((e) => `${e.detailType} ${e.detail.gateway} ${e.detail.hostnames.join(',')}`)).toEqual([
      'Gateway Withdrawn shop/shop-gateway shop.example.com',
    ]);
    expect(err.some((l) => l.startsWith('east: unreachable'))).toBe(false); // a 410 is not an outage
    expect(code).toBe(0);
  });

  it('withdraws nothing while a cluster is unreachable, says when it is back, and goes on', async () => {
    serve(east, await exampleManifests('east'), '500');
    await forward();
    const watch = await east.nextWatch(GATEWAYS);

    // Act 1: the API server stops serving gateway watches
    east.failWatch(GATEWAYS, 503);
    watch.end();
    await eventually(() => err.some((l) => l.startsWith('east: unreachable')));
    await quiet();
    const during = busEvents();
    // Act 2: it answers again; the next change gets through
    east.failWatch(GATEWAYS, undefined);
    const resumed = await east.nextWatch(GATEWAYS);
    resumed.send('DELETED', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'api-gateway', namespace: 'api', resourceVersion: '600' },
    });
    await eventually(() => busEvents().length === 1);
    const code = await finish();

    expect(during).toEqual([]);
    expect(err).toContain(`east: unreachable, sending nothing for it until it is back (its last complete picture is kept): ${GATEWAYS}: HTTP 503: failing`);
    expect(err).toContain('east: reachable again');
    expect(resumed.resourceVersion).toBe('500');
    expect(busEvents()).toEqual([
      expect.objectContaining({
        detailType: 'Gateway Withdrawn',
        detail: expect.objectContaining({ gateway: 'api/api-gateway', hostnames: ['api.example.com'] }),
      }),
    ]);
    expect(code).toBe(0);
  });
});
