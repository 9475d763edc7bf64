// One health check per cluster canary: the deploy creates it (with the alarm watching it)
// and the runtime uses that same check — for the records, the drain safety gate and
// Failover — without creating a second one, changing it or deleting it.
import { describe, expect, it } from 'vitest';
import { deleteUnusedHealthChecks, ensureHealthChecks, listOwnedHealthChecks } from '../../src/app/dns/health-checks.ts';
import { planHealthChecks } from '../../src/core/health-check-plan.ts';
import { route53HealthSource } from '../../src/app/health-source.ts';
import { computeDesiredState } from '../../src/core/desired.ts';
import type { HealthCheckSpec, PublishedEndpoint } from '../../src/core/model.ts';
import type { CanaryAlarm } from '../../stacks/deployment.ts';
import { FakeRoute53 } from '../unit/aws/helpers/fake-route53.ts';
import { fixtureInputs, fixturePlan } from './helpers.ts';

const specOf = (alarm: CanaryAlarm): HealthCheckSpec => ({
  protocol: alarm.healthCheck.Type as HealthCheckSpec['protocol'],
  fqdn: alarm.healthCheck.FullyQualifiedDomainName!,
  port: alarm.healthCheck.Port!,
  ...(alarm.healthCheck.ResourcePath !== undefined ? { path: alarm.healthCheck.ResourcePath } : {}),
  intervalSeconds: alarm.healthCheck.RequestInterval!,
  failureThreshold: alarm.healthCheck.FailureThreshold!,
});

const endpoint = (hostname: string, cluster: string, entryPoint: string): PublishedEndpoint => ({
  hostname,
  cluster,
  kind: 'Gateway',
  gateway: 'apps/shop',
  annotations: {},
  entryPoint,
});

describe('the canary health check (one per cluster, owned by the deploy)', async () => {
  const plan = await fixturePlan();
  const inputs = await fixtureInputs();
  const fleet = inputs.fleet;

  it('plans exactly one check per cluster canary that has a deploy alarm, and the alarm watches it', () => {
    const withAlarm = fleet.clusters.filter((c) => c.canaryAlarm !== false).map((c) => c.name);
    expect(plan.canaryAlarms.map((a) => a.cluster)).toEqual(withAlarm);
    expect(new Set(plan.canaryAlarms.map((a) => a.healthCheckKey)).size).toBe(withAlarm.length);
    for (const alarm of plan.canaryAlarms) {
      expect(alarm.healthCheckTags).toEqual({
        'switchyard:owner': fleet.ownerId,
        'switchyard:key': alarm.healthCheckKey,
        'switchyard:cluster': alarm.cluster,
        'switchyard:managed-by': 'deploy',
        Name: expect.stringContaining(alarm.healthCheck.FullyQualifiedDomainName!),
      });
      expect(alarm.metric).toMatchObject({ namespace: 'AWS/Route53', metricName: 'HealthCheckStatus' });
    }
  });

  it('is the check the runtime’s records, cleanup and health source use: no second check is made', async () => {
    const r53 = new FakeRoute53([{ id: 'Z0EXAMPLE1', name: 'example.com.' }]);
    // What `sst deploy` leaves in Route 53: one check per canary alarm, tagged from the plan.
    const deployed = new Map(
      plan.canaryAlarms.map((a) => [
        a.cluster,
        r53.seedCheck(
          specOf(a),
          Object.entries(a.healthCheckTags).map(([Key, Value]) => ({ Key, Value })),
        ),
      ]),
    );
    const desired = computeDesiredState({
      fleet,
      zones: [{ id: 'Z0EXAMPLE1', name: 'example.com.' }],
      endpoints: [
        endpoint('shop.example.com', 'east', 'k8s-istio-ingress-1a2b3c4d5e.elb.us-east-1.amazonaws.com'),
        endpoint('shop.example.com', 'eu', 'k8s-istio-ingress-5e4d3c2b1a.elb.eu-west-1.amazonaws.com'),
      ],
    });

    const owned = await listOwnedHealthChecks(r53, fleet.ownerId);
    expect(
      owned
        .filter((c) => c.deployManaged)
        .map((c) => c.id)
        .sort(),
    ).toEqual([...deployed.values()].sort());
    const steps = planHealthChecks(desired.healthChecks, owned);
    const east = plan.canaryAlarms.find((a) => a.cluster === 'east')!;
    expect(steps.find((s) => s.want.key === east.healthCheckKey)).toEqual({ kind: 'keep', want: expect.anything(), id: deployed.get('east') });
    const result = await ensureHealthChecks(r53, fleet.ownerId, steps);
    expect(result.idsByKey.get(east.healthCheckKey)).toBe(deployed.get('east'));
    // eu has a deploy check too; east-2 brings its own alarm, so the runtime makes that canary check itself.
    const created = result.actions.filter((a) => a.kind === 'create').map((a) => a.cluster);
    expect(created).not.toContain('east');
    expect(created).not.toContain('eu');

    // Nothing uses the checks any more: cleanup still leaves the deploy's alone.
    const cleanup = await deleteUnusedHealthChecks(r53, await listOwnedHealthChecks(r53, fleet.ownerId), new Set(), new Set());
    expect(cleanup.deleted.map((d) => d.id)).not.toEqual(expect.arrayContaining([deployed.get('east')]));
    expect((await r53.listHealthChecks()).map((c) => c.id)).toEqual(expect.arrayContaining([...deployed.values()]));
  });

  it('is the check the drain safety gate reads', async () => {
    const r53 = new FakeRoute53([]);
    const east = plan.canaryAlarms.find((a) => a.cluster === 'east')!;
    const id = r53.seedCheck(
      specOf(east),
      Object.entries(east.healthCheckTags).map(([Key, Value]) => ({ Key, Value })),
    );
    const asked: string[] = [];
    const route53 = Object.assign(r53, {
      getHealthCheckStatus: async (checkId: string) => {
        asked.push(checkId);
        return ['Failure: HTTP Status Code 503'];
      },
    });
    const health = route53HealthSource({ fleet, route53, table: { listAlarms: async () => [] } });
    expect((await health.snapshot(['east'])).clusters['east']).toBe('UNHEALTHY');
    expect(asked).toEqual([id]);
  });

  it('is never updated by the runtime, even when its spec differs from what the runtime wants', () => {
    const east = plan.canaryAlarms.find((a) => a.cluster === 'east')!;
    const want = { key: east.healthCheckKey, cluster: 'east', spec: { ...specOf(east), failureThreshold: 5 } };
    const steps = planHealthChecks(
      [want],
      [{ id: 'hc-deploy', callerReference: 'x', version: 1, spec: specOf(east), key: east.healthCheckKey, cluster: 'east', deployManaged: true }],
    );
    expect(steps).toEqual([{ kind: 'keep', want, id: 'hc-deploy' }]);
    const other = { key: 'another-key', cluster: 'east', spec: specOf(east) };
    expect(
      planHealthChecks(
        [other],
        [{ id: 'hc-deploy', callerReference: 'x', version: 1, spec: specOf(east), key: east.healthCheckKey, cluster: 'east', deployManaged: true }],
      ),
    ).toEqual([{ kind: 'create', want: other }]);
  });
});
