// Failover: after the hold-down, is the alarm still OK and the cluster not unhealthy?
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { failbackCheck } from '../src/app/tasks/failover.ts';

export const handler = lambdaHandler('failbackCheck', failbackCheck, containerDeps({ table: tableFromEnv, health: healthFromEnv }));
