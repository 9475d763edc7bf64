// What reading a step back costs (docs/dns.md, "Every step is read back"): the
// ListResourceRecordSets pages a drain step's verification reads, for one cluster of
// two, in a zone that also holds many names the step does not touch.
//
// Targets. When the touched names are adjacent in Route 53's list order (the usual zone:
// Switchyard's names together, others elsewhere), at most one page per 300 record sets
// at the touched names (every cluster's set there and the ownership marker: what a
// listing of those names returns) — never a zone scan. When other names lie between the
// touched ones, no reader can do better than covering the touched sets with 300-set
// pages in list order; the target there is that minimum, computed here apart from the
// reader (greedy cover over the sorted zone), and the zone scan is shown for contrast.
import { aliasTargetFor } from '../src/core/alias-zones.ts';
import { parseFleetConfig, type FleetConfig } from '../src/core/config.ts';
import { healthCheckKey, healthCheckSpecFor, healthCheckTags } from '../src/core/health-spec.ts';
import type { ClusterIntent, HostedZone, PublishedEndpoint, RecordSet } from '../src/core/model.ts';
import { markerRecordFor } from '../src/core/ownership.ts';
import { expectedCount } from '../src/core/verify.ts';
import { nameOfMarker, normalizeName } from '../src/core/dns-names.ts';
import { route53Dns } from '../src/app/dns/route53-dns.ts';
import { MemoryRoute53, type MemoryCheck } from './lib/memory-route53.ts';

const ZONE: HostedZone = { id: 'ZVERIFY', name: 'example.com.' };
const PAGE = 300;

const fleet: FleetConfig = parseFleetConfig(
  `
ownerId: bench
zones: [{ name: example.com }]
clusters:
  - { name: east, region: us-east-1, eksClusterName: e, entryPoint: mesh-east-ingress-1a2b3c4d5e6f7a8b.elb.us-east-1.amazonaws.com, canaryHostname: canary-east.example.com, domainFilter: [example.com] }
  - { name: west, region: us-west-2, eksClusterName: w, entryPoint: mesh-west-ingress-9f8e7d6c5b4a3f2e.elb.us-west-2.amazonaws.com, canaryHostname: canary-west.example.com, domainFilter: [example.com] }
`,
  'bench fleet',
);

interface Scenario {
  name: string;
  apps: number;
  /** Apps east serves: every one, or every `stride`-th (the others are west's only). */
  stride: number;
  /** Names in the zone Switchyard does not manage. */
  foreign: number;
  /** Foreign names between the apps in list order (app-00001-other-…), or after them all (zz-other-…). */
  interleaved: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'east serves 1,000 of 1,000 apps; 5,000 foreign names elsewhere', apps: 1000, stride: 1, foreign: 5000, interleaved: false },
  { name: 'east serves 1,000 of 1,000 apps; 5,000 foreign names between them', apps: 1000, stride: 1, foreign: 5000, interleaved: true },
  { name: 'east serves 500 of 1,000 apps (every other); 5,000 foreign names elsewhere', apps: 1000, stride: 2, foreign: 5000, interleaved: false },
  { name: 'east serves 10 of 1,000 apps (every 100th); 5,000 foreign names elsewhere', apps: 1000, stride: 100, foreign: 5000, interleaved: false },
];

function hostnameOf(i: number): string {
  return `app-${String(i).padStart(5, '0')}.example.com`;
}

/** The zone as sync leaves it (built by hand), the endpoints, and the health checks. */
function build(s: Scenario): { endpoints: PublishedEndpoint[]; records: RecordSet[]; checks: MemoryCheck[] } {
  const checks: MemoryCheck[] = [];
  const perCluster = new Map(
    fleet.clusters.map((cluster) => {
      const spec = healthCheckSpecFor(fleet.healthCheck, cluster, {});
      const key = healthCheckKey(cluster.name, spec);
      const id = `hc-${cluster.name}`;
      checks.push({ id, callerReference: `bench-${key}`, version: 1, spec, tags: healthCheckTags(fleet.ownerId, key, cluster.name, spec) });
      const alias = aliasTargetFor(cluster.entryPoint ?? '', { dualStack: false, evaluateTargetHealth: true });
      if (!alias.ok) throw new Error(alias.reason);
      return [cluster.name, { cluster, id, aliasTarget: alias.aliasTarget }] as const;
    }),
  );
  const endpoints: PublishedEndpoint[] = [];
  const records: RecordSet[] = [];
  for (let i = 0; i < s.apps; i++) {
    const hostname = hostnameOf(i);
    const clusters = i % s.stride === 0 ? ['east', 'west'] : ['west'];
    for (const cluster of clusters) endpoints.push({ hostname, cluster, kind: 'Gateway', gateway: `apps/app-${i}`, annotations: { routing: 'weighted' } });
    for (const cluster of clusters) {
      const c = perCluster.get(cluster)!;
      records.push({ name: `${hostname}.`, type: 'A', setIdentifier: cluster, weight: c.cluster.weight, aliasTarget: c.aliasTarget, healthCheckId: c.id });
    }
    const marker = markerRecordFor(
      `${hostname}.`,
      fleet.ownerId,
      clusters.map((cluster) => ({ type: 'A', setIdentifier: cluster })),
      fleet.ttl,
    );
    if (marker) records.push(marker);
  }
  // Interleaved: com.example.app-00001-other-7 sorts right after com.example.app-00001.
  for (let i = 0; i < s.foreign; i++) {
    const name = s.interleaved ? `${hostnameOf(i % s.apps).replace('.example.com', '')}-other-${i}.example.com.` : `zz-other-${i}.example.com.`;
    records.push({ name, type: 'A', ttl: 300, values: ['192.0.2.10'] });
  }
  return { endpoints, records, checks };
}

