// One GetChange poll of the changes a step sent; under an operation's lock it renews the lease.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { dnsFromEnv } from '../src/lambda/env/dns.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { changeStatus } from '../src/app/tasks/operations.ts';

export const handler = lambdaHandler('changeStatus', changeStatus, containerDeps({ table: tableFromEnv, dns: dnsFromEnv }));
