// Takes the cluster lease and a fleet drain slot, re-checks safety and saves the weights, in one conditional write.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { healthFromEnv } from '../src/runtime/env/health.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { acquireLock } from './tasks/operations.ts';

export const handler = lambdaHandler('acquireLock', acquireLock, containerDeps({ table: tableFromEnv, health: healthFromEnv }));
