// An independent SigV4 check of EKS tokens, written from the AWS documentation (not
// from the signer under test): what STS would verify when EKS forwards the token.
import { createHash, createHmac } from 'node:crypto';

const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** The presigned URL inside a `k8s-aws-v1.` token, or undefined when it is not one. */
export function tokenUrl(token: string): URL | undefined {
  if (!token.startsWith('k8s-aws-v1.')) return undefined;
  const encoded = token.slice('k8s-aws-v1.'.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

/** The signature a presigned GET of `url` with header x-k8s-aws-id: clusterName must carry. */
export function expectedSignature(url: URL, clusterName: string, secret: string, region: string): string {
  const params = [...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature');
  const query = params
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const canonical = ['GET', '/', query, `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`, 'host;x-k8s-aws-id', sha256('')].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const scope = `${amzDate.slice(0, 8)}/${region}/sts/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, amzDate.slice(0, 8)), region), 'sts'), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

/** True when `token` is a valid GetCallerIdentity presign for `clusterName` with this secret. */
export function isValidEksToken(token: string, clusterName: string, secret: string, region: string): boolean {
  const url = tokenUrl(token);
  if (!url || url.host !== `sts.${region}.amazonaws.com` || url.searchParams.get('Action') !== 'GetCallerIdentity') return false;
  if (url.searchParams.get('X-Amz-SignedHeaders') !== 'host;x-k8s-aws-id') return false;
  return url.searchParams.get('X-Amz-Signature') === expectedSignature(url, clusterName, secret, region);
}