async function measure(s: Scenario): Promise<Record<string, unknown>> {
  const { endpoints, records, checks } = build(s);
  const route53 = new MemoryRoute53([ZONE], new Map([[ZONE.id, records]]), checks);
  const dns = route53Dns({ fleet, route53 });
  const intents: ClusterIntent[] = [
    { cluster: 'east', state: 'DRAINING', weightPercent: 0 },
    { cluster: 'west', state: 'ACTIVE', weightPercent: 100 },
  ];
  const hostnames = [...new Set(endpoints.filter((e) => e.cluster === 'east').map((e) => e.hostname))];
  // The step's intention, as ApplyWeights hands it on (a dry run plans the same changes).
  const step = await dns.apply({ hostnames, endpoints, intents, appsOut: [], onlyCluster: 'east', reason: 'bench', dryRun: true });
  // The step landed: east's weights are 0 in the zone.
  route53.records.set(
    ZONE.id,
    records.map((r) => (r.setIdentifier === 'east' && r.type === 'A' ? { ...r, weight: 0 } : r)),
  );
  const before = route53.reads['ListResourceRecordSets'] ?? 0;
  const verification = await dns.verify(step.expected);
  const pages = (route53.reads['ListResourceRecordSets'] ?? 0) - before;
  if (verification.differences.length > 0) throw new Error(`the landed step did not verify: ${verification.differences.slice(0, 3).join('; ')}`);
  // The sets a listing of the touched names returns: their sets and their markers.
  const touched = new Set(hostnames.map(normalizeName));
  const atTouchedNames = records.filter((r) => touched.has(nameOfMarker(r.name) ?? normalizeName(r.name))).length;
  const adjacent = !s.interleaved && s.stride === 1;
  const minimum = minimumPages(records, touched);
  const allowedPages = adjacent ? Math.max(1, Math.ceil(atTouchedNames / PAGE)) : minimum;
  return {
    scenario: s.name,
    setsTheStepIntends: expectedCount(step.expected),
    setsAtTouchedNames: atTouchedNames,
    zoneSets: records.length,
    extraRequestsPerStep: { ListResourceRecordSets: pages },
    zoneScanPages: Math.ceil(records.length / PAGE),
    minimumPagesAnyReader: minimum,
    target: adjacent ? 'one page per 300 sets at the touched names' : 'the minimum any reader needs',
    allowedPages,
    pass: pages <= allowedPages,
  };
}

/** Route 53's list order: labels reversed, then type, then SetIdentifier (plain ASCII). */
function listKey(r: RecordSet): string {
  return `${normalizeName(r.name).slice(0, -1).split('.').reverse().join('.')}.\u0000${r.type}\u0000${r.setIdentifier ?? ''}`;
}

/** Fewest 300-set pages that cover every set at the touched names: greedy over the sorted zone. */
function minimumPages(records: readonly RecordSet[], touched: ReadonlySet<string>): number {
  const sorted = [...records].sort((a, b) => (listKey(a) < listKey(b) ? -1 : listKey(a) > listKey(b) ? 1 : 0));
  const positions = sorted.flatMap((r, i) => (touched.has(normalizeName(r.name)) ? [i] : []));
  let pages = 0;
  let coveredTo = -1;
  for (const p of positions) {
    if (p <= coveredTo) continue;
    pages++;
    coveredTo = p + PAGE - 1;
  }
  return pages;
}

export async function run(): Promise<Record<string, unknown>> {
  const results: Array<Record<string, unknown>> = [];
  for (const s of SCENARIOS) results.push(await measure(s));
  return {
    note: "Read-back after INSYNC costs only ListResourceRecordSets pages (GetChange polls are the step's own). Failover, failback and rollback also poll GetChange inside the task until INSYNC.",
    scenarios: results,
    targets: results.map((r) => ({
      name: `verify a drain step (${String(r.scenario)}): ListResourceRecordSets pages, ${String(r.target)}`,
      target: `<= ${String(r.allowedPages)}`,
      actual: (r.extraRequestsPerStep as { ListResourceRecordSets: number }).ListResourceRecordSets,
      pass: r.pass,
    })),
  };
}
