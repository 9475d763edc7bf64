// RestoreCluster: validates the input, resolves defaults, checks the cluster is healthy; a dry run plans every step.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { healthFromEnv } from '../src/runtime/env/health.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { prepareRestore } from './tasks/operations.ts';

export const handler = lambdaHandler('prepareRestore', prepareRestore, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, health: healthFromEnv }));
