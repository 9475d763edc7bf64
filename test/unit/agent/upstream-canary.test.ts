// The edges' canary (src/agent/upstream-canary.ts, docs/edge.md "Health"): probes of a fake
// workload load balancer over real HTTP/TCP, rounds handed to a fake sink, the CloudWatch
// sink's PutMetricData as a fake CloudWatch endpoint receives it from the real SDK, and the
// agent flags that turn it on (src/cli/commands/agent.ts).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { renderMetrics } from '../../../src/agent/metrics.ts';
import { cloudWatchUpstreamSink, createUpstreamCanary, probeUpstream, type UpstreamSample } from '../../../src/agent/upstream-canary.ts';
import { upstreamCanaryConfig } from '../../../src/cli/commands/agent.ts';
import { parseFleetConfig } from '../../../src/core/config.ts';
import type { UpstreamProbeTarget } from '../../../src/core/upstream.ts';
import { startFakeCloudWatch } from '../../integration/agent/fake-cloudwatch.ts';

const edgeFleet = parseFleetConfig(readFileSync('examples/edge-fleet/fleet.yaml', 'utf8'), 'examples/edge-fleet/fleet.yaml');
const plainFleet = parseFleetConfig(readFileSync('examples/fleet/fleet.yaml', 'utf8'), 'examples/fleet/fleet.yaml');
const cluster = (name: string) => edgeFleet.clusters.find((c) => c.name === name)!;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A workload cluster's load balancer: answers `status()` and records what it was asked. */
async function upstream(status: () => number | 'hang'): Promise<{ port: number; requests: Array<{ host: string; path: string }> }> {
  const requests: Array<{ host: string; path: string }> = [];
  const server = createServer((req, res) => {
    requests.push({ host: String(req.headers.host), path: req.url ?? '' });
    const answer = status();
    if (answer !== 'hang') res.writeHead(answer).end();
  });
  return { port: await listen(server), requests };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await closers.pop()!();
  return port;
}

const target = (name: string, port: number, protocol: UpstreamProbeTarget['protocol'] = 'HTTP'): UpstreamProbeTarget => ({
  cluster: name,
  address: '127.0.0.1',
  port,
  protocol,
  host: `canary-${name}.example.com`,
  path: '/status/200',
});

describe('probeUpstream', () => {
  it("asks the load balancer for the cluster's canary (Host = its canary hostname) and counts 2xx/3xx as reachable", async () => {
    // Prepare
    let status = 200;
    const lb = await upstream(() => status);
    // Act / Assess
    expect(await probeUpstream(target('east', lb.port), 2000)).toEqual({ reachable: true });
    status = 302;
    expect(await probeUpstream(target('east', lb.port), 2000)).toEqual({ reachable: true });
    status = 503;
    expect(await probeUpstream(target('east', lb.port), 2000)).toEqual({ reachable: false, reason: 'HTTP 503' });
    expect(lb.requests).toEqual(Array(3).fill({ host: 'canary-east.example.com', path: '/status/200' }));
  });

  it('is unreachable when nothing listens, and when the answer does not come within the timeout', async () => {
    const refused = await probeUpstream(target('east', await closedPort()), 2000);
    expect(refused.reachable).toBe(false);
    expect(refused.reason).toMatch(/ECONNREFUSED/);
    const lb = await upstream(() => 'hang');
    expect(await probeUpstream(target('east', lb.port), 200)).toEqual({ reachable: false, reason: 'timeout after 200 ms' });
  });

  it('HTTPS sends the canary hostname as Host and TLS server name, and does not judge the certificate (as Route 53 does not)', async () => {
    // Prepare: a load balancer whose certificate is signed by a CA nobody here trusts
    const fixtures = new URL('../../integration/k8s/fixtures/', import.meta.url);
    const seen: Array<{ host: string; servername: string | false | null }> = [];
    const server = createTlsServer(
      { cert: readFileSync(new URL('server.pem', fixtures)), key: readFileSync(new URL('server-key.pem', fixtures)) },
      (req, res) => {
        seen.push({ host: String(req.headers.host), servername: (req.socket as TLSSocket).servername });
        res.writeHead(204).end();
      },
    );
    const port = await listen(server as unknown as Server);
    // Act / Assess
    expect(await probeUpstream(target('west', port, 'HTTPS'), 2000)).toEqual({ reachable: true });
    expect(seen).toEqual([{ host: 'canary-west.example.com', servername: 'canary-west.example.com' }]);
  });

  it('times out by the timer it is given (the local runtime passes one that does not count its own stalls)', async () => {
    const lb = await upstream(() => 'hang');
    const asked: number[] = [];
    const immediate = (ms: number, onExpire: () => void) => {
      asked.push(ms);
      const t = setTimeout(onExpire, 0);
      return { clear: () => clearTimeout(t) };
    };
    expect(await probeUpstream(target('east', lb.port), 60_000, immediate)).toEqual({ reachable: false, reason: 'timeout after 60000 ms' });
    expect(asked).toEqual([60_000]);
  });

  it('TCP only opens a connection', async () => {
    const port = await listen(createTcpServer((socket) => socket.end()));
    expect(await probeUpstream(target('east', port, 'TCP'), 2000)).toEqual({ reachable: true });
    expect((await probeUpstream(target('east', await closedPort(), 'TCP'), 2000)).reachable).toBe(false);
  });
});

