// `switchyard agent` against a fake API server (TLS with the test CA, bearer tokens
// checked), found through the in-cluster variables and a service account folder, sending
// to a local EventBridge over real HTTP with the real SDK.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAgent, type RunningAgent } from '../../../src/agent/run.ts';
import type { UpstreamSample } from '../../../src/agent/upstream-canary.ts';
import { loadFleet } from '../../../src/fleet/fleet-file.ts';
import { canaryHostnames } from '../../../src/k8s/parse/cluster.ts';
import { FakeApiServer, TEST_CA } from '../k8s/fake-api-server.ts';
import { startLocalBus, type LocalBus } from '../k8s/forwarder-harness.ts';
import { EXAMPLE_FLEET, exampleManifests, serve } from '../k8s/helpers.ts';

const GATEWAYS = '/apis/networking.istio.io/v1/gateways';
/** Looks like a real projected token (a JWT), so the redaction of JWTs is exercised too. */
const TOKEN_1 = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6b25lIn0.c2lnbmF0dXJlLW9uZQ';
const TOKEN_2 = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6dHdvIn0.c2lnbmF0dXJlLXR3bw';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';

let api: FakeApiServer;
let local: LocalBus;
let saDir: string;
let running: RunningAgent | undefined;
let lines: string[];

const until = async (check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not met within ${ms} ms: ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const blog = (hosts: string[], rv: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name: 'blog', namespace: 'blog', resourceVersion: rv },
  spec: { selector: { istio: 'ingressgateway' }, servers: [{ hosts }] },
});

beforeEach(async () => {
  api = await new FakeApiServer().start();
  local = await startLocalBus();
  saDir = await mkdtemp(join(tmpdir(), 'switchyard-agent-sa-'));
  await writeFile(join(saDir, 'token'), `${TOKEN_1}\n`);
  await writeFile(join(saDir, 'ca.crt'), TEST_CA);
  await writeFile(join(saDir, 'namespace'), 'switchyard-system');
  api.acceptToken = (token) => token === TOKEN_1;
  serve(api, await exampleManifests('east'), '500');
  lines = [];
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await api.close();
  await local.endpoint.close();
  await rm(saDir, { recursive: true, force: true });
});

async function start(
  tune: { debounceMs?: number; republishMs?: number } = {},
  upstreamCanary?: Parameters<typeof runAgent>[0]['upstreamCanary'],
): Promise<RunningAgent> {
  const fleet = await loadFleet(EXAMPLE_FLEET);
  const env = {
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: new URL(api.url).port,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: 'us-east-1',
  };
  running = await runAgent({
    cluster: fleet.config.clusters.find((c) => c.name === 'east')!,
    canaries: canaryHostnames(fleet.config.clusters),
    // The credentials the SDK would find in the Pod's environment (IRSA/Pod Identity give temporary ones).
    client: new EventBridgeClient({
      endpoint: local.endpoint.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
    }),
    eventBusName: 'default',
    env,
    serviceAccountDir: saDir,
    httpPort: 0,
    httpHost: '127.0.0.1',
    write: (line) => lines.push(line),
    ...(tune.republishMs === undefined ? {} : { republishMs: tune.republishMs }),
    tune: { backoff: { minMs: 20, maxMs: 100 }, watch: { debounceMs: tune.debounceMs ?? 30 } },
    ...(upstreamCanary ? { upstreamCanary } : {}),
  });
  await until(
    () => running!.agent.ready,
    () => `the agent is ready; its log:\n${lines.join('\n')}\n${JSON.stringify(api.requests.slice(0, 3))}`,
  );
  return running;
}

const httpGet = async (path: string) => {
  const response = await fetch(`http://127.0.0.1:${running!.http!.port}${path}`);
  return { status: response.status, text: await response.text() };
};
const busEvents = () => local.events();
const sourcesOnBus = () => local.bus.recentEvents().map((r) => r.event.source);

