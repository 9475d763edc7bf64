// Failover: brings the cluster or app back (DNS first, then the intent).
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { failbackApply } from '../src/app/tasks/failover.ts';

export const handler = lambdaHandler('failbackApply', failbackApply, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
