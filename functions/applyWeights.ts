// One step: safety re-check under the lease, then the intent and the cluster's Route 53 weights.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { applyWeights } from '../src/app/tasks/operations.ts';

export const handler = lambdaHandler('applyWeights', applyWeights, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, health: healthFromEnv }));
