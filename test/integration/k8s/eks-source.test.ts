import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFleet, type LoadedFleet } from '../../../src/fleet/fleet-file.ts';
import { eksEndpointSource } from '../../../src/k8s/eks-source.ts';
import type { EndpointSource } from '../../../src/core/ports.ts';
import { manifestFolderSource } from '../../../src/k8s/source.ts';
import { FakeApiServer, TEST_CA } from './fake-api-server.ts';
import { EXAMPLE_FLEET, exampleManifests, serve } from './helpers.ts';
import { isValidEksToken } from '../../unit/k8s/sigv4.ts';

const eksMock = mockClient(EKSClient);
const CREDENTIALS = { accessKeyId: 'AKIDDISCOVERY', secretAccessKey: 'discovery-secret' };

describe('eksEndpointSource against fake EKS API servers', () => {
  let east: FakeApiServer;
  let west: FakeApiServer;
  let fleet: LoadedFleet;

  beforeEach(async () => {
    east = await new FakeApiServer().start();
    west = await new FakeApiServer().start();
    fleet = await loadFleet(EXAMPLE_FLEET);
    const describe = (server: FakeApiServer, name: string) => ({
      cluster: { name, status: 'ACTIVE', endpoint: server.url, certificateAuthority: { data: Buffer.from(TEST_CA).toString('base64') } },
    });
    eksMock.on(DescribeClusterCommand, { name: 'mesh-east' }).resolves(describe(east, 'mesh-east') as never);
    eksMock.on(DescribeClusterCommand, { name: 'mesh-west' }).resolves(describe(west, 'mesh-west') as never);
    eksMock
      .on(DescribeClusterCommand, { name: 'mesh-eu' })
      .rejects(Object.assign(new Error('No cluster found for name: mesh-eu.'), { name: 'ResourceNotFoundException' }));
  });
  afterEach(async () => {
    eksMock.reset();
    await east.close();
    await west.close();
  });

  it('reads each cluster with its DescribeCluster endpoint and CA and a presigned STS token, and reports the others unreachable', async () => {
    // Prepare: east serves its example manifests; west rejects every token; eu does not exist
    serve(east, await exampleManifests('east'));
    serve(west, await exampleManifests('west'));
    // Like EKS: only a GetCallerIdentity presign for this cluster, signed by the caller's key
    east.acceptToken = (token) => isValidEksToken(token, 'mesh-east', CREDENTIALS.secretAccessKey, 'us-east-1');
    west.acceptToken = () => false;

    // Act
    const result = await eksEndpointSource(fleet.config, { credentials: async () => CREDENTIALS }).list();

    // Assess: east is exactly what its manifests publish
    const fromFiles = await manifestFolderSource(fleet, { clusters: ['east'] }).list();
    expect(result.endpoints).toEqual(fromFiles.endpoints);
    expect(result.unreachable).toEqual(['west', 'eu']);
    expect(result.problems).toEqual([
      {
        subject: 'west',
        cluster: 'west',
        reason: expect.stringMatching(/^cannot read the cluster, so its records are left as they are: .*HTTP 401: Unauthorized$/),
      },
      {
        subject: 'eu',
        cluster: 'eu',
        reason: 'cannot read the cluster, so its records are left as they are: DescribeCluster mesh-eu: No cluster found for name: mesh-eu.',
      },
    ]);
    // One cached token served every request
    expect(east.requests.length).toBeGreaterThan(0);
    expect(new Set(east.requests.map((r) => r.authorization)).size).toBe(1);
    // west retried once with a fresh token after the 401, then gave up
    expect(west.requests.filter((r) => r.path === '/api/v1/services')).toHaveLength(2);
  });

  it("serves the workflows' discovery: list(clusters) reads only those, reusing its token", async () => {
    serve(east, await exampleManifests('east'));
    const port: EndpointSource = eksEndpointSource(fleet.config, { credentials: async () => CREDENTIALS });

    const first = await port.list(['east']);
    const second = await port.list(['east']);

    expect(first.unreachable).toEqual([]);
    expect(new Set(first.endpoints.map((e) => e.cluster))).toEqual(new Set(['east']));
    expect(second).toEqual(first);
    expect(new Set(east.requests.map((r) => r.authorization)).size).toBe(1);
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(1);
    expect(west.requests).toEqual([]);
  });
});
