// Takes the cluster lease and a fleet drain slot, re-checks safety and saves the weights, in one conditional write.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { acquireLock } from '../src/app/tasks/operations.ts';

export const handler = lambdaHandler('acquireLock', acquireLock, containerDeps({ table: tableFromEnv, health: healthFromEnv }));
