// Saved weights back, lock released, journal, Cluster Drain Aborted.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { healthFromEnv } from '../src/runtime/env/health.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { rollbackOperation } from './tasks/operations.ts';

export const handler = lambdaHandler('rollbackOperation', rollbackOperation, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, health: healthFromEnv }));
