// Failover: records the alarm state (newer wins) and decides take-out or failback.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { failoverDecide } from './tasks/failover.ts';

export const handler = lambdaHandler('failoverDecide', failoverDecide, containerDeps({ table: tableFromEnv }));
