import { describe, expect, it } from 'vitest';
import { deleteUnusedHealthChecks, ensureHealthChecks, listOwnedHealthChecks } from '../../../../src/app/dns/health-checks.ts';
import {
  idsAgree,
  likelyHealthCheckIds,
  planHealthChecks,
  plannedHealthCheckIds,
  sameSpec,
  type OwnedHealthCheck,
} from '../../../../src/core/health-check-plan.ts';
import type { DesiredHealthCheck } from '../../../../src/core/desired.ts';
import { healthCheckKey, healthCheckTags } from '../../../../src/core/health-spec.ts';
import type { HealthCheckSpec } from '../../../../src/core/model.ts';
import { FakeRoute53 } from '../../aws/helpers/fake-route53.ts';

const spec = (over: Partial<HealthCheckSpec> = {}): HealthCheckSpec => ({
  protocol: 'HTTP',
  fqdn: 'canary-east.example.com',
  port: 80,
  path: '/status/200',
  intervalSeconds: 30,
  failureThreshold: 3,
  ...over,
});
const want = (cluster: string, s: HealthCheckSpec): DesiredHealthCheck => ({ key: healthCheckKey(cluster, s), cluster, spec: s });

describe('listOwnedHealthChecks', () => {
  it('keeps only checks tagged with our owner id, with their key and cluster', async () => {
    const r53 = new FakeRoute53([]);
    const mine = r53.seedCheck(spec(), healthCheckTags('me', 'k1', 'east'));
    r53.seedCheck(spec(), healthCheckTags('someone-else', 'k1', 'east'));
    r53.seedCheck(spec(), []);

    const owned = await listOwnedHealthChecks(r53, 'me');

    expect(owned).toEqual([{ id: mine, callerReference: expect.any(String), version: 1, spec: spec(), key: 'k1', cluster: 'east' }]);
  });
});

describe('planHealthChecks', () => {
  const owned = (id: string, key: string | undefined, cluster: string, s: HealthCheckSpec): OwnedHealthCheck => ({
    id,
    callerReference: `ref-${id}`,
    version: 4,
    spec: s,
    key,
    cluster,
  });

  it('keeps a check tagged with the key, creates a missing one', () => {
    const a = want('east', spec());
    const b = want('west', spec({ fqdn: 'canary-west.example.com' }));
    const steps = planHealthChecks([a, b], [owned('hc-1', a.key, 'east', spec())]);
    expect(steps).toHaveLength(2);
    expect(steps.find((s) => s.want === a)).toEqual({ kind: 'keep', want: a, id: 'hc-1' });
    expect(steps.find((s) => s.want === b)).toEqual({ kind: 'create', want: b });
  });

  it('updates the cluster’s obsolete check in place when the config changed (same type and interval)', () => {
    const old = spec();
    const now = want('east', spec({ path: '/healthz', port: 8080 }));
    const steps = planHealthChecks([now], [owned('hc-1', healthCheckKey('east', old), 'east', old)]);
    expect(steps).toEqual([{ kind: 'update', want: now, id: 'hc-1', version: 4, from: old, retag: true }]);
  });

  it('creates anew when the type or interval changed (Route 53 cannot update those)', () => {
    const old = spec();
    const https = want('east', spec({ protocol: 'HTTPS', port: 443 }));
    const faster = want('east', spec({ intervalSeconds: 10 }));
    expect(planHealthChecks([https], [owned('hc-1', healthCheckKey('east', old), 'east', old)]).map((s) => s.kind)).toEqual(['create']);
    expect(planHealthChecks([faster], [owned('hc-1', healthCheckKey('east', old), 'east', old)]).map((s) => s.kind)).toEqual(['create']);
  });

  it('never reuses another cluster’s check, nor one whose key is still wanted', () => {
    const westOld = spec({ fqdn: 'canary-west.example.com' });
    const eastA = want('east', spec());
    const eastB = want('east', spec({ path: '/other' }));
    const steps = planHealthChecks(
      [eastA, eastB],
      [owned('hc-w', healthCheckKey('west', westOld), 'west', westOld), owned('hc-a', eastA.key, 'east', eastA.spec)],
    );
    expect(steps.find((s) => s.want === eastB)?.kind).toBe('create');
    expect(steps.find((s) => s.want === eastA)).toMatchObject({ kind: 'keep', id: 'hc-a' });
  });

  it('repairs a tagged check that drifted, in place', () => {
    const a = want('east', spec());
    const steps = planHealthChecks([a], [owned('hc-1', a.key, 'east', spec({ failureThreshold: 9 }))]);
    expect(steps).toEqual([{ kind: 'update', want: a, id: 'hc-1', version: 4, from: spec({ failureThreshold: 9 }), retag: false }]);
  });
});

