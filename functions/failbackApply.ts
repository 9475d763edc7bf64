// Failover: brings the cluster or app back (DNS first, then the intent).
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { failbackApply } from './tasks/failover.ts';

export const handler = lambdaHandler('failbackApply', failbackApply, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
