// Switchyard on AWS: reads the fleet, the FUNCTIONS registry and the workflows, asks AWS
// only for the account, region, partition and (unpinned) hosted-zone ids, describes the
// deployment (deployment.ts, pure) and creates it. sst.config.ts calls deploySwitchyard().
import { describeDeployment, type DeploymentSpec } from './deployment.ts';
import { fleetFileName, readDeploySources } from './inputs.ts';
import { parseRegistry } from './registry.ts';
import { appBus } from './resources/bus.ts';
import { canaryAlarms, upstreamAlarms } from './resources/alarms.ts';
import { deadLetterQueue } from './resources/dead-letter.ts';
import { triggers } from './resources/events.ts';
import { lambdaFunctions } from './resources/functions.ts';
import { stateTable } from './resources/table.ts';
import { stateMachines } from './resources/workflows.ts';
import { agentRoles } from './resources/agents.ts';
import { monitoring } from './resources/monitoring.ts';
import { deployInfo } from './deploy-info.ts';
import type { FleetConfig } from '../src/core/config.ts';
import { managedZoneConfigs } from '../src/core/upstream.ts';

/** Pinned zones[].id (upstream.id), else the public (for upstream: private) hosted zone of that name in this account. */
async function zoneIds(fleet: FleetConfig): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const zone of managedZoneConfigs(fleet)) {
    ids[zone.name] = zone.id ?? (await aws.route53.getZone({ name: zone.name, privateZone: zone.private })).zoneId;
  }
  return ids;
}

export async function deploySwitchyard() {
  // A literal path, so SST's esbuild bundles the registry into the config.
  const { FUNCTIONS } = (await import('../functions/index.ts')) as { FUNCTIONS: unknown };
  const sources = await readDeploySources($cli.paths.root, parseRegistry(FUNCTIONS));
  const [identity, region, partition] = await Promise.all([aws.getCallerIdentity({}), aws.getRegion({}), aws.getPartition({})]);
  const deployment: DeploymentSpec = describeDeployment(
    { app: $app.name, stage: $app.stage, partition: partition.partition, region: region.region, accountId: identity.accountId },
    {
      fleet: sources.fleet.config,
      fleetFileName: fleetFileName(sources.fleet),
      registry: sources.registry,
      workflows: sources.workflows,
      zoneIds: await zoneIds(sources.fleet.config),
      reconcileSchedule: process.env['SWITCHYARD_RECONCILE_SCHEDULE'],
    },
  );

  stateTable(deployment);
  const bus = appBus(deployment);
  const functions = lambdaFunctions(deployment, sources.fleetDir);
  const machines = stateMachines(deployment, functions);
  const router = functions.get(deployment.router)!;
  const notifications = monitoring(deployment, bus);
  triggers(deployment, bus, router, deadLetterQueue(deployment, router, notifications));
  canaryAlarms(deployment);
  upstreamAlarms(deployment);
  agentRoles(deployment, bus);

  const drain = deployment.machines.find((m) => m.workflow === 'DrainCluster');
  return {
    stage: deployment.context.stage,
    bus: deployment.busName,
    table: deployment.tableName,
    routerDeadLetterQueue: deployment.deadLetter.queueName,
    stateMachines: Object.fromEntries([...machines.keys()].map((name) => [name, deployment.machines.find((m) => m.workflow === name)!.arn])),
    ...(drain
      ? { drainExample: `aws stepfunctions start-execution --state-machine-arn ${drain.arn} --input '{"cluster":"<cluster>","reason":"upgrade"}'` }
      : {}),
    clusterAccessEntries: deployment.accessEntries.map((entry) => entry.command),
    ...deployInfo(deployment),
  };
}
