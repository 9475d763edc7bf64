// One GetChange poll of the changes a step sent; under an operation's lock it renews the lease.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { changeStatus } from './tasks/operations.ts';

export const handler = lambdaHandler('changeStatus', changeStatus, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
