import { DescribeClusterCommand, DescribeUpdateCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEksCluster, eksAccessProvider, eksUpdates } from '../../../src/aws/eks.ts';
import type { ClusterConfig } from '../../../src/core/config.ts';
import type { EksPort } from '../../../src/core/ports.ts';

const eksMock = mockClient(EKSClient);
const stsMock = mockClient(STSClient);
afterEach(() => {
  eksMock.reset();
  stsMock.reset();
});

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const BASE = { accessKeyId: 'AKIDBASE', secretAccessKey: 'base-secret' };

function cluster(overrides: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    name: 'east',
    region: 'us-east-1',
    eksClusterName: 'mesh-east',
    canaryHostname: 'canary-east.example.com',
    domainFilter: ['example.com'],
    dualStack: false,
    weight: 100,
    failoverPriority: 1,
    role: 'workload',
    ...overrides,
  };
}

function describeAnswer(status = 'ACTIVE') {
  return {
    cluster: {
      name: 'mesh-east',
      status,
      endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
      certificateAuthority: { data: Buffer.from(CA_PEM).toString('base64') },
    },
  } as never;
}

function tokenKeyId(token: string): string | null {
  return new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString()).searchParams.get('X-Amz-Credential');
}

describe('describeEksCluster', () => {
  it('returns the endpoint and the decoded CA', async () => {
    eksMock.on(DescribeClusterCommand, { name: 'mesh-east' }).resolves(describeAnswer());
    expect(await describeEksCluster(new EKSClient({ region: 'us-east-1' }), 'mesh-east')).toEqual({
      server: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
      caData: CA_PEM,
    });
  });

  it.each([
    ['a cluster being created', () => eksMock.on(DescribeClusterCommand).resolves(describeAnswer('CREATING')), 'EKS cluster mesh-east is CREATING'],
    [
      'a missing cluster',
      () =>
        eksMock.on(DescribeClusterCommand).rejects(Object.assign(new Error('No cluster found for name: mesh-east.'), { name: 'ResourceNotFoundException' })),
      'DescribeCluster mesh-east: No cluster found',
    ],
    [
      'no endpoint yet',
      () => eksMock.on(DescribeClusterCommand).resolves({ cluster: { status: 'ACTIVE' } } as never),
      'has no API endpoint or certificate authority yet',
    ],
  ])('names the cluster and the reason for %s', async (_, prepare, message) => {
    prepare();
    await expect(describeEksCluster(new EKSClient({ region: 'us-east-1' }), 'mesh-east')).rejects.toThrow(message);
  });
});

describe('eksAccessProvider', () => {
  it('signs with the base credentials, caches the token and the DescribeCluster answer', async () => {
    eksMock.on(DescribeClusterCommand).resolves(describeAnswer());
    let now = Date.parse('2025-03-01T12:00:00Z');
    const accessFor = eksAccessProvider({ credentials: async () => BASE, now: () => now });

    const access = await accessFor(cluster());
    const first = await access.token();
    now += 5 * 60_000;
    const again = await (await accessFor(cluster())).token();
    now += 10 * 60_000; // 15 minutes after signing: past the refresh margin
    const renewed = await access.token();

    expect(access.server).toBe('https://ABC.gr7.us-east-1.eks.amazonaws.com');
    expect(access.caData).toBe(CA_PEM);
    expect(tokenKeyId(first)).toBe('AKIDBASE/20250301/us-east-1/sts/aws4_request');
    expect(again).toBe(first);
    expect(renewed).not.toBe(first);
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(1);
    expect(stsMock.calls()).toHaveLength(0);
  });

  it('reaches a cluster in another account through its role: DescribeCluster and the token use the assumed credentials', async () => {
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAROLE', SecretAccessKey: 'role-secret', SessionToken: 'role-session', Expiration: new Date('2025-03-01T13:00:00Z') },
    });
    eksMock.on(DescribeClusterCommand).resolves(describeAnswer());
    const seen: unknown[] = [];
    const accessFor = eksAccessProvider({
      credentials: async () => BASE,
      now: () => Date.parse('2025-03-01T12:00:00Z'),
      eksClient: (region, credentials) => {
        seen.push(credentials);
        return new EKSClient({ region, ...(credentials ? { credentials } : {}) });
      },
    });

    const access = await accessFor(
      cluster({ name: 'west', region: 'us-west-2', eksClusterName: 'mesh-west', roleArn: 'arn:aws:iam::210987654321:role/switchyard-discovery' }),
    );
    const token = await access.token();

    expect(stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: 'arn:aws:iam::210987654321:role/switchyard-discovery',
      RoleSessionName: 'switchyard-discovery',
      DurationSeconds: 3600,
    });
    const used = seen[0] as () => Promise<{ accessKeyId: string }>;
    expect((await used()).accessKeyId).toBe('ASIAROLE');
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());
    expect(url.searchParams.get('X-Amz-Credential')).toBe('ASIAROLE/20250301/us-west-2/sts/aws4_request');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('role-session');
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('reports a role it cannot assume by its ARN', async () => {
    stsMock.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }));
    eksMock.on(DescribeClusterCommand).resolves(describeAnswer());
    const accessFor = eksAccessProvider({ credentials: async () => BASE });
    const access = await accessFor(cluster({ roleArn: 'arn:aws:iam::210987654321:role/nope' }));
    await expect(access.token()).rejects.toThrow('cannot assume role arn:aws:iam::210987654321:role/nope: not authorized to perform sts:AssumeRole');
  });

  it('asks DescribeCluster again after a failure', async () => {
    eksMock.on(DescribeClusterCommand).rejectsOnce(new Error('throttled')).resolves(describeAnswer());
    const accessFor = eksAccessProvider({ credentials: async () => BASE });
    await expect(accessFor(cluster())).rejects.toThrow('throttled');
    await expect(accessFor(cluster())).resolves.toMatchObject({ caData: CA_PEM });
  });
});

describe('eksUpdates (the EksPort UpgradeGuard polls)', () => {
  it("fits the workflows' EksPort and returns the update status with its errors", async () => {
    eksMock.on(DescribeUpdateCommand, { name: 'mesh-east', updateId: 'u-1' }).resolves({
      update: { id: 'u-1', status: 'Failed', errors: [{ errorCode: 'NodeCreationFailure', errorMessage: 'Instances failed to join' }, {}] },
    });
    const port: EksPort = eksUpdates({ credentials: async () => BASE });
    expect(await port.describeUpdate({ eksClusterName: 'mesh-east', updateId: 'u-1', region: 'us-east-1' })).toEqual({
      status: 'Failed',
      errors: ['NodeCreationFailure: Instances failed to join', 'unknown error'],
    });
  });

  it("asks through the cluster's role and names the update when EKS fails", async () => {
    stsMock
      .on(AssumeRoleCommand)
      .resolves({ Credentials: { AccessKeyId: 'ASIAROLE', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } });
    eksMock.on(DescribeUpdateCommand).rejects(new Error('No update found'));
    const seen: unknown[] = [];
    const port = eksUpdates({
      credentials: async () => BASE,
      eksClient: (region, credentials) => {
        seen.push(credentials);
        return new EKSClient({ region, ...(credentials ? { credentials } : {}) });
      },
    });
    await expect(
      port.describeUpdate({ eksClusterName: 'mesh-west', updateId: 'u-9', region: 'us-west-2', roleArn: 'arn:aws:iam::210987654321:role/x' }),
    ).rejects.toThrow('DescribeUpdate mesh-west u-9: No update found');
    expect((await (seen[0] as () => Promise<{ accessKeyId: string }>)()).accessKeyId).toBe('ASIAROLE');
  });
});