describe('likelyHealthCheckIds', () => {
  const owned = (id: string, key: string | undefined, s: HealthCheckSpec = spec()): OwnedHealthCheck => ({
    id,
    callerReference: `ref-${id}`,
    version: 1,
    spec: s,
    key,
    cluster: 'east',
  });

  it('maps each key tagged on exactly one owned check to its id, and agrees with the plan when every check is kept', () => {
    const east = want('east', spec());
    const west = want('west', spec({ fqdn: 'canary-west.example.com' }));
    const checks = [owned('hc-1', east.key), owned('hc-2', west.key, west.spec), owned('hc-3', undefined)];

    const likely = likelyHealthCheckIds(checks);

    expect([...likely]).toEqual([
      [east.key, 'hc-1'],
      [west.key, 'hc-2'],
    ]);
    expect(idsAgree([east, west], likely, plannedHealthCheckIds(planHealthChecks([east, west], checks)))).toBe(true);
  });

  it('leaves out a key two checks carry, and disagrees with a plan that creates a check', () => {
    const east = want('east', spec());
    const west = want('west', spec({ fqdn: 'canary-west.example.com' }));
    const checks = [owned('hc-1', east.key), owned('hc-2', east.key), owned('hc-3', east.key)];

    const likely = likelyHealthCheckIds(checks);

    expect(likely.has(east.key)).toBe(false);
    expect(idsAgree([east], likely, new Map([[east.key, 'hc-1']]))).toBe(false);
    expect(idsAgree([west], new Map(), plannedHealthCheckIds(planHealthChecks([west], [])))).toBe(false);
    expect(idsAgree([west], new Map(), new Map())).toBe(true);
  });
});

