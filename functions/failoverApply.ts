// Failover: takes the cluster or app out where another healthy cluster serves it, else fails open.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { healthFromEnv } from '../src/runtime/env/health.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { failoverApply } from './tasks/failover.ts';

export const handler = lambdaHandler('failoverApply', failoverApply, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, health: healthFromEnv }));
