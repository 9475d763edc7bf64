// The edge tier on AWS (docs/edge.md, "On AWS"): the deploy plan of examples/edge-fleet with
// the real FUNCTIONS registry and workflows: one upstream alarm per workload cluster on the
// edges' canary metric, in the region the upstream checks name; the edges' agent roles may
// publish that metric only; the functions that create health checks may read those alarms
// and change the upstream zone's records.
import { describe, expect, it } from 'vitest';
import { fleetSchema, type FleetConfig } from '../../src/core/config.ts';
import { InvalidInput } from '../../src/core/errors.ts';
import { upstreamHealthCheckSpec } from '../../src/core/upstream.ts';
import { deployInfo } from '../../stacks/deploy-info.ts';
import { fleetFileName, readDeploySources } from '../../stacks/inputs.ts';
import { describeDeployment, type DeploymentSpec } from '../../stacks/deployment.ts';
import { grants, type Statement } from '../../stacks/iam-grants.ts';
import { loadRegistry } from '../../stacks/registry.ts';
import { CONTEXT, ROOT, fixturePlan } from './helpers.ts';

const registry = await loadRegistry(ROOT);
const sources = await readDeploySources(ROOT, registry, { SWITCHYARD_FLEET: 'examples/edge-fleet' });
const ZONE_IDS = { 'example.com': 'Z0PUBLIC1', 'mesh.internal': 'Z0UPSTREAM2' };

function edgePlan(change: (fleet: FleetConfig) => Partial<FleetConfig> = () => ({})): DeploymentSpec {
  const fleet = fleetSchema.parse({ ...sources.fleet.config, ...change(sources.fleet.config) });
  return describeDeployment(CONTEXT, { fleet, fleetFileName: fleetFileName(sources.fleet), registry, workflows: sources.workflows, zoneIds: ZONE_IDS });
}

const statementsOf = (plan: DeploymentSpec, fn: string, action: string): Statement[] =>
  plan.functions.find((f) => f.name === fn)!.policy.Statement.filter((s) => s.Action.includes(action));

describe('upstream alarms', () => {
  const plan = edgePlan();

  it('creates one alarm per workload cluster, named as the runtime’s upstream checks name it, in their region', () => {
    expect(plan.upstreamAlarms.map((a) => [a.cluster, a.alarmName, a.region])).toEqual([
      ['east', 'switchyard-upstream-switchyard-edge-example-east', 'us-east-1'],
      ['west', 'switchyard-upstream-switchyard-edge-example-west', 'us-east-1'],
      ['eu', 'switchyard-upstream-switchyard-edge-example-eu', 'us-east-1'],
    ]);
    // The CLOUDWATCH_METRIC check the runtime puts on each cluster's upstream records reads exactly this alarm.
    for (const alarm of plan.upstreamAlarms) {
      expect(upstreamHealthCheckSpec(sources.fleet.config, alarm.cluster)?.alarm).toEqual({ region: alarm.region, name: alarm.alarmName });
    }
  });

  it('reads Maximum of Switchyard/Upstream Reachable for its cluster over a minute; below 1, or no data at all, is ALARM', () => {
    expect(plan.upstreamAlarms.find((a) => a.cluster === 'west')).toMatchObject({
      dimensions: { Cluster: 'west' },
      metric: {
        namespace: 'Switchyard/Upstream',
        metricName: 'Reachable',
        statistic: 'Maximum',
        periodSeconds: 60,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'LessThanThreshold',
        treatMissingData: 'breaching',
      },
    });
  });

  it('is printed by the deploy, per workload cluster, with its region', async () => {
    expect(deployInfo(plan).upstreamAlarms).toEqual({
      east: 'us-east-1/switchyard-upstream-switchyard-edge-example-east',
      west: 'us-east-1/switchyard-upstream-switchyard-edge-example-west',
      eu: 'us-east-1/switchyard-upstream-switchyard-edge-example-eu',
    });
    expect(deployInfo(await fixturePlan())).not.toHaveProperty('upstreamAlarms');
  });

  it('lives in upstream.alarmRegion when the fleet sets it', () => {
    const moved = edgePlan((f) => ({ upstream: { ...f.upstream!, alarmRegion: 'eu-west-1' } }));
    expect(new Set(moved.upstreamAlarms.map((a) => a.region))).toEqual(new Set(['eu-west-1']));
  });

  it('is not created in a fleet without edge clusters', async () => {
    expect((await fixturePlan()).upstreamAlarms).toEqual([]);
  });

  it('refuses an edge cluster in another account (its metric would not reach the alarms), naming it', () => {
    expect(() => edgePlan((f) => ({ clusters: f.clusters.map((c) => (c.name === 'edge-eu' ? { ...c, accountId: '222222222222' } : c)) }))).toThrow(
      InvalidInput,
    );
    expect(() => edgePlan((f) => ({ clusters: f.clusters.map((c) => (c.name === 'edge-eu' ? { ...c, accountId: '222222222222' } : c)) }))).toThrow(
      /edge cluster edge-eu \(account 222222222222\): the edges' canary publishes Switchyard\/Upstream Reachable in its own account/,
    );
  });
});

