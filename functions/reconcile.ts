// Reconcile: discovery into the catalogue (unreachable clusters kept), alarm states re-read, apps that failed open re-examined, locks of ended runs recovered, every owned record converged.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { discoveryFromEnv } from '../src/lambda/env/discovery.ts';
import { executionsFromEnv } from '../src/lambda/env/executions.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { alarmsFromEnv } from '../src/lambda/env/alarms.ts';
import { workflowsFromEnv } from '../src/lambda/env/workflows.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { reconcile } from '../src/app/tasks/apps.ts';

export const handler = lambdaHandler(
  'reconcile',
  reconcile,
  containerDeps({
    table: tableFromEnv,
    dns: dnsFromEnv,
    discovery: discoveryFromEnv,
    alarms: alarmsFromEnv,
    health: healthFromEnv,
    executions: executionsFromEnv,
    workflows: workflowsFromEnv,
  }),
);
