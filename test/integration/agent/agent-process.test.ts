// The agent as its container runs it: the esbuild bundle (scripts/agent-bundle.ts) in its
// own Node process with the container's Node flags (AGENT_NODE_FLAGS), configured only by
// the in-cluster variables, a service account folder and a fleet.yaml alone in its folder
// (a ConfigMap mount), against a fake API server and a local EventBridge. SIGTERM stops it cleanly: exit 0, JSON logs without the token.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NODE_FLAGS, buildAgentBundle } from '../../../scripts/agent-bundle.ts';
import { FakeApiServer, TEST_CA } from '../k8s/fake-api-server.ts';
import { startLocalBus, type LocalBus } from '../k8s/forwarder-harness.ts';
import { EXAMPLE_FLEET, exampleManifests, serve } from '../k8s/helpers.ts';

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
});