describe('ensureHealthChecks', () => {
  it('creates with a caller reference from owner and key and tags the check as owned', async () => {
    // Prepare
    const r53 = new FakeRoute53([]);
    const a = want('east', spec());

    // Act
    const result = await ensureHealthChecks(r53, 'me', planHealthChecks([a], []));

    // Assess
    const id = result.idsByKey.get(a.key)!;
    expect(r53.calls).toEqual([`CreateHealthCheck me-${a.key}`, `ChangeTagsForResource ${id}`]);
    expect(r53.checks.get(id)!.tags).toEqual(healthCheckTags('me', a.key, 'east', a.spec));
    expect(result.actions).toEqual([{ kind: 'create', id, key: a.key, cluster: 'east', spec: a.spec }]);
  });

  it('is idempotent when the answer to a create was lost: the same reference returns the same check', async () => {
    // Prepare: the check was created but never tagged (the run died in between).
    const r53 = new FakeRoute53([]);
    const a = want('east', spec());
    const first = await r53.createHealthCheck(`me-${a.key}`, a.spec);

    // Act
    const result = await ensureHealthChecks(r53, 'me', planHealthChecks([a], await listOwnedHealthChecks(r53, 'me')));

    // Assess
    expect(result.idsByKey.get(a.key)).toBe(first.id);
    expect(r53.checks.size).toBe(1);
  });

  it('moves to the next caller-reference generation when a deleted check used the reference', async () => {
    const r53 = new FakeRoute53([]);
    const a = want('east', spec());
    r53.deletedReferences.add(`me-${a.key}`);

    const result = await ensureHealthChecks(r53, 'me', planHealthChecks([a], []));

    expect(result.failures).toEqual([]);
    expect(r53.calls.filter((c) => c.startsWith('Create'))).toEqual([`CreateHealthCheck me-${a.key}`, `CreateHealthCheck me-${a.key}-g1`]);
  });

  it('updates in place and re-tags, keeping the id', async () => {
    const r53 = new FakeRoute53([]);
    const old = spec();
    const id = r53.seedCheck(old, healthCheckTags('me', healthCheckKey('east', old), 'east', old));
    const now = want('east', spec({ path: '/healthz' }));

    const result = await ensureHealthChecks(r53, 'me', planHealthChecks([now], await listOwnedHealthChecks(r53, 'me')));

    expect(result.idsByKey.get(now.key)).toBe(id);
    expect(r53.checks.get(id)!.spec.path).toBe('/healthz');
    expect(r53.checks.get(id)!.tags.find((t) => t.Key === 'switchyard:key')!.Value).toBe(now.key);
    expect(result.actions.map((a) => a.kind)).toEqual(['update']);
  });

  it('reports a failure for that key and goes on with the others', async () => {
    const r53 = new FakeRoute53([]);
    const a = want('east', spec());
    const b = want('west', spec({ fqdn: 'canary-west.example.com' }));
    const create = r53.createHealthCheck.bind(r53);
    r53.createHealthCheck = async (ref, s) => {
      if (s.fqdn.startsWith('canary-east')) throw Object.assign(new Error('Too many health checks'), { name: 'TooManyHealthChecks' });
      return create(ref, s);
    };

    const result = await ensureHealthChecks(r53, 'me', planHealthChecks([a, b], []));

    expect([...result.idsByKey.keys()]).toEqual([b.key]);
    expect(result.failures).toEqual([
      { kind: 'create', key: a.key, cluster: 'east', message: `health check ${a.key} of cluster east: Too many health checks` },
    ]);
  });
});

describe('deleteUnusedHealthChecks', () => {
  it('deletes only checks neither kept nor in use, and reports refusals', async () => {
    // Prepare
    const r53 = new FakeRoute53([{ id: 'Z1', name: 'example.com.' }]);
    const tags = healthCheckTags('me', 'k', 'east');
    const kept = r53.seedCheck(spec(), tags);
    const used = r53.seedCheck(spec(), tags);
    const unused = r53.seedCheck(spec(), tags);
    const stillReferenced = r53.seedCheck(spec(), tags);
    r53.records.set('Z1', [{ name: 'x.example.com.', type: 'A', ttl: 60, values: ['1.2.3.4'], healthCheckId: stillReferenced }]);
    const owned = await listOwnedHealthChecks(r53, 'me');

    // Act
    const result = await deleteUnusedHealthChecks(r53, owned, new Set([kept]), new Set([used]));

    // Assess
    expect(result.deleted.map((d) => d.id)).toEqual([unused]);
    expect(result.failures).toEqual([expect.objectContaining({ kind: 'delete', id: stillReferenced, message: expect.stringContaining('still referenced') })]);
    expect([...r53.checks.keys()].sort()).toEqual([kept, used, stillReferenced].sort());
  });
});

describe('sameSpec', () => {
  it('ignores the path of TCP checks and treats a missing HTTP path as "/"', () => {
    expect(sameSpec(spec({ protocol: 'TCP', path: '/a' }), spec({ protocol: 'TCP', path: undefined }))).toBe(true);
    expect(sameSpec(spec({ path: undefined }), spec({ path: '/' }))).toBe(true);
    expect(sameSpec(undefined, spec())).toBe(false);
  });
});
