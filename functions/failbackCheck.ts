// Failover: after the hold-down, is the alarm still OK and the cluster not unhealthy?
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { healthFromEnv } from '../src/runtime/env/health.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { failbackCheck } from './tasks/failover.ts';

export const handler = lambdaHandler('failbackCheck', failbackCheck, containerDeps({ table: tableFromEnv, health: healthFromEnv }));
