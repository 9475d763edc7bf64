// RecoverOperation: an ended run that still holds its lock is rolled back, lock released, journal, Cluster Drain Aborted.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { executionsFromEnv } from '../src/lambda/env/executions.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { recoverOperation } from '../src/app/tasks/recover.ts';

export const handler = lambdaHandler(
  'recoverOperation',
  recoverOperation,
  containerDeps({ table: tableFromEnv, dns: dnsFromEnv, executions: executionsFromEnv, health: healthFromEnv }),
);
