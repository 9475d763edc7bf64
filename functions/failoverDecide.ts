// Failover: records the alarm state (newer wins) and decides take-out or failback.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { failoverDecide } from '../src/app/tasks/failover.ts';

export const handler = lambdaHandler('failoverDecide', failoverDecide, containerDeps({ table: tableFromEnv }));
