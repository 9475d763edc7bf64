// OffboardApp: the cluster's endpoint out of the catalogue, its record sets out of Route 53.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { offboardApp } from '../src/app/tasks/apps.ts';

export const handler = lambdaHandler('offboardApp', offboardApp, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
