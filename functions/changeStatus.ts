// One GetChange poll of the changes a step sent.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { dnsFromEnv } from '../src/runtime/env/dns.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { changeStatus } from './tasks/operations.ts';

export const handler = lambdaHandler('changeStatus', changeStatus, containerDeps({ dns: dnsFromEnv }));
