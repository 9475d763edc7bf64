// UpgradeGuard: which fleet cluster an UpdateClusterVersion call upgrades, and the plan.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { resolveUpgrade } from '../src/app/tasks/upgrade.ts';

export const handler = lambdaHandler('resolveUpgrade', resolveUpgrade, containerDeps({ table: tableFromEnv }));
