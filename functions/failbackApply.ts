// Failover: after the hold-down, re-checks the alarm and the cluster's health, then brings it back (DNS first, then the intent).
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { failbackApply } from '../src/app/tasks/failover.ts';

export const handler = lambdaHandler('failbackApply', failbackApply, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, health: healthFromEnv }));
