import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CanaryFleet } from '../../../../src/local/runtime/canaries.ts';

const CLUSTERS = [
  { name: 'east', canaryHostname: 'canary-east.example.com' },
  { name: 'west', canaryHostname: 'Canary-West.Example.com.' },
];

let fleet: CanaryFleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

async function get(fleet: CanaryFleet, host: string, path: string): Promise<number> {
  const target = fleet.resolve(host);
  if (!target) throw new Error(`no canary for ${host}`);
  const response = await fetch(`http://${target.host}:${target.port}${path}`, { headers: { host } });
  await response.arrayBuffer();
  return response.status;
}

describe('CanaryFleet', () => {
  it('answers like httpbin: /status/<code> with that code, anything else 200', async () => {
    // Prepare
    fleet = await CanaryFleet.start(CLUSTERS);
    // Act / Assess
    expect(await get(fleet, 'canary-east.example.com', '/status/200')).toBe(200);
    expect(await get(fleet, 'canary-east.example.com', '/status/418')).toBe(418);
    expect(await get(fleet, 'canary-east.example.com', '/healthz')).toBe(200);
  });

  it('maps a canary hostname (any spelling) to its own server, and nothing else', async () => {
    // Prepare
    fleet = await CanaryFleet.start(CLUSTERS);
    // Act
    const east = fleet.resolve('CANARY-EAST.example.com.');
    const west = fleet.resolve('canary-west.example.com');
    // Assess
    // each simulated load balancer at its own loopback address, all on one port (as all answer on 80)
    expect(east).toEqual({ host: '127.0.1.1', port: fleet.list()[0]!.port });
    expect(west).toEqual({ host: '127.0.1.2', port: fleet.list()[1]!.port });
    expect(east?.port).toBe(west?.port);
    expect(fleet.httpPort).toBe(east?.port);
    expect(fleet.clusterAt('127.0.1.2')).toBe('west');
    expect(fleet.resolve('shop.example.com')).toBeUndefined();
  });

  it('fails with 503, refuses connections when down, and heals on the same port', async () => {
    // Prepare
    fleet = await CanaryFleet.start(CLUSTERS);
    const port = fleet.resolve('canary-east.example.com')!.port;
    // Act / Assess
    await fleet.setMode('east', 'failing');
    expect(await get(fleet, 'canary-east.example.com', '/status/200')).toBe(503);
    expect(await get(fleet, 'canary-west.example.com', '/status/200')).toBe(200);
    await fleet.setMode('east', 'down');
    await expect(get(fleet, 'canary-east.example.com', '/status/200')).rejects.toThrow();
    const healed = await fleet.setMode('east', 'healthy');
    expect(healed).toMatchObject({ cluster: 'east', mode: 'healthy', port });
    expect(await get(fleet, 'canary-east.example.com', '/status/200')).toBe(200);
  });

  it('starts in the modes it is given (a restart keeps a failed cluster failed)', async () => {
    // Act
    fleet = await CanaryFleet.start(CLUSTERS, { west: 'failing' });
    // Assess
    expect(fleet.modes()).toEqual({ east: 'healthy', west: 'failing' });
    expect(await get(fleet, 'canary-west.example.com', '/')).toBe(503);
  });

  it('answers each app by Host (<cluster>.<hostname> is that app), and fails one app alone', async () => {
    // Prepare: node's http client sends the Host it is given (fetch would not).
    fleet = await CanaryFleet.start([{ ...CLUSTERS[0]!, entryPoint: 'mesh-east.elb.us-east-1.amazonaws.com' }, CLUSTERS[1]!]);
    const east = fleet.resolveEntryPoint('dualstack.mesh-east.elb.us-east-1.amazonaws.com.')!;
    const ask = (host: string, path = '/healthz') =>
      new Promise<number>((resolve, reject) => {
        request({ host: east.host, port: east.port, path, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    const bodyOf = (host: string) =>
      new Promise<string>((resolve, reject) => {
        request({ host: east.host, port: east.port, path: '/', headers: { host } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve(body));
        })
          .on('error', reject)
          .end();
      });
    // Assess: the answer names the app and the cluster that served it
    expect(await bodyOf('shop.example.com')).toBe('shop.example.com on cluster east: ok\n');
    // Act
    fleet.setAppFailing('east', 'API.example.com.', true);
    // Assess
    expect(await bodyOf('api.example.com')).toBe('api.example.com on cluster east is failing (switchyard local fail --app)\n');
    expect(east.port).toBe(fleet.resolve('canary-east.example.com')!.port);
    expect(fleet.resolveEntryPoint('mesh-other.elb.us-east-1.amazonaws.com')).toBeUndefined();
    expect(await ask('east.api.example.com')).toBe(503);
    expect(await ask('api.example.com:8080')).toBe(503);
    expect(await ask('east.shop.example.com')).toBe(200);
    expect(await ask('canary-east.example.com', '/status/200')).toBe(200);
    expect(fleet.list()[0]).toMatchObject({ mode: 'healthy', failingApps: ['api.example.com'] });
    expect(fleet.failingApps()).toEqual({ east: ['api.example.com'] });
    // Act: heal it.
    fleet.setAppFailing('east', 'api.example.com', false);
    // Assess
    expect(await ask('east.api.example.com')).toBe(200);
    expect(fleet.failingApps()).toEqual({});
    expect(() => fleet!.setAppFailing('north', 'api.example.com', true)).toThrow('unknown cluster "north"');
  });

  it('refuses an unknown cluster by name', async () => {
    // Prepare
    fleet = await CanaryFleet.start(CLUSTERS);
    // Act / Assess
    await expect(fleet.setMode('north', 'failing')).rejects.toMatchObject({ name: 'UnknownCluster', message: 'unknown cluster "north" (known: east, west)' });
  });
});
