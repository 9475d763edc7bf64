// Drain: the remaining clusters still carry every app; restore: the cluster is healthy. Renews the lease.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { healthFromEnv } from '../src/runtime/env/health.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { healthGate } from './tasks/operations.ts';

export const handler = lambdaHandler('healthGate', healthGate, containerDeps({ table: tableFromEnv, health: healthFromEnv }));
