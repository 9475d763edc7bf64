// Reconcile: discovery into the catalogue (unreachable clusters kept), alarm states re-read, apps that failed open re-examined, locks of ended runs recovered, every owned record converged.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { discoveryFromEnv } from '../src/runtime/env/discovery.ts';
import { executionsFromEnv } from '../src/runtime/env/executions.ts';
import { healthFromEnv } from '../src/runtime/env/health.ts';
import { alarmsFromEnv } from '../src/runtime/env/alarms.ts';
import { workflowsFromEnv } from '../src/runtime/env/workflows.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { reconcile } from './tasks/apps.ts';

export const handler = lambdaHandler(
  'reconcile',
  reconcile,
  containerDeps({ table: tableFromEnv, dns: dnsFromEnv, discovery: discoveryFromEnv, alarms: alarmsFromEnv, health: healthFromEnv, executions: executionsFromEnv, workflows: workflowsFromEnv }),
);
