// The edges' canaries of the local runtime (docs/edge.md): each workload cluster's upstream
// alarm follows whether the edges reach that cluster's own load balancer.
import { LocalAlarms } from '@switchyard/local-aws/cloudwatch';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../../src/core/config.ts';
import { upstreamAlarmName, upstreamClusters } from '../../../../src/core/upstream.ts';
import { ensureUpstreamAlarms, startEdgeCanaries } from '../../../../src/local/runtime/edge-canaries.ts';

const edgeFleet = parseFleetConfig(readFileSync('examples/edge-fleet/fleet.yaml', 'utf8'), 'examples/edge-fleet/fleet.yaml');
const plainFleet = parseFleetConfig(readFileSync('examples/fleet/fleet.yaml', 'utf8'), 'examples/fleet/fleet.yaml');

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A load balancer that answers `status` for its canary hostname and records the Host it was asked for. */
async function loadBalancer(status: () => number, hosts: string[]): Promise<{ host: string; port: number }> {
  const server = createServer((req, res) => {
    hosts.push(String(req.headers.host));
    res.writeHead(status()).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

describe('edge canaries', () => {
  it('defines one upstream alarm per workload cluster, and none in a fleet without edges', async () => {
    const alarms = await LocalAlarms.open();
    expect(ensureUpstreamAlarms(edgeFleet, alarms).map((a) => a.alarmName)).toEqual(
      ['east', 'west', 'eu'].map((c) => upstreamAlarmName('switchyard-edge-example', c)),
    );
    expect(alarms.get(upstreamAlarmName('switchyard-edge-example', 'east'))?.metric).toMatchObject({
      namespace: 'Switchyard/Upstream',
      name: 'Reachable',
      dimensions: { Cluster: 'east' },
      stat: 'Maximum',
    });
    expect(upstreamClusters(plainFleet)).toEqual([]);
  });

  it("sets a cluster's alarm OK while its load balancer answers its canary and ALARM once it fails or is gone", async () => {
    // Prepare: east answers (then fails), west has no load balancer at all.
    const alarms = await LocalAlarms.open();
    const upstreamAlarms = ensureUpstreamAlarms(edgeFleet, alarms).filter((a) => a.cluster !== 'eu');
    let eastStatus = 200;
    const hosts: string[] = [];
    const east = await loadBalancer(() => eastStatus, hosts);
    const canaries = startEdgeCanaries({
      fleet: edgeFleet,
      alarms,
      upstreamAlarms,
      loadBalancerOf: (c) => (c === 'east' ? east : undefined),
      everyMs: 60_000,
      timeoutMs: 2000,
    });
    try {
      // Act
      await canaries.round();
      // Assess: each edge asked east's load balancer for east's canary
      expect(alarms.get(upstreamAlarmName('switchyard-edge-example', 'east'))?.state).toBe('OK');
      expect(alarms.get(upstreamAlarmName('switchyard-edge-example', 'west'))?.state).toBe('ALARM');
      expect(hosts.length).toBeGreaterThanOrEqual(2);
      expect(new Set(hosts)).toEqual(new Set(['canary-east.example.com']));
      // Act: east fails
      eastStatus = 503;
      await canaries.round();
      // Assess
      expect(alarms.get(upstreamAlarmName('switchyard-edge-example', 'east'))?.state).toBe('ALARM');
      expect(JSON.parse(alarms.get(upstreamAlarmName('switchyard-edge-example', 'east'))!.reasonData!)).toMatchObject({
        recentDatapoints: [0],
        edges: 2,
        edgesReaching: 0,
      });
    } finally {
      canaries.stop();
    }
  });
});
