// Shared set-up for the local services' integration tests: a real loopback endpoint and
// real SDK v3 clients pointed at it with fake credentials.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEndpoint, type Endpoint } from '../../src/endpoint.ts';
import type { LocalService } from '../../src/http.ts';

export const clientConfig = (endpoint: Endpoint) => ({
  endpoint: endpoint.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  maxAttempts: 1,
});

export async function serve(...services: LocalService[]): Promise<Endpoint> {
  return startEndpoint({ port: 0, services, log: () => undefined });
}

export async function temporaryFolder(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `switchyard-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Sends a raw JSON-protocol request (for what SDKs never send: bad JSON, unknown operations). */
export async function rawCall(endpoint: Endpoint, target: string, body: string, version = '1.0'): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** True when python3 with boto3 is there (the cross-checks skip otherwise). */
export const hasBoto3: boolean = (() => {
  const probe = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
})();

/**
 * Runs a python3 script with ENDPOINT set; resolves with its stdout parsed as JSON.
 * Asynchronous on purpose: the endpoint it calls runs in this very process.
 */
export function runPython(script: string, endpoint: Endpoint): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', script],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, ENDPOINT: endpoint.url, AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local-secret', AWS_DEFAULT_REGION: 'us-east-1' },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`python3 failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as unknown);
      },
    );
  });
}