describe('agent roles of an edge fleet', () => {
  const plan = edgePlan();

  it('lets only the edge clusters’ agents put metric data, and only in the upstream namespace', () => {
    const putMetric = (cluster: string) =>
      plan.agentRoles.find((a) => a.cluster === cluster)!.policy.Statement.filter((s) => s.Action.includes('cloudwatch:PutMetricData'));
    for (const edge of ['edge-us', 'edge-eu']) {
      expect(putMetric(edge), edge).toEqual([
        {
          Effect: 'Allow',
          Action: ['cloudwatch:PutMetricData'],
          Resource: ['*'],
          Condition: { StringEquals: { 'cloudwatch:namespace': ['Switchyard/Upstream'] } },
        },
      ]);
    }
    for (const workload of ['east', 'west', 'eu']) expect(putMetric(workload), workload).toEqual([]);
    // Their events stay held to their own source.
    expect(plan.agentRoles.find((a) => a.cluster === 'edge-us')!.policy.Statement[0]).toMatchObject({
      Condition: { StringEquals: { 'events:source': ['switchyard.agent.edge-us'] } },
    });
  });

  it('gives no agent PutMetricData in a fleet without edges', async () => {
    const plain = await fixturePlan();
    expect(plain.agentRoles.some((a) => grants(a.policy.Statement, 'cloudwatch:PutMetricData'))).toBe(false);
  });
});

describe('functions of an edge fleet', () => {
  const plan = edgePlan();

  it('lets every function that can create or update a health check read the upstream alarms (Route 53 checks it), and only those and its own', () => {
    const creators = plan.functions.filter((f) => grants(f.policy.Statement, 'route53:CreateHealthCheck'));
    expect(creators.map((f) => f.name)).toContain('onboardApp');
    for (const fn of creators) {
      const resources = statementsOf(plan, fn.name, 'cloudwatch:DescribeAlarms').flatMap((s) => s.Resource);
      expect(resources, fn.name).toContain('arn:aws:cloudwatch:us-east-1:111111111111:alarm:switchyard-upstream-switchyard-edge-example-*');
      expect(
        resources.every(
          (r) => r.includes(':alarm:switchyard-dev-switchyard-edge-example-') || r.includes(':alarm:switchyard-upstream-switchyard-edge-example-'),
        ),
        fn.name,
      ).toBe(true);
    }
  });

  it('lets the DNS functions change the upstream zone’s names (`<host>.mesh.internal`) in the private zone', () => {
    const [change] = statementsOf(plan, 'onboardApp', 'route53:ChangeResourceRecordSets');
    expect(change!.Resource).toEqual(['arn:aws:route53:::hostedzone/Z0PUBLIC1', 'arn:aws:route53:::hostedzone/Z0UPSTREAM2']);
    expect(change!.Condition!['ForAllValues:StringLike']!['route53:ChangeResourceRecordSetsNormalizedRecordNames']).toEqual(
      expect.arrayContaining(['mesh.internal', '*.mesh.internal', 'example.com', '*.example.com']),
    );
  });

  it('needs the upstream zone’s id, naming upstream.id', () => {
    const fleet = sources.fleet.config;
    expect(() =>
      describeDeployment(CONTEXT, { fleet, fleetFileName: 'fleet.yaml', registry, workflows: sources.workflows, zoneIds: { 'example.com': 'Z0PUBLIC1' } }),
    ).toThrow(/fleet zones without a hosted-zone id: mesh.internal \(pin upstream.id in fleet.yaml/);
  });
});
