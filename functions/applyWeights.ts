// One step: safety re-check under the lease, then the intent and the cluster's Route 53 weights.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { healthFromEnv } from '../src/runtime/env/health.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { applyWeights } from './tasks/operations.ts';

export const handler = lambdaHandler('applyWeights', applyWeights, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, health: healthFromEnv }));
