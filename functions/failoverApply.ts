// Failover: takes the cluster or app out where another healthy cluster serves it, else fails open.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { failoverApply } from '../src/app/tasks/failover.ts';

export const handler = lambdaHandler('failoverApply', failoverApply, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, health: healthFromEnv }));
