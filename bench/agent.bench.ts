// The in-cluster agent (docs/agent.md):
// 1. memory while watching N Gateways (1,000, 2,500, 5,000): the agent's bundle in its own
//    process against a fake API server listing N Istio Gateways, after its start-up publish
//    of all of them and 200 watch changes; its peak RSS (VmHWM), with the container's Node
//    flags (AGENT_NODE_FLAGS), and the resident set's anonymous (heap, malloc) and
//    file-backed (the Node binary's pages) parts. Target at 5,000: under 100 MB. Once more
//    at 5,000 with the Gateways as an API server sends them after `kubectl apply`
//    (managedFields, the last-applied annotation, uid, timestamps), which the agent prunes.
//    For scale: Node 22 alone is ~44 MB here, and with the bundle loaded ~72 MB before it
//    reads anything (docs/agent.md, "Memory").
// 2. a manifest change to records INSYNC on the local runtime, every wait at zero: a new
//    Gateway file in a cluster's manifest folder → stand-in API server → agent → bus →
//    router → OnboardApp → Route 53 record visible (INSYNC at once with the delay at
//    zero). Median of 5, on the example fleet (target: under 2 s) and with 50 and 200
//    more apps published by the agents' start-up onboarding, one OnboardApp per app. Each
//    OnboardApp once read every zone whole, so that start-up grew with the square of the
//    apps (500 took over 20 minutes here). It now reads Route 53 at its app's names and
//    the catalogue at its app's entry only, unless one of the app's health checks must be
//    made (docs/dns.md, "What an apply reads"). One OnboardApp at 100 / 1,000 / 10,000
//    published apps is bench/onboard.bench.ts.
// The growth rule (bench/lib/growth.ts) holds both to linear in the size.
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_NODE_FLAGS, buildAgentBundle } from '../scripts/agent-bundle.ts';
import { startLocalRuntime } from '../src/local/runtime/runtime.ts';
import { bigFleet, EXAMPLE_FLEET } from './lib/fleet.ts';
import { growthTarget } from './lib/growth.ts';
import { FakeApiServer, TEST_CA } from '../test/integration/k8s/fake-api-server.ts';
import { startLocalBus } from '../test/integration/k8s/forwarder-harness.ts';

const GATEWAY_SIZES = [1000, 2500, 5000] as const;
const TARGET_GATEWAYS = 5000;
const TARGET_RSS_MB = 100;
const CHANGES = 5;
/** Apps published besides the example fleet's when the manifest change is measured. */
const CHANGE_EXTRA_APPS = [0, 50, 200] as const;
const TARGET_CHANGE_MS = 2000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** As the bench's fake API server lists a Gateway: the fields discovery reads, or everything a real one adds too. */
type Shape = 'minimal' | 'served';

interface AgentMemory {
  gateways: number;
  shape: Shape;
  peakRssMb: number;
  rssMb: number;
  anonMb: number;
  fileMb: number;
  fullSyncMs: number;
}

