// OnboardApp: the app's endpoints into the catalogue, its records and health checks into Route 53.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { onboardApp } from '../src/app/tasks/apps.ts';

export const handler = lambdaHandler('onboardApp', onboardApp, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
