// Turns alarm state changes, EKS CloudTrail calls, Gateway Published/Withdrawn and the schedule into StartExecution calls (deterministic names).
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { workflowsFromEnv } from '../src/lambda/env/workflows.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { router } from '../src/app/tasks/router.ts';

export const handler = lambdaHandler('router', router, containerDeps({ workflows: workflowsFromEnv }));