/** What an API server adds to an object applied with kubectl (src/k8s/prune.ts drops most of it). */
function asServed<G extends { metadata: { name: string; namespace: string; resourceVersion: string }; spec: object }>(gateway: G, i: number) {
  const applied = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { annotations: {}, name: gateway.metadata.name, namespace: gateway.metadata.namespace },
    spec: gateway.spec,
  };
  return {
    ...gateway,
    metadata: {
      ...gateway.metadata,
      uid: `6f1c2d3e-4a5b-4c6d-8e7f-${String(i).padStart(12, '0')}`,
      generation: 1,
      creationTimestamp: '2026-11-02T09:14:07Z',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` },
      managedFields: [
        {
          apiVersion: 'networking.istio.io/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
            'f:spec': { '.': {}, 'f:selector': { '.': {}, 'f:istio': {} }, 'f:servers': {} },
          },
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          time: '2026-11-02T09:14:07Z',
        },
      ],
    },
  };
}

async function agentMemory(gateways: number, shape: Shape = 'minimal'): Promise<AgentMemory> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-agent-'));
  const api = await new FakeApiServer().start();
  const local = await startLocalBus();
  try {
    const bundle = (await buildAgentBundle(join(dir, 'agent.mjs'))).outfile;
    await mkdir(join(dir, 'sa'));
    await writeFile(join(dir, 'sa', 'token'), 'bench-token');
    await writeFile(join(dir, 'sa', 'ca.crt'), TEST_CA);
    await writeFile(join(dir, 'fleet.yaml'), await readFile(join(EXAMPLE_FLEET, 'fleet.yaml'), 'utf8'));
    const minimal = (i: number, rv: string) => ({
      metadata: { name: `app-${i}`, namespace: `ns-${i % 50}`, resourceVersion: rv },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [`app-${i}.example.com`] }] },
    });
    const gateway = (i: number, rv: string) => (shape === 'served' ? asServed(minimal(i, rv), i) : minimal(i, rv));
    api.setList('/api/v1/services', [], '1');
    api.setList('/api/v1/namespaces', [], '1');
    api.setList(
      '/apis/networking.istio.io/v1/gateways',
      Array.from({ length: gateways }, (_, i) => gateway(i, '1')),
      '1',
    );
    const env = {
      PATH: process.env.PATH ?? '',
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: new URL(api.url).port,
      SWITCHYARD_CLUSTER: 'east',
      SWITCHYARD_BUS: 'default',
    };
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        ...AGENT_NODE_FLAGS,
        bundle,
        '--fleet',
        join(dir, 'fleet.yaml'),
        '--service-account-dir',
        join(dir, 'sa'),
        '--endpoint-url',
        local.endpoint.url,
        '--port',
        '0',
      ],
      { env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
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
      for (let i = 0; i < 200; i++)
        watch.send('MODIFIED', {
          apiVersion: 'networking.istio.io/v1',
          kind: 'Gateway',
          ...gateway(i, String(10 + i)),
          spec: { ...gateway(i, '').spec, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [`app-${i}-v2.example.com`] }] },
        });
      await new Promise((r) => setTimeout(r, 2000));
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(/\s(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[1] ?? NaN);
      const mb = (field: string) => Math.round(kb(field) / 102.4) / 10;
      return { gateways, shape, peakRssMb: mb('VmHWM:'), rssMb: mb('VmRSS:'), anonMb: mb('RssAnon:'), fileMb: mb('RssFile:'), fullSyncMs };
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

async function manifestToInsync(extraApps: number): Promise<{ extraApps: number; appsOnEast: number; changesMs: number[]; medianMs: number }> {
  const made = await bigFleet(extraApps);
  const fleet = made.dir;
  const runtime = await startLocalRuntime({
    fleet,
    stateDir: null,
    port: 0,
    dnsPort: null,
    waitScale: 0,
    insyncDelayMs: 0,
    healthCheckTimeScale: 0.01,
    settleTimeoutMs: 600_000,
  });
  const route53 = new Route53Client({ endpoint: runtime.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    const zone = (await runtime.clients.route53.listHostedZones())[0]!.id;
    // Start-up publishes every app (the agents' first full sync → OnboardApp): measure after it.
    await runtime.settle(600_000);
    const appsOnEast = new Set(
      (await runtime.clients.route53.listRecordSets(zone)).filter((r) => r.setIdentifier === 'east' && r.type === 'A').map((r) => r.name),
    ).size;
    if (appsOnEast < extraApps) throw new Error(`start-up published ${appsOnEast} apps on east, fewer than the ${extraApps} bench apps`);
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
    return { extraApps, appsOnEast, changesMs: times, medianMs: median(times) };
  } finally {
    route53.destroy();
    await runtime.close();
    await made.remove();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const memory = [];
  for (const gateways of GATEWAY_SIZES) memory.push(await agentMemory(gateways));
  const served = await agentMemory(TARGET_GATEWAYS, 'served');
  const changes = [];
  for (const extra of CHANGE_EXTRA_APPS) changes.push(await manifestToInsync(extra));
  const atTarget = memory.find((m) => m.gateways === TARGET_GATEWAYS)!;
  const example = changes[0]!;
  return {
    gateways: TARGET_GATEWAYS,
    memory: atTarget,
    memoryBySize: memory,
    memoryServed: served,
    manifestToInsyncMs: example.changesMs,
    manifestToInsyncBySize: changes,
    targets: [
      {
        name: `agent peak RSS watching ${TARGET_GATEWAYS} Gateways, MB`,
        target: `< ${TARGET_RSS_MB}`,
        actual: atTarget.peakRssMb,
        pass: atTarget.peakRssMb < TARGET_RSS_MB,
      },
      {
        name: `agent peak RSS watching ${TARGET_GATEWAYS} Gateways as an API server sends them (managedFields, last-applied annotation), MB`,
        target: `< ${TARGET_RSS_MB}`,
        actual: served.peakRssMb,
        pass: served.peakRssMb < TARGET_RSS_MB,
      },
      growthTarget(
        'agent peak RSS MB by Gateways watched',
        memory.map((m) => ({ size: m.gateways, value: m.peakRssMb })),
      ),
      {
        name: `manifest change to records INSYNC on the local runtime, waits at zero, example fleet: median of ${CHANGES}, ms`,
        target: `< ${TARGET_CHANGE_MS}`,
        actual: example.medianMs,
        pass: example.medianMs < TARGET_CHANGE_MS,
      },
      growthTarget(
        'manifest change to INSYNC median ms by apps on east',
        changes.map((c) => ({ size: c.appsOnEast, value: c.medianMs })),
      ),
    ],
  };
}
