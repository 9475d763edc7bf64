// Turns alarm state changes, EKS CloudTrail calls, Gateway Published/Withdrawn and the schedule into StartExecution calls (deterministic names).
import { containerDeps } from '../src/runtime/env/deps.ts';
import { workflowsFromEnv } from '../src/runtime/env/workflows.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { router } from './tasks/router.ts';

export const handler = lambdaHandler('router', router, containerDeps({ workflows: workflowsFromEnv }));