describe('switchyard agent', () => {
  it('finds the API server through the in-cluster variables, publishes everything at start, and serves /healthz, /readyz and /metrics', async () => {
    // Act
    await start();
    // Assess: the four endpoints of east's manifests, from east's agent
    await until(() => busEvents().length >= 3, 'the start-up publish reached the bus');
    expect(new Set(sourcesOnBus())).toEqual(new Set(['switchyard.agent.east']));
    expect(busEvents().every((e) => e.detailType === 'Gateway Published' && e.detail.cluster === 'east')).toBe(true);
    expect(
      busEvents()
        .flatMap((e) => e.detail.hostnames)
        .sort(),
    ).toEqual(running!.agent.endpoints!.map((e) => e.hostname).sort());
    expect(api.requests.every((r) => r.authorization === `Bearer ${TOKEN_1}`)).toBe(true);
    expect(await httpGet('/healthz')).toEqual({ status: 200, text: 'ok\n' });
    expect((await httpGet('/readyz')).status).toBe(200);
    const metrics = (await httpGet('/metrics')).text;
    expect(metrics).toContain(`switchyard_agent_events_sent_total{cluster="east",type="Gateway Published"} ${busEvents().length}`);
    expect(metrics).toMatch(/switchyard_agent_last_full_sync_age_seconds\{cluster="east"\} \d/);
    expect(metrics).toContain('switchyard_agent_ready{cluster="east"} 1');
  });

  it("runs the edges' canary it is given: probes on its interval, publishes each round, shows the answers on /metrics, and stops with the agent", async () => {
    // Prepare: a workload cluster's load balancer that answers its canary, and a fake CloudWatch sink
    const hosts: string[] = [];
    const lb = createServer((req, res) => {
      hosts.push(String(req.headers.host));
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => lb.listen(0, '127.0.0.1', resolve));
    const published: UpstreamSample[][] = [];
    try {
      // Act
      const agent = await start(
        {},
        {
          targets: [
            {
              cluster: 'west',
              address: '127.0.0.1',
              port: (lb.address() as AddressInfo).port,
              protocol: 'HTTP',
              host: 'canary-west.example.com',
              path: '/status/200',
            },
          ],
          sink: { publish: async (samples) => void published.push([...samples]) },
          intervalMs: 50,
          timeoutMs: 2000,
        },
      );
      await until(() => published.length >= 2, 'two rounds were published');
      // Assess
      expect(published[0]!.map((s) => [s.cluster, s.reachable])).toEqual([['west', true]]);
      expect(new Set(hosts)).toEqual(new Set(['canary-west.example.com']));
      const metrics = (await httpGet('/metrics')).text;
      expect(metrics).toContain('switchyard_agent_upstream_reachable{cluster="east",upstream="west"} 1');
      expect(metrics).toMatch(/switchyard_agent_upstream_probes_total\{cluster="east",upstream="west",result="reachable"\} [2-9]/);
      await agent.stop();
      running = undefined;
      const after = published.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(published.length).toBe(after);
    } finally {
      lb.closeAllConnections();
      await new Promise((resolve) => lb.close(resolve));
    }
  });

  it('re-reads the token as it rotates: after the old one is refused, requests carry the new one and changes still flow', async () => {
    // Prepare
    await start();
    const watch = await api.nextWatch(GATEWAYS);
    const before = busEvents().length;
    // Act: the kubelet rotates the token; the API server stops accepting the old one; the watch ends
    await writeFile(join(saDir, 'token'), `${TOKEN_2}\n`);
    api.acceptToken = (token) => token === TOKEN_2;
    watch.end();
    const next = await api.nextWatch(GATEWAYS);
    next.send('ADDED', blog(['blog.example.com'], '601'));
    // Assess
    await until(() => busEvents().length > before, 'the new Gateway was published');
    expect(busEvents().at(-1)).toMatchObject({
      detailType: 'Gateway Published',
      detail: { cluster: 'east', gateway: 'blog/blog', hostnames: ['blog.example.com'] },
    });
    expect(api.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN_2}`);
  });

  it('re-lists on 410 Gone and publishes what the re-list shows; the restart is counted', async () => {
    // Prepare
    await start();
    const watch = await api.nextWatch(GATEWAYS);
    const before = busEvents().length;
    // Act: the watch's resourceVersion is too old; meanwhile a Gateway was added
    const manifests = await exampleManifests('east');
    serve(api, [...manifests, blog(['blog.example.com'], '900')], '900');
    watch.gone();
    // Assess
    await until(() => busEvents().length > before, 'the re-listed Gateway was published');
    expect(
      busEvents()
        .slice(before)
        .map((e) => [e.detailType, e.detail.gateway]),
    ).toEqual([['Gateway Published', 'blog/blog']]);
    const rewatch = await api.nextWatch(GATEWAYS);
    expect(rewatch.resourceVersion).toBe('900');
    expect((await httpGet('/metrics')).text).toMatch(/switchyard_agent_watch_restarts_total\{cluster="east"\} [1-9]/);
  });

  it('coalesces a burst of changes to one hostname into its net effect', async () => {
    // Prepare: a quiet window long enough to hold the whole burst
    await start({ debounceMs: 300 });
    const watch = await api.nextWatch(GATEWAYS);
    const before = busEvents().length;
    // Act: added, renamed three times; and a second one added then deleted
    watch.send('ADDED', blog(['blog.example.com'], '601'));
    watch.send('MODIFIED', blog(['blog2.example.com'], '602'));
    watch.send('MODIFIED', blog(['blog3.example.com'], '603'));
    watch.send('MODIFIED', blog(['blog4.example.com'], '604'));
    watch.send('ADDED', { ...blog(['flap.example.com'], '605'), metadata: { name: 'flap', namespace: 'blog', resourceVersion: '605' } });
    watch.send('DELETED', { ...blog(['flap.example.com'], '606'), metadata: { name: 'flap', namespace: 'blog', resourceVersion: '606' } });
    // Assess: one Published with the final hostname, nothing for the flap
    await until(() => busEvents().length > before, 'the burst was sent');
    await running!.agent.stop({ flushTimeoutMs: 5000 });
    expect(
      busEvents()
        .slice(before)
        .map((e) => [e.detailType, e.detail.hostnames]),
    ).toEqual([['Gateway Published', ['blog4.example.com']]]);
  });

  it('at stop (SIGTERM), sends the change still in its quiet window before it returns', async () => {
    // Prepare: a quiet window far longer than the test
    await start({ debounceMs: 600_000 });
    const watch = await api.nextWatch(GATEWAYS);
    const before = busEvents().length;
    watch.send('ADDED', blog(['blog.example.com'], '601'));
    await until(() => running!.agent.metrics().endpoints >= 0 && api.requests.length > 0, 'the change was delivered');
    await new Promise((r) => setTimeout(r, 200));
    // Act
    const summary = await running!.stop();
    // Assess
    expect(summary).toMatchObject({ flushed: true, lost: 0 });
    expect(
      busEvents()
        .slice(before)
        .map((e) => e.detail.hostnames),
    ).toEqual([['blog.example.com']]);
    expect(lines.at(-1)).toContain('"msg":"stopped"');
  });

  it('a cluster whose Gateways all vanish at once is held: nothing is withdrawn', async () => {
    // Prepare
    await start();
    const watch = await api.nextWatch(GATEWAYS);
    const services = await api.nextWatch('/api/v1/services');
    const before = busEvents().length;
    // Act: every Gateway and the ingress Service are deleted
    for (const o of (await exampleManifests('east')).filter((o) => o.kind === 'Gateway'))
      watch.send('DELETED', { ...o, metadata: { ...o.metadata, resourceVersion: '700' } });
    for (const o of (await exampleManifests('east')).filter((o) => o.kind === 'Service'))
      services.send('DELETED', { ...o, metadata: { ...o.metadata, resourceVersion: '701' } });
    // Assess
    await until(() => running!.agent.unreachable !== undefined, 'the cluster is held');
    expect(running!.agent.unreachable).toContain('published nothing');
    expect(busEvents().slice(before)).toEqual([]);
  });

  it('never writes a token or an AWS key in its logs, even when requests fail', async () => {
    // Prepare
    await start();
    const watch = await api.nextWatch(GATEWAYS);
    // Act: every token is refused for a while (401s are logged), then accepted again
    api.acceptToken = () => false;
    watch.end();
    await until(() => lines.some((l) => l.includes('401')), 'a refused request was logged');
    api.acceptToken = (token) => token === TOKEN_1;
    await running!.stop();
    // Assess
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      for (const secret of [TOKEN_1, SECRET, ACCESS_KEY, 'eyJhbGciOiJSUzI1NiJ9']) expect(line).not.toContain(secret);
    }
  });
});
