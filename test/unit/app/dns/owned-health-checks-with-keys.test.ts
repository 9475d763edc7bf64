// ownedHealthChecksWithKeys (src/app/dns/health-checks.ts) and the health source that uses
// it: a health reading reads the tags of the clusters' canary checks only, not of every
// check in the account (ListTagsForResources takes ten ids a request), and finds the check
// listOwnedHealthChecks would (docs/operations.md, "What a drain asks of that limit").
// The property test prints its seed and shrunk counterexample on failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listOwnedHealthChecks, ownedHealthChecksWithKeys, type WantedCheck } from '../../../../src/app/dns/health-checks.ts';
import { route53HealthSource } from '../../../../src/app/health-source.ts';
import { canaryHealthCheck, DEPLOY_MANAGER, HEALTH_CHECK_TAG_MANAGED_BY, healthCheckKey, healthCheckTags } from '../../../../src/core/health-spec.ts';
import type { HealthCheckSpec } from '../../../../src/core/model.ts';
import { FakeRoute53 } from '../../aws/helpers/fake-route53.ts';
import { fleet, OWNER } from '../../core/dns-fixtures.ts';

const FLEET = fleet();
const canaryOf = (name: string): WantedCheck => {
  const cluster = FLEET.clusters.find((c) => c.name === name)!;
  return { cluster: name, ...canaryHealthCheck(FLEET.healthCheck, cluster) };
};
const appSpec = (fqdn: string, path = '/healthz'): HealthCheckSpec => ({ protocol: 'HTTPS', fqdn, port: 443, path, intervalSeconds: 30, failureThreshold: 3 });

/** A Route 53 fake that records every id whose tags were read. */
function route53WithTagLog() {
  const r53 = new FakeRoute53([]);
  const tagsRead: string[] = [];
  const listHealthCheckTags = r53.listHealthCheckTags.bind(r53);
  r53.listHealthCheckTags = async (ids) => {
    tagsRead.push(...ids);
    return listHealthCheckTags(ids);
  };
  return { r53, tagsRead };
}

/** 150 checks of other owners or none, and 40 per-app checks of ours: what an account holds besides the canaries. */
function seedAccount(r53: FakeRoute53): void {
  for (let i = 0; i < 150; i++) r53.seedCheck(appSpec(`app-${i}.other.example.org`), i % 3 === 0 ? [] : healthCheckTags('another-fleet', `k${i}`, 'east'));
  for (let i = 0; i < 40; i++) {
    const spec = appSpec(`east.app-${i}.example.com`);
    r53.seedCheck(spec, healthCheckTags(OWNER, healthCheckKey('east', spec), 'east', spec));
  }
}

