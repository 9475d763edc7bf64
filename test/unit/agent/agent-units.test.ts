import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLogger, redact } from '../../../src/agent/log.ts';
import { renderMetrics } from '../../../src/agent/metrics.ts';
import { inClusterConfig, inClusterServer } from '../../../src/k8s/in-cluster.ts';

describe('redact', () => {
  it('removes bearer tokens, JWTs, AWS access key ids and the secrets it is given', () => {
    const text = 'Authorization: Bearer abc.def-ghi token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig key AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG';
    const out = redact(text, ['wJalrXUtnFEMI/K7MDENG']);
    expect(out).toBe('Authorization: Bearer [redacted] token [redacted] key [redacted] secret [redacted]');
  });

  it('a logger writes one JSON object a line, secrets added later included', () => {
    const lines: string[] = [];
    const log = jsonLogger((l) => lines.push(l), { now: () => new Date('2026-12-03T00:00:00Z') });
    log.secret('rotated-token-value');
    log.log('warn', 'refused', { reason: 'token rotated-token-value was refused', error: new Error('Bearer xyz') });
    log.log('debug', 'not written');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        time: '2026-12-03T00:00:00.000Z',
        level: 'warn',
        msg: 'refused',
        reason: 'token [redacted] was refused',
        error: { name: 'Error', message: 'Bearer [redacted]' },
      },
    ]);
  });
});

describe('renderMetrics', () => {
  it('renders the Prometheus text format, NaN for a sync that never happened', () => {
    const text = renderMetrics({
      cluster: 'east',
      sent: { 'Gateway Published': 3 },
      errors: { sending: 1 },
      watchRestarts: 2,
      lastFullSyncAgeSeconds: undefined,
      endpoints: 4,
      ready: false,
    });
    expect(text).toContain(
      '# TYPE switchyard_agent_events_sent_total counter\nswitchyard_agent_events_sent_total{cluster="east",type="Gateway Published"} 3\n',
    );
    expect(text).toContain('switchyard_agent_errors_total{cluster="east",what="sending"} 1');
    expect(text).toContain('switchyard_agent_watch_restarts_total{cluster="east"} 2');
    expect(text).toContain('switchyard_agent_last_full_sync_age_seconds{cluster="east"} NaN');
    expect(text).toContain('switchyard_agent_ready{cluster="east"} 0');
  });
});

describe('inClusterConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-incluster-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('builds the server URL from the variables (IPv6 bracketed) and names a missing or bad one', () => {
    expect(inClusterServer({ KUBERNETES_SERVICE_HOST: '10.100.0.1', KUBERNETES_SERVICE_PORT: '443' })).toBe('https://10.100.0.1');
    expect(inClusterServer({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' })).toBe('https://[fd00::1]:6443');
    expect(() => inClusterServer({ KUBERNETES_SERVICE_PORT: '443' })).toThrow(/KUBERNETES_SERVICE_HOST is not set/);
    expect(() => inClusterServer({ KUBERNETES_SERVICE_HOST: 'h' })).toThrow(/KUBERNETES_SERVICE_PORT is not set/);
    expect(() => inClusterServer({ KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '70000' })).toThrow(/KUBERNETES_SERVICE_PORT "70000"/);
  });

  it('refuses a missing token or CA by path, and re-reads the token when the file changes', async () => {
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(() => inClusterConfig(env, dir)).toThrow(`the cluster CA ${join(dir, 'ca.crt')}: cannot read it`);
    await writeFile(join(dir, 'ca.crt'), 'PEM');
    expect(() => inClusterConfig(env, dir)).toThrow(`the service account token ${join(dir, 'token')}: cannot read it`);
    await writeFile(join(dir, 'token'), 'first-token\n');
    let clock = 0;
    const config = inClusterConfig(env, dir, () => clock);
    expect(await config.token()).toBe('first-token');
    await writeFile(join(dir, 'token'), 'second-token-longer\n');
    expect(await config.token()).toBe('first-token');
    clock += 1000;
    expect(await config.token()).toBe('second-token-longer');
  });
});
