// Drain: the remaining clusters still carry every app; restore: the cluster is healthy. Renews the lease.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { healthGate } from '../src/app/tasks/operations.ts';

export const handler = lambdaHandler('healthGate', healthGate, containerDeps({ table: tableFromEnv, health: healthFromEnv }));
