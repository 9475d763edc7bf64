// The in-cluster agent (docs/agent.md):
// 1. memory while watching 5,000 Gateways: the agent's bundle in its own process against
//    a fake API server listing 5,000 Istio Gateways, after its start-up publish of all of
//    them and 200 watch changes; its peak RSS (VmHWM), with the container's Node settings
//    (AGENT_NODE_OPTIONS). Target: under 100 MB. For scale: Node 22 alone is ~45 MB here,
//    and with the bundle loaded ~80 MB before it reads anything.
// 2. a manifest change to records INSYNC on the local runtime, every wait at zero: a new
//    Gateway file in a cluster's manifest folder → stand-in API server → agent → bus →
//    router → OnboardApp → Route 53 record visible (INSYNC at once with the delay at
//    zero). Median of 5. Target: under 2 s.
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_OPTIONS, buildAgentBundle } from '../scripts/agent-bundle.ts';
import { startLocalRuntime } from '../src/local/runtime/runtime.ts';
import { FakeApiServer, TEST_CA } from '../test/integration/k8s/fake-api-server.ts';
import { startLocalBus } from '../test/integration/k8s/forwarder-harness.ts';

const GATEWAYS = Number(process.env.BENCH_GATEWAYS ?? 5000);
const TARGET_RSS_MB = 100;
const CHANGES = 5;
const TARGET_CHANGE_MS = 2000;
const EXAMPLE_FLEET = fileURLToPath(new URL('../examples/fleet/', import.meta.url));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function agentMemory(): Promise<{ peakRssMb: number; rssMb: number; fullSyncMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-agent-'));
  const api = await new FakeApiServer().start();
  const local = await startLocalBus();
  try {
    const bundle = (await buildAgentBundle(join(dir, 'agent.mjs'))).outfile;
    await mkdir(join(dir, 'sa'));
    await writeFile(join(dir, 'sa', 'token'), 'bench-token');
    await writeFile(join(dir, 'sa', 'ca.crt'), TEST_CA);
    await writeFile(join(dir, 'fleet.yaml'), await readFile(join(EXAMPLE_FLEET, 'fleet.yaml'), 'utf8'));
    const gateway = (i: number, rv: string) => ({
      metadata: { name: `app-${i}`, namespace: `ns-${i % 50}`, resourceVersion: rv },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [`app-${i}.example.com`] }] },
    });
    api.setList('/api/v1/services', [], '1');
    api.setList('/api/v1/namespaces', [], '1');
    api.setList('/apis/networking.istio.io/v1/gateways', Array.from({ length: GATEWAYS }, (_, i) => gateway(i, '1')), '1');
    const env = { PATH: process.env.PATH ?? '', KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(api.url).port, SWITCHYARD_CLUSTER: 'east', SWITCHYARD_BUS: 'default' };
    const started = Date.now();
    const child = spawn(process.execPath, [...AGENT_NODE_OPTIONS.split(' '), bundle, '--fleet', join(dir, 'fleet.yaml'), '--service-account-dir', join(dir, 'sa'), '--endpoint-url', local.endpoint.url, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout = (stdout + c).slice(-100_000)));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      while (!stdout.includes('"msg":"full sync sent"')) {
        if (child.exitCode !== null || Date.now() - started > 300_000) throw new Error(`the agent did not finish its full sync: ${stdout.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const fullSyncMs = Date.now() - started;
      const watch = await api.nextWatch('/apis/networking.istio.io/v1/gateways');
      for (let i = 0; i < 200; i++) watch.send('MODIFIED', { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', ...gateway(i, String(10 + i)), spec: { ...gateway(i, '').spec, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [`app-${i}-v2.example.com`] }] } });
      await new Promise((r) => setTimeout(r, 2000));
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(/\s(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[1] ?? NaN);
      return { peakRssMb: Math.round(kb('VmHWM:') / 102.4) / 10, rssMb: Math.round(kb('VmRSS:') / 102.4) / 10, fullSyncMs };
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  } finally {
    await api.close();
    await local.endpoint.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function manifestToInsync(): Promise<number[]> {
  const fleet = await mkdtemp(join(tmpdir(), 'switchyard-bench-agent-fleet-'));
  await cp(EXAMPLE_FLEET, fleet, { recursive: true });
  const runtime = await startLocalRuntime({ fleet, stateDir: null, port: 0, dnsPort: null, waitScale: 0, insyncDelayMs: 0, healthCheckTimeScale: 0.01, settleTimeoutMs: 600_000 });
  const route53 = new Route53Client({ endpoint: runtime.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    const zone = (await runtime.clients.route53.listHostedZones())[0]!.id;
    const times: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const name = `bench-${i}.example.com`;
      const t0 = Date.now();
      await writeFile(
        join(fleet, 'clusters', 'east', `bench-${i}.yaml`),
        `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: bench-${i}, namespace: bench }\nspec:\n  selector: { istio: ingressgateway }\n  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["bench/${name}"] }]\n`,
      );
      for (;;) {
        const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: `${name}.`, MaxItems: 5 }));
        if ((out.ResourceRecordSets ?? []).some((r) => r.Name === `${name}.` && r.Type === 'A')) break;
        if (Date.now() - t0 > 120_000) throw new Error(`${name}: no record after 120 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      times.push(Date.now() - t0);
      await runtime.settle();
    }
    return times;
  } finally {
    route53.destroy();
    await runtime.close();
    await rm(fleet, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const memory = await agentMemory();
  const changes = await manifestToInsync();
  const changeMs = median(changes);
  return {
    gateways: GATEWAYS,
    memory,
    manifestToInsyncMs: changes,
    targets: [
      { name: `agent peak RSS watching ${GATEWAYS} Gateways, MB`, target: `< ${TARGET_RSS_MB}`, actual: memory.peakRssMb, pass: memory.peakRssMb < TARGET_RSS_MB },
      { name: `manifest change to records INSYNC on the local runtime, waits at zero: median of ${CHANGES}, ms`, target: `< ${TARGET_CHANGE_MS}`, actual: changeMs, pass: changeMs < TARGET_CHANGE_MS },
    ],
  };
}
