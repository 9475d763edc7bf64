// The local runtime's agents, end to end: one `switchyard agent` per simulated cluster,
// watching a stand-in API server of the cluster's manifest folder. A new Gateway manifest
// file becomes records in Route 53; deleting it withdraws them; a file that does not
// parse holds the cluster (nothing withdrawn). Everything is seen through the AWS SDK on
// the runtime's endpoint.
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, DEFAULT_FLEET_PATH, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { awsClients, temporaryFolder, TIME_SCALE, waitFor, zoneId, type AwsClients } from './helpers.ts';

let runtime: LocalRuntime;
let aws: AwsClients;
let fleet: { path: string; remove(): Promise<void> };
let zone: string;

const BLOG = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: blog-gateway
  namespace: blog
spec:
  selector:
    istio: ingressgateway
  servers:
    - port: { number: 80, name: http, protocol: HTTP }
      hosts: ["blog/blog.example.com"]
`;

beforeAll(async () => {
  fleet = await temporaryFolder('agents-fleet');
  await cp(DEFAULT_FLEET_PATH, fleet.path, { recursive: true });
  runtime = await startLocalRuntime({ fleet: fleet.path, stateDir: null, port: 0, dnsPort: null, timeScale: TIME_SCALE });
  aws = awsClients(runtime.url);
  zone = await zoneId(aws.route53);
});
afterAll(async () => {
  aws?.destroy();
  await runtime?.close();
  await fleet?.remove();
});

async function recordsOf(name: string) {
  const out = await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: name, MaxItems: 100 }));
  return (out.ResourceRecordSets ?? []).filter((r) => r.Name === name && (r.Type === 'A' || r.Type === 'AAAA'));
}

describe('local runtime agents', () => {
  it('runs one agent per simulated cluster, each against its own stand-in API server', () => {
    expect([...runtime.agents.running.keys()].sort()).toEqual(['east', 'eu', 'west']);
    const ports = [...runtime.agents.standIns.values()].map((s) => s.port);
    expect(new Set(ports).size).toBe(3);
    expect([...runtime.agents.running.values()].every((r) => r.agent.ready)).toBe(true);
  });

  it('a new Gateway manifest file produces records in Route 53; deleting it withdraws them', async () => {
    // Act
    const file = join(fleet.path, 'clusters', 'east', 'blog.yaml');
    await writeFile(file, BLOG);
    // Assess
    const created = await waitFor('records of blog.example.com', async () => {
      const records = await recordsOf('blog.example.com.');
      return records.length > 0 && records;
    });
    expect(created.map((r) => r.AliasTarget?.DNSName)).toEqual([expect.stringContaining('mesh-east-ingress')]);
    // Act
    await rm(file);
    // Assess
    await waitFor('no records of blog.example.com', async () => (await recordsOf('blog.example.com.')).length === 0);
  });

  it('a manifest that does not parse holds the cluster: nothing is withdrawn, and it serves again once fixed', async () => {
    // Prepare
    const before = await recordsOf('shop.example.com.');
    expect(before.map((r) => r.SetIdentifier)).toContain('east');
    const broken = join(fleet.path, 'clusters', 'east', 'broken.yaml');
    // Act
    await writeFile(broken, 'kind: [unclosed\n');
    await waitFor('the stand-in of east to stop serving', async () => runtime.agents.standIns.get('east')!.unavailable !== undefined);
    const gateways = join(fleet.path, 'clusters', 'east', 'gateways.yaml');
    const saved = await readFile(gateways, 'utf8');
    await rm(gateways);
    await new Promise((r) => setTimeout(r, 500));
    await runtime.settle();
    // Assess: east still has its shop record
    expect((await recordsOf('shop.example.com.')).map((r) => r.SetIdentifier).sort()).toEqual(before.map((r) => r.SetIdentifier).sort());
    await writeFile(gateways, saved);
    await rm(broken);
    await waitFor('the stand-in of east to serve again', async () => runtime.agents.standIns.get('east')!.unavailable === undefined);
  });
});
