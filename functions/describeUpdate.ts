// UpgradeGuard: one eks:DescribeUpdate poll; renews the lease.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { eksFromEnv } from '../src/lambda/env/eks.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { describeUpdate } from '../src/app/tasks/upgrade.ts';

export const handler = lambdaHandler('describeUpdate', describeUpdate, containerDeps({ table: tableFromEnv, eks: eksFromEnv }));
