// UpgradeGuard: one eks:DescribeUpdate poll; renews the lease.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { eksFromEnv } from '../src/runtime/env/eks.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { describeUpdate } from './tasks/upgrade.ts';

export const handler = lambdaHandler('describeUpdate', describeUpdate, containerDeps({ table: tableFromEnv, eks: eksFromEnv }));