describe('createUpstreamCanary', () => {
  it('hands each round’s answers to the sink, one per workload cluster, and shows them in its snapshot', async () => {
    // Prepare: east answers, west fails
    const east = await upstream(() => 200);
    const west = await upstream(() => 503);
    const published: UpstreamSample[][] = [];
    const at = new Date('2026-12-03T15:00:00Z');
    const canary = createUpstreamCanary({
      edge: 'edge-us',
      targets: [target('east', east.port), target('west', west.port)],
      sink: { publish: async (samples) => void published.push([...samples]) },
      timeoutMs: 2000,
      now: () => at,
    });
    // Act
    await canary.round();
    await canary.round();
    // Assess
    expect(published).toEqual(
      Array(2).fill([
        { cluster: 'east', at, reachable: true },
        { cluster: 'west', at, reachable: false, reason: 'HTTP 503' },
      ]),
    );
    expect(canary.snapshot()).toEqual({
      clusters: [
        { cluster: 'east', reachable: true, probes: { reachable: 2, unreachable: 0 } },
        { cluster: 'west', reachable: false, probes: { reachable: 0, unreachable: 2 } },
      ],
      publishErrors: 0,
      lastPublishAgeSeconds: 0,
    });
  });

  it('counts a round the sink refused, rejects it, and publishes again on the next round', async () => {
    const east = await upstream(() => 200);
    let refuse = true;
    const published: UpstreamSample[][] = [];
    const canary = createUpstreamCanary({
      edge: 'edge-us',
      targets: [target('east', east.port)],
      sink: {
        publish: async (samples) => {
          if (refuse) throw new Error('AccessDenied: not authorized to perform cloudwatch:PutMetricData');
          published.push([...samples]);
        },
      },
      timeoutMs: 2000,
    });
    await expect(canary.round()).rejects.toThrow(/AccessDenied/);
    expect(canary.snapshot()).toMatchObject({ publishErrors: 1, lastPublishAgeSeconds: undefined });
    refuse = false;
    await canary.round();
    expect(published).toHaveLength(1);
    expect(canary.snapshot().publishErrors).toBe(1);
  });

  it('once started, probes on its interval until stopped', async () => {
    const east = await upstream(() => 200);
    const canary = createUpstreamCanary({ edge: 'edge-us', targets: [target('east', east.port)], sink: { publish: async () => undefined }, timeoutMs: 2000 });
    canary.start(30);
    const deadline = Date.now() + 20_000;
    while (east.requests.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    canary.stop();
    expect(east.requests.length).toBeGreaterThanOrEqual(3);
  });
});

describe('cloudWatchUpstreamSink', () => {
  it('sends Switchyard/Upstream Reachable per cluster (dimension Cluster only, standard resolution) through the real SDK', async () => {
    // Prepare: a fake CloudWatch endpoint (JSON 1.0, as SDK v3 speaks it)
    const cloudWatch = await startFakeCloudWatch();
    closers.push(() => cloudWatch.close());
    const client = new CloudWatchClient({
      endpoint: cloudWatch.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    closers.push(async () => client.destroy());
    const at = new Date('2026-12-03T15:00:00Z');
    // Act
    await cloudWatchUpstreamSink(client).publish([
      { cluster: 'east', at, reachable: true },
      { cluster: 'west', at, reachable: false, reason: 'HTTP 503' },
    ]);
    // Assess
    expect(cloudWatch.received).toHaveLength(1);
    expect(cloudWatch.received[0]!.operation).toBe('PutMetricData');
    const datum = (cluster: string, value: number) => ({
      MetricName: 'Reachable',
      Dimensions: [{ Name: 'Cluster', Value: cluster }],
      Timestamp: at.getTime() / 1000,
      Value: value,
      Unit: 'None',
      StorageResolution: 60,
    });
    expect(cloudWatch.received[0]!.body).toEqual({ Namespace: 'Switchyard/Upstream', MetricData: [datum('east', 1), datum('west', 0)] });
  });
});

describe('upstreamCanaryConfig (switchyard agent --upstream-canary)', () => {
  const flags = (over: Partial<{ upstreamCanary: string; upstreamTarget: string[]; upstreamIntervalSeconds: string }> = {}) => ({
    upstreamCanary: 'auto',
    upstreamTarget: [],
    ...over,
  });

  it("is on for an edge cluster: each workload cluster's canary at its entryPoint, CloudWatch in the upstream alarms' region", () => {
    const config = upstreamCanaryConfig(edgeFleet, cluster('edge-eu'), flags())!;
    expect(config.targets).toEqual([
      {
        cluster: 'east',
        address: 'mesh-east-ingress-1a2b3c4d5e6f7a8b.elb.us-east-1.amazonaws.com',
        port: 80,
        protocol: 'HTTP',
        host: 'canary-east.example.com',
        path: '/status/200',
      },
      expect.objectContaining({ cluster: 'west', address: 'mesh-west-ingress-9f8e7d6c5b4a3f2e.elb.us-west-2.amazonaws.com' }),
      expect.objectContaining({ cluster: 'eu', address: 'mesh-eu-ingress-0a1b2c3d4e5f6a7b.elb.eu-west-1.amazonaws.com' }),
    ]);
    // The first edge's region (edge-us), whichever edge runs it; the fleet's healthCheck.intervalSeconds.
    expect(config).toMatchObject({ region: 'us-east-1', intervalMs: 10_000, timeoutMs: 5000 });
  });

  it('is off for a workload cluster, in a fleet without edges, and with --upstream-canary off', () => {
    expect(upstreamCanaryConfig(edgeFleet, cluster('east'), flags())).toBeUndefined();
    expect(upstreamCanaryConfig(plainFleet, plainFleet.clusters[0]!, flags())).toBeUndefined();
    expect(upstreamCanaryConfig(edgeFleet, cluster('edge-us'), flags({ upstreamCanary: 'off' }))).toBeUndefined();
  });

  it('probes an --upstream-target address instead of the entryPoint, and at --upstream-interval-seconds', () => {
    const config = upstreamCanaryConfig(
      edgeFleet,
      cluster('edge-us'),
      flags({ upstreamTarget: ['west=internal-mesh-west.elb.us-west-2.amazonaws.com'], upstreamIntervalSeconds: '2' }),
    )!;
    expect(config.targets.find((t) => t.cluster === 'west')?.address).toBe('internal-mesh-west.elb.us-west-2.amazonaws.com');
    expect(config).toMatchObject({ intervalMs: 2000, timeoutMs: 2000 });
  });

  it('refuses, naming the input: on for a workload cluster, an unknown mode, a bad or foreign target, a long interval, a cluster without an address', () => {
    expect(() => upstreamCanaryConfig(edgeFleet, cluster('east'), flags({ upstreamCanary: 'on' }))).toThrow(
      /--upstream-canary on: cluster east is a workload cluster/,
    );
    expect(() => upstreamCanaryConfig(edgeFleet, cluster('edge-us'), flags({ upstreamCanary: 'yes' }))).toThrow(
      /--upstream-canary "yes": expected auto, on, off/,
    );
    expect(() => upstreamCanaryConfig(edgeFleet, cluster('edge-us'), flags({ upstreamTarget: ['west'] }))).toThrow(
      /--upstream-target "west": expected <cluster>=<address>/,
    );
    expect(() => upstreamCanaryConfig(edgeFleet, cluster('edge-us'), flags({ upstreamTarget: ['edge-eu=lb.example.com'] }))).toThrow(
      /edge-eu is not a workload cluster behind the edges \(east, west, eu\)/,
    );
    expect(() => upstreamCanaryConfig(edgeFleet, cluster('edge-us'), flags({ upstreamIntervalSeconds: '45' }))).toThrow(/at most 30/);
    const unpinned = { ...edgeFleet, clusters: edgeFleet.clusters.map((c) => (c.name === 'eu' ? { ...c, entryPoint: undefined } : c)) };
    expect(() => upstreamCanaryConfig(unpinned, cluster('edge-us'), flags())).toThrow(
      /the edges' canary has no address for eu: pin clusters\[\]\.entryPoint in the fleet or pass --upstream-target/,
    );
    expect(upstreamCanaryConfig(unpinned, cluster('edge-us'), flags({ upstreamTarget: ['eu=internal-eu.example.com'] }))).toBeDefined();
  });
});

describe('renderMetrics with the edges’ canary', () => {
  it('shows each workload cluster’s last answer, the probes by result, refused publishes and the publish age', () => {
    const text = renderMetrics({
      cluster: 'edge-us',
      sent: {},
      errors: {},
      watchRestarts: 0,
      lastFullSyncAgeSeconds: 1,
      endpoints: 2,
      ready: true,
      upstream: {
        clusters: [
          { cluster: 'east', reachable: true, probes: { reachable: 4, unreachable: 1 } },
          { cluster: 'west', reachable: undefined, probes: { reachable: 0, unreachable: 0 } },
        ],
        publishErrors: 2,
        lastPublishAgeSeconds: undefined,
      },
    });
    expect(text).toContain('switchyard_agent_upstream_reachable{cluster="edge-us",upstream="east"} 1\n');
    expect(text).toContain('switchyard_agent_upstream_reachable{cluster="edge-us",upstream="west"} NaN\n');
    expect(text).toContain('switchyard_agent_upstream_probes_total{cluster="edge-us",upstream="east",result="unreachable"} 1\n');
    expect(text).toContain('switchyard_agent_upstream_publish_errors_total{cluster="edge-us"} 2\n');
    expect(text).toContain('switchyard_agent_upstream_last_publish_age_seconds{cluster="edge-us"} NaN\n');
    expect(renderMetrics({ cluster: 'east', sent: {}, errors: {}, watchRestarts: 0, lastFullSyncAgeSeconds: 1, endpoints: 2, ready: true })).not.toContain(
      'upstream',
    );
  });
});
