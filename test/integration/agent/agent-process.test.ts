// The agent as its container runs it: the esbuild bundle (scripts/agent-bundle.ts) in its
// own Node process with the container's Node flags (AGENT_NODE_FLAGS), configured only by
// the in-cluster variables, a service account folder and a fleet.yaml alone in its folder
// (a ConfigMap mount), against a fake API server and a local EventBridge. SIGTERM stops
// it cleanly: exit 0, JSON logs without the token. On an edge cluster it also runs the
// edges' canary, publishing to (a fake) CloudWatch.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NODE_FLAGS, buildAgentBundle } from '../../../scripts/agent-bundle.ts';
import { FakeApiServer, TEST_CA } from '../k8s/fake-api-server.ts';
import { startLocalBus, type LocalBus } from '../k8s/forwarder-harness.ts';
import { EXAMPLE_FLEET, exampleManifests, serve } from '../k8s/helpers.ts';
import { startFakeCloudWatch } from './fake-cloudwatch.ts';

const TOKEN = 'process-test-token-0123456789abcdef';
let dir: string;
let bundle: string;
let api: FakeApiServer;
let local: LocalBus;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-agent-process-'));
  bundle = (await buildAgentBundle(join(dir, 'agent.mjs'))).outfile;
  await mkdir(join(dir, 'sa'));
  await writeFile(join(dir, 'sa', 'token'), TOKEN);
  await writeFile(join(dir, 'sa', 'ca.crt'), TEST_CA);
  await mkdir(join(dir, 'config'));
  await copyFile(join(EXAMPLE_FLEET, 'fleet.yaml'), join(dir, 'config', 'fleet.yaml'));
  api = await new FakeApiServer().start();
  api.acceptToken = (t) => t === TOKEN;
  serve(api, await exampleManifests('west'), '10');
  local = await startLocalBus();
});
afterAll(async () => {
  await api.close();
  await local.endpoint.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the agent bundle, as a process', () => {
  it('publishes the cluster at start, serves /readyz, and exits 0 on SIGTERM with JSON logs only', async () => {
    // Prepare: the Pod's environment, nothing of the machine's AWS settings
    const env = {
      PATH: process.env.PATH ?? '',
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: new URL(api.url).port,
      SWITCHYARD_CLUSTER: 'west',
      SWITCHYARD_BUS: 'default',
    };
    const child = spawn(
      process.execPath,
      [
        ...AGENT_NODE_FLAGS,
        bundle,
        '--fleet',
        join(dir, 'config', 'fleet.yaml'),
        '--service-account-dir',
        join(dir, 'sa'),
        '--endpoint-url',
        local.endpoint.url,
        '--port',
        '0',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Act
      const deadline = Date.now() + 60_000;
      while (!stdout.includes('"msg":"full sync sent"')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no full sync: ${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const port = (JSON.parse(stdout.split('\n').find((l) => l.includes('"msg":"agent started"')) as string) as { httpPort: number }).httpPort;
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      child.kill('SIGTERM');
      // Assess
      expect(await exited).toBe(0);
      expect(ready.status).toBe(200);
      expect(local.bus.recentEvents().map((r) => r.event.source)).toEqual(expect.arrayContaining(['switchyard.agent.west']));
      expect(local.events().every((e) => e.detail.cluster === 'west')).toBe(true);
      const lines = stdout.trim().split('\n');
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(stdout).not.toContain(TOKEN);
      expect(lines.at(-1)).toContain('"msg":"stopped"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it("on an edge cluster, runs the edges' canary: probes each workload cluster at its --upstream-target and puts Switchyard/Upstream Reachable to CloudWatch", async () => {
    // Prepare: the edge fleet with its canary port on a fake load balancer that answers for east only
    const hosts: string[] = [];
    const lb = createServer((req, res) => {
      hosts.push(String(req.headers.host));
      res.writeHead(req.headers.host === 'canary-east.example.com' ? 200 : 503).end();
    });
    await new Promise<void>((resolve) => lb.listen(0, '127.0.0.1', resolve));
    const cloudWatch = await startFakeCloudWatch();
    const fleetYaml = (await readFile('examples/edge-fleet/fleet.yaml', 'utf8')).replace(/^  port: 80$/m, `  port: ${(lb.address() as AddressInfo).port}`);
    await mkdir(join(dir, 'edge-config'), { recursive: true });
    await writeFile(join(dir, 'edge-config', 'fleet.yaml'), fleetYaml);
    const env = {
      PATH: process.env.PATH ?? '',
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: new URL(api.url).port,
      SWITCHYARD_CLUSTER: 'edge-eu',
      SWITCHYARD_BUS: 'default',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret-for-the-fake-endpoint',
    };
    const args = [
      ...AGENT_NODE_FLAGS,
      bundle,
      ...['--fleet', join(dir, 'edge-config', 'fleet.yaml'), '--service-account-dir', join(dir, 'sa'), '--endpoint-url', local.endpoint.url, '--port', '0'],
      ...['--upstream-target', 'east=127.0.0.1', '--upstream-target', 'west=127.0.0.1', '--upstream-target', 'eu=127.0.0.1'],
      ...['--upstream-interval-seconds', '1', '--cloudwatch-endpoint-url', cloudWatch.url],
    ];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Act
      const deadline = Date.now() + 60_000;
      while (cloudWatch.received.length < 2) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no metric published: ${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGTERM');
      // Assess: each round, one datum per workload cluster, probed with its own canary hostname
      expect(await exited).toBe(0);
      const first = cloudWatch.received[0]!;
      expect(first.operation).toBe('PutMetricData');
      expect(first.body['Namespace']).toBe('Switchyard/Upstream');
      const data = first.body['MetricData'] as Array<{ Dimensions: Array<{ Name: string; Value: string }>; Value: number }>;
      expect(data.map((d) => [d.Dimensions, d.Value])).toEqual([
        [[{ Name: 'Cluster', Value: 'east' }], 1],
        [[{ Name: 'Cluster', Value: 'west' }], 0],
        [[{ Name: 'Cluster', Value: 'eu' }], 0],
      ]);
      expect(new Set(hosts)).toEqual(new Set(['canary-east.example.com', 'canary-west.example.com', 'canary-eu.example.com']));
      expect(output).toContain('"msg":"upstream unreachable"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      lb.closeAllConnections();
      await new Promise((resolve) => lb.close(resolve));
      await cloudWatch.close();
    }
  });
});
