import { describe, expect, it } from 'vitest';
import { createEksToken, EksTokenCache, stsHostname, type EksToken } from '../../../src/aws/eks-token.ts';
import { expectedSignature, isValidEksToken, tokenUrl } from './sigv4.ts';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = new Date('2025-03-01T12:00:00.000Z');

/** The URL inside a token (base64url without padding). */
function urlOf(token: string): URL {
  expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  return tokenUrl(token) as URL;
}

describe('createEksToken', () => {
  it('presigns STS GetCallerIdentity for the cluster, valid 15 minutes', async () => {
    // Act
    const { token, expiresAt } = await createEksToken({ clusterName: 'mesh-east', region: 'us-east-1', credentials: CREDENTIALS, now: NOW });

    // Assess
    const url = urlOf(token);
    expect(url.origin).toBe('https://sts.us-east-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature'))).toEqual({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20250301/us-east-1/sts/aws4_request',
      'X-Amz-Date': '20250301T120000Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    });
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, 'mesh-east', CREDENTIALS.secretAccessKey, 'us-east-1'));
    expect(expiresAt).toEqual(new Date('2025-03-01T12:15:00.000Z'));
    expect(isValidEksToken(token, 'mesh-east', CREDENTIALS.secretAccessKey, 'us-east-1')).toBe(true);
    expect(isValidEksToken(token, 'mesh-west', CREDENTIALS.secretAccessKey, 'us-east-1')).toBe(false);
  });

  it('is deterministic for fixed credentials and clock, and differs per cluster', async () => {
    const a = await createEksToken({ clusterName: 'mesh-east', region: 'us-east-1', credentials: CREDENTIALS, now: NOW });
    const b = await createEksToken({ clusterName: 'mesh-east', region: 'us-east-1', credentials: CREDENTIALS, now: NOW });
    const c = await createEksToken({ clusterName: 'mesh-west', region: 'us-east-1', credentials: CREDENTIALS, now: NOW });
    expect(a.token).toBe(b.token);
    expect(c.token).not.toBe(a.token);
  });

  it('carries the session token of temporary credentials and expires with them', async () => {
    const expiration = new Date('2025-03-01T12:05:00.000Z');
    const { token, expiresAt } = await createEksToken({
      clusterName: 'mesh-eu',
      region: 'eu-west-1',
      credentials: { ...CREDENTIALS, sessionToken: 'FwoG/session+token==', expiration },
      now: NOW,
    });
    const url = urlOf(token);
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FwoG/session+token==');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, 'mesh-eu', CREDENTIALS.secretAccessKey, 'eu-west-1'));
    expect(expiresAt).toEqual(expiration);
  });

  it("uses the China partition's STS host", () => {
    expect(stsHostname('cn-north-1')).toBe('sts.cn-north-1.amazonaws.com.cn');
  });
});

describe('EksTokenCache', () => {
  const token = (name: string, expiresAt: number): EksToken => ({ token: name, expiresAt: new Date(expiresAt) });

  it('reuses a token until a minute before it expires, then signs a new one', async () => {
    let now = 0;
    let minted = 0;
    const cache = new EksTokenCache({ now: () => now });
    const mint = async () => token(`t${++minted}`, 15 * 60_000);

    expect(await cache.get('east', mint)).toBe('t1');
    now = 13 * 60_000 + 59_999;
    expect(await cache.get('east', mint)).toBe('t1');
    now = 14 * 60_000;
    expect(await cache.get('east', mint)).toBe('t2');
  });

  it('keeps tokens per key and shares one signing between concurrent callers', async () => {
    let minted = 0;
    const cache = new EksTokenCache({ now: () => 0 });
    const mint = async () => {
      await new Promise((r) => setTimeout(r, 5));
      return token(`t${++minted}`, 15 * 60_000);
    };
    const [a, b, c] = await Promise.all([cache.get('east', mint), cache.get('east', mint), cache.get('west', mint)]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(minted).toBe(2);
  });

  it('does not cache a failed signing, and forgets an invalidated token', async () => {
    const cache = new EksTokenCache({ now: () => 0 });
    await expect(cache.get('east', async () => Promise.reject(new Error('no credentials')))).rejects.toThrow('no credentials');
    expect(await cache.get('east', async () => token('ok', 15 * 60_000))).toBe('ok');
    cache.invalidate('east');
    expect(await cache.get('east', async () => token('fresh', 15 * 60_000))).toBe('fresh');
  });
});
