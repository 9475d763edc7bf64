// RecoverOperation: an ended run that still holds its lock is rolled back, lock released, journal, Cluster Drain Aborted.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { executionsFromEnv } from '../src/runtime/env/executions.ts';
import { healthFromEnv } from '../src/runtime/env/health.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { recoverOperation } from './tasks/recover.ts';

export const handler = lambdaHandler('recoverOperation', recoverOperation, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, executions: executionsFromEnv, health: healthFromEnv }));
