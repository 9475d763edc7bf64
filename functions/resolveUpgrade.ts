// UpgradeGuard: which fleet cluster an EKS update that moves pods (cluster version, node group) is about, and the plan.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { resolveUpgrade } from './tasks/upgrade.ts';

export const handler = lambdaHandler('resolveUpgrade', resolveUpgrade, containerDeps({ table: tableFromEnv }));
