// Deletes owned health checks no record uses any more (after INSYNC).
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { cleanupHealthChecks } from '../src/app/tasks/apps.ts';

export const handler = lambdaHandler('cleanupHealthChecks', cleanupHealthChecks, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
