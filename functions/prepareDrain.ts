// DrainCluster: validates the input, resolves defaults, checks safety; a dry run plans every step.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { healthFromEnv } from '../src/lambda/env/health.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { prepareDrain } from '../src/app/tasks/operations.ts';

export const handler = lambdaHandler('prepareDrain', prepareDrain, containerDeps({ table: tableFromEnv, dns: dnsFromEnv, health: healthFromEnv }));
