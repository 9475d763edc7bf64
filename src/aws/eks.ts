// EKS access for discovery: the API server endpoint and CA from DescribeCluster, and
// a bearer token signed with the right credentials (the default chain, or a role
// assumed per cluster for a cluster in another account). No kubeconfig, no binaries.
import { DescribeClusterCommand, DescribeUpdateCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { ClusterConfig } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';
import { createEksToken, EksTokenCache, type AwsCredentials, type CredentialsProvider } from './eks-token.ts';

/** What a Kubernetes client needs to reach one EKS cluster. */
export interface EksClusterAccess {
  /** https:// URL of the API server. */
  server: string;
  /** PEM of the cluster's certificate authority. */
  caData: string;
  /** A valid bearer token (cached until shortly before it expires). */
  token(): Promise<string>;
  /** Drops the cached token, e.g. after a 401. */
  invalidateToken(): void;
}

export interface EksAccessOptions {
  /** Base credentials; default: the AWS SDK's default chain. */
  credentials?: CredentialsProvider;
  /** Builds the EKS client for a region and credentials (tests inject a mocked one). */
  eksClient?: (region: string, credentials: CredentialsProvider | undefined) => EKSClient;
  /** Builds the STS client that assumes per-cluster roles. */
  stsClient?: (region: string, credentials: CredentialsProvider | undefined) => STSClient;
  tokenCache?: EksTokenCache;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** RoleSessionName for assumed roles (shows in the cluster's audit log). */
  roleSessionName?: string;
  /** How long DescribeCluster answers are reused. Default 10 minutes. */
  describeTtlMs?: number;
}

const defaultEks = (region: string, credentials: CredentialsProvider | undefined) => new EKSClient({ region, ...(credentials ? { credentials } : {}) });
const defaultSts = (region: string, credentials: CredentialsProvider | undefined) => new STSClient({ region, ...(credentials ? { credentials } : {}) });

/** Credentials of `roleArn`, assumed with `base`, renewed 5 minutes before they expire. */
export function assumedRoleCredentials(sts: STSClient, roleArn: string, sessionName: string, now: () => number = Date.now): CredentialsProvider {
  let current: Promise<AwsCredentials> | undefined;
  const fresh = (c: AwsCredentials) => c.expiration === undefined || c.expiration.getTime() - 5 * 60_000 > now();
  const assume = async (): Promise<AwsCredentials> => {
    let out;
    try {
      out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }));
    } catch (error) {
      throw new Error(`cannot assume role ${roleArn}: ${errorMessage(error)}`, { cause: error });
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`assuming role ${roleArn} returned no credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  };
  return async () => {
    const held = current ? await current.catch(() => undefined) : undefined;
    if (held && fresh(held)) return held;
    current = assume();
    current.catch(() => (current = undefined));
    return current;
  };
}

/** The API server and CA of an EKS cluster; throws naming the cluster when it has none. */
export async function describeEksCluster(eks: EKSClient, name: string): Promise<{ server: string; caData: string }> {
  let cluster;
  try {
    cluster = (await eks.send(new DescribeClusterCommand({ name })))?.cluster;
  } catch (error) {
    throw new Error(`DescribeCluster ${name}: ${errorMessage(error)}`, { cause: error });
  }
  const status = cluster?.status;
  if (status && status !== 'ACTIVE' && status !== 'UPDATING') throw new Error(`EKS cluster ${name} is ${status}`);
  const server = cluster?.endpoint;
  const ca = cluster?.certificateAuthority?.data;
  if (!server || !ca) throw new Error(`EKS cluster ${name} has no API endpoint or certificate authority yet`);
  return { server, caData: Buffer.from(ca, 'base64').toString('utf8') };
}

/**
 * Access to each fleet cluster's EKS API server. Credentials, DescribeCluster answers
 * and tokens are cached per cluster, so a long-lived process (a watch, a warm Lambda)
 * signs a token once per ~14 minutes and describes a cluster once per `describeTtlMs`.
 */
export function eksAccessProvider(options: EksAccessOptions = {}): (cluster: ClusterConfig) => Promise<EksClusterAccess> {
  const now = options.now ?? Date.now;
  const tokens = options.tokenCache ?? new EksTokenCache({ now });
  const makeEks = options.eksClient ?? defaultEks;
  const makeSts = options.stsClient ?? defaultSts;
  const credentialsByCluster = new Map<string, CredentialsProvider>();
  const described = new Map<string, { at: number; value: Promise<{ server: string; caData: string }> }>();

  const credentialsFor = (cluster: ClusterConfig): CredentialsProvider | undefined => {
    if (!cluster.roleArn) return options.credentials;
    const key = `${cluster.region}|${cluster.roleArn}`;
    let provider = credentialsByCluster.get(key);
    if (!provider) {
      provider = assumedRoleCredentials(makeSts(cluster.region, options.credentials), cluster.roleArn, options.roleSessionName ?? 'switchyard-discovery', now);
      credentialsByCluster.set(key, provider);
    }
    return provider;
  };

  return async (cluster) => {
    const credentials = credentialsFor(cluster);
    const eks = makeEks(cluster.region, credentials);
    const key = `${cluster.region}|${cluster.eksClusterName}|${cluster.roleArn ?? ''}`;
    let entry = described.get(key);
    if (!entry || now() - entry.at > (options.describeTtlMs ?? 10 * 60_000)) {
      entry = { at: now(), value: describeEksCluster(eks, cluster.eksClusterName) };
      described.set(key, entry);
      entry.value.catch(() => described.delete(key));
    }
    const { server, caData } = await entry.value;
    // Without explicit credentials, sign with whatever the SDK's default chain finds.
    const signingCredentials: CredentialsProvider = credentials ?? (() => eks.config.credentials());
    return {
      server,
      caData,
      token: () =>
        tokens.get(key, async () =>
          createEksToken({ clusterName: cluster.eksClusterName, region: cluster.region, credentials: await signingCredentials(), now: new Date(now()) }),
        ),
      invalidateToken: () => tokens.invalidate(key),
    };
  };
}

export type EksUpdateStatus = 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';

/**
 * The EKS call UpgradeGuard polls (the workflows' EksPort): the status of a cluster
 * update, with its errors as "code: message" lines. A cluster in another account is
 * asked with its role, like discovery.
 */
export function eksUpdates(options: Pick<EksAccessOptions, 'credentials' | 'eksClient' | 'stsClient' | 'now' | 'roleSessionName'> = {}): {
  describeUpdate(request: {
    eksClusterName: string;
    nodegroupName?: string;
    updateId: string;
    region: string;
    roleArn?: string;
  }): Promise<{ status: EksUpdateStatus; errors: string[] }>;
} {
  const makeEks = options.eksClient ?? defaultEks;
  const makeSts = options.stsClient ?? defaultSts;
  const roles = new Map<string, CredentialsProvider>();
  return {
    async describeUpdate({ eksClusterName, nodegroupName, updateId, region, roleArn }) {
      let credentials = options.credentials;
      if (roleArn) {
        const key = `${region}|${roleArn}`;
        credentials =
          roles.get(key) ?? assumedRoleCredentials(makeSts(region, options.credentials), roleArn, options.roleSessionName ?? 'switchyard', options.now);
        roles.set(key, credentials);
      }
      let update;
      try {
        update = (
          await makeEks(region, credentials).send(new DescribeUpdateCommand({ name: eksClusterName, updateId, ...(nodegroupName ? { nodegroupName } : {}) }))
        )?.update;
      } catch (error) {
        throw new Error(`DescribeUpdate ${eksClusterName} ${updateId}: ${errorMessage(error)}`, { cause: error });
      }
      const status = update?.status;
      if (status !== 'InProgress' && status !== 'Successful' && status !== 'Failed' && status !== 'Cancelled') {
        throw new Error(`DescribeUpdate ${eksClusterName} ${updateId}: unexpected status ${JSON.stringify(status)}`);
      }
      const errors = (update?.errors ?? []).map((e) => [e.errorCode, e.errorMessage].filter(Boolean).join(': ') || 'unknown error');
      return { status, errors };
    },
  };
}
