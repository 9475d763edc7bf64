// The bearer token EKS accepts (what `aws eks get-token` prints): a presigned STS
// GetCallerIdentity URL that signs the `x-k8s-aws-id: <cluster>` header, as
// "k8s-aws-v1." + base64url(url). No kubectl, no aws-iam-authenticator binary.
// EKS maps the caller to its access entries (or aws-auth), so it works with both.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** The shape of AWS SDK v3 credentials (compatible with the SDK's own type). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type CredentialsProvider = () => Promise<AwsCredentials>;

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** The presigned URL's own X-Amz-Expires, as aws-iam-authenticator sets it. */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** EKS accepts a token for 15 minutes from its signing time. */
export const EKS_TOKEN_LIFETIME_MS = 15 * 60_000;

export interface EksToken {
  token: string;
  /** When EKS stops accepting it: 15 minutes after signing, or when the credentials expire. */
  expiresAt: Date;
}

export interface EksTokenInput {
  /** The EKS cluster name (not Switchyard's cluster name). */
  clusterName: string;
  region: string;
  credentials: AwsCredentials;
  /** Signing time; default now. */
  now?: Date;
}

/** The regional STS endpoint host (China regions live under amazonaws.com.cn). */
export function stsHostname(region: string): string {
  return `sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** RFC 3986 encoding, as SigV4 canonicalizes query values. */
function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export async function createEksToken(input: EksTokenInput): Promise<EksToken> {
  const now = input.now ?? new Date();
  const hostname = stsHostname(input.region);
  const signer = new SignatureV4({ credentials: input.credentials, region: input.region, service: 'sts', sha256: Sha256 });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, [CLUSTER_ID_HEADER]: input.clusterName },
  });
  const signed = await signer.presign(request, { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: now });
  const query = Object.entries(signed.query ?? {})
    .flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string').map((v) => `${escape(key)}=${escape(v)}`),
    )
    .sort()
    .join('&');
  const url = `https://${hostname}/?${query}`;
  const lifetimeEnd = now.getTime() + EKS_TOKEN_LIFETIME_MS;
  const credentialsEnd = input.credentials.expiration?.getTime() ?? Infinity;
  return { token: EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'), expiresAt: new Date(Math.min(lifetimeEnd, credentialsEnd)) };
}

export interface EksTokenCacheOptions {
  /** Milliseconds since the epoch; injected so tests control time. */
  now?: () => number;
  /** A token is replaced this long before it expires. Default 60 s. */
  refreshBeforeMs?: number;
}

/**
 * Tokens per key (cluster + role), reused until shortly before they expire.
 * Concurrent callers share one signing; a failed signing is not cached.
 */
export class EksTokenCache {
  readonly #now: () => number;
  readonly #refreshBeforeMs: number;
  readonly #entries = new Map<string, Promise<EksToken>>();

  constructor(options: EksTokenCacheOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
  }

  async get(key: string, mint: () => Promise<EksToken>): Promise<string> {
    const cached = this.#entries.get(key);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt.getTime() - this.#refreshBeforeMs > this.#now()) return token.token;
      if (this.#entries.get(key) !== cached) return this.get(key, mint);
    }
    const minted = mint();
    this.#entries.set(key, minted);
    try {
      return (await minted).token;
    } catch (error) {
      if (this.#entries.get(key) === minted) this.#entries.delete(key);
      throw error;
    }
  }

  /** Forgets a key's token (e.g. after the API server answered 401). */
  invalidate(key: string): void {
    this.#entries.delete(key);
  }
}
