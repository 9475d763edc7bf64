// Deletes owned health checks no record uses any more (after INSYNC).
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { cleanupHealthChecks } from './tasks/apps.ts';

export const handler = lambdaHandler('cleanupHealthChecks', cleanupHealthChecks, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
