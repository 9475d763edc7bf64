// OffboardApp: the cluster's endpoint out of the catalogue, its record sets out of Route 53.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { offboardApp } from './tasks/apps.ts';

export const handler = lambdaHandler('offboardApp', offboardApp, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
