// Saved weights back, lock released, journal, Cluster Drain Aborted.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { rollbackOperation } from '../src/app/tasks/operations.ts';

export const handler = lambdaHandler('rollbackOperation', rollbackOperation, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, health: healthFromEnv }));
