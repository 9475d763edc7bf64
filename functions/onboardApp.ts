// OnboardApp: the app's endpoints into the catalogue, its records and health checks into Route 53.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { onboardApp } from './tasks/apps.ts';

export const handler = lambdaHandler('onboardApp', onboardApp, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