describe('ownedHealthChecksWithKeys', () => {
  it('reads the tags of the wanted keys’ checks only, a deploy’s canary check included', async () => {
    // Prepare: an account of 190 other checks, east's canary made by the runtime, west's by the deploy.
    const { r53, tagsRead } = route53WithTagLog();
    seedAccount(r53);
    const east = canaryOf('east');
    const west = canaryOf('west');
    const eastId = r53.seedCheck(east.spec, healthCheckTags(OWNER, east.key, 'east', east.spec));
    const westId = r53.seedCheck(
      west.spec,
      [...healthCheckTags(OWNER, west.key, 'west', west.spec), { Key: HEALTH_CHECK_TAG_MANAGED_BY, Value: DEPLOY_MANAGER }],
      'pulumi-1234abcd',
    );

    // Act
    const owned = await ownedHealthChecksWithKeys(r53, OWNER, [east, west]);

    // Assess: both canaries, as the whole listing has them, from one listing and two checks' tags.
    const full = await listOwnedHealthChecks(r53, OWNER);
    expect(owned.find((c) => c.key === east.key)).toEqual(full.find((c) => c.key === east.key));
    expect(owned.find((c) => c.key === west.key)).toEqual({ ...full.find((c) => c.key === west.key), deployManaged: true });
    expect(owned.map((c) => c.id).sort()).toEqual([eastId, westId].sort());
    expect(tagsRead.slice(0, 2).sort()).toEqual([eastId, westId].sort());
    expect(r53.count('ListHealthChecks')).toBe(2);
  });

  it('reads every check’s tags when a wanted key is on no check of its spec, and finds what the whole listing finds', async () => {
    // Prepare: east's canary check is tagged with its key but probes another path (a re-purpose cut short).
    const { r53, tagsRead } = route53WithTagLog();
    seedAccount(r53);
    const east = canaryOf('east');
    const id = r53.seedCheck({ ...east.spec, path: '/elsewhere' }, healthCheckTags(OWNER, east.key, 'east', east.spec));

    // Act
    const owned = await ownedHealthChecksWithKeys(r53, OWNER, [east]);

    // Assess
    expect(owned.find((c) => c.key === east.key)?.id).toBe(id);
    expect(new Set(tagsRead).size).toBe(191);
  });

  it('finds nothing for a key no owned check carries, and nothing of another owner', async () => {
    const { r53 } = route53WithTagLog();
    const east = canaryOf('east');
    r53.seedCheck(east.spec, healthCheckTags('another-fleet', east.key, 'east', east.spec));
    expect(await ownedHealthChecksWithKeys(r53, OWNER, [east])).toEqual([]);
  });

  it('property: finds for each wanted key the check the whole listing finds, or one of that key’s spec where two carry it', async () => {
    const east = canaryOf('east');
    const west = canaryOf('west');
    const specs = [east.spec, west.spec, { ...east.spec, path: '/other' }, appSpec('east.a.example.com')];
    const check = fc.record({
      spec: fc.nat(specs.length - 1),
      owner: fc.constantFrom(OWNER, OWNER, 'another-fleet', undefined),
      key: fc.constantFrom(east.key, west.key, 'k-app', undefined),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(check, { maxLength: 25 }), fc.subarray([east, west], { minLength: 1 }), async (checks, wanted) => {
        // Prepare
        const { r53, tagsRead } = route53WithTagLog();
        for (const c of checks) {
          const tags =
            c.owner === undefined ? [] : healthCheckTags(c.owner, c.key ?? '', 'east').filter((t) => c.key !== undefined || t.Key !== 'switchyard:key');
          r53.seedCheck(specs[c.spec]!, tags);
        }
        const full = await listOwnedHealthChecks(r53, OWNER);
        tagsRead.length = 0;

        // Act
        const owned = await ownedHealthChecksWithKeys(r53, OWNER, wanted);

        // Assess: each check once, and each key's check as said.
        expect(new Set(owned.map((c) => c.id)).size).toBe(owned.length);
        for (const want of wanted) {
          const found = owned.find((c) => c.key === want.key);
          const ofSpec = full.filter((c) => c.key === want.key && c.spec !== undefined && healthCheckKey(want.cluster, c.spec) === want.key);
          expect(found).toEqual(ofSpec[0] ?? full.find((c) => c.key === want.key));
        }
        // Every id's tags are read at most once; only the candidates' when every key is on a check of its spec.
        expect(new Set(tagsRead).size).toBe(tagsRead.length);
        const allFoundBySpec = wanted.every((want) =>
          full.some((c) => c.key === want.key && c.spec !== undefined && healthCheckKey(want.cluster, c.spec) === want.key),
        );
        if (allFoundBySpec) {
          const candidates = checks.filter((c) => wanted.some((want) => healthCheckKey(want.cluster, specs[c.spec]!) === want.key)).length;
          expect(tagsRead.length).toBe(candidates);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the health source', () => {
  it('reads the canary checks’ status, and the tags of those checks only', async () => {
    // Prepare: a busy account; east's canary failing, west's passing.
    const { r53, tagsRead } = route53WithTagLog();
    seedAccount(r53);
    const ids = new Map(['east', 'west'].map((name) => [name, r53.seedCheck(canaryOf(name).spec, healthCheckTags(OWNER, canaryOf(name).key, name))]));
    const route53 = Object.assign(r53, {
      getHealthCheckStatus: async (id: string) => (id === ids.get('east') ? ['Failure: HTTP Status Code 503'] : ['Success: HTTP Status Code 200']),
    });
    const health = route53HealthSource({ fleet: FLEET, route53, table: { listAlarms: async () => [] } });

    // Act
    const view = await health.snapshot(['east', 'west']);

    // Assess
    expect(view.clusters).toEqual({ east: 'UNHEALTHY', west: 'HEALTHY' });
    expect(tagsRead.sort()).toEqual([...ids.values()].sort());
  });
});
