// Final intent (DRAINED / ACTIVE), lock released, journal, the event to emit.
import { containerDeps } from '../src/lambda/env/build-deps.ts';
import { tableFromEnv } from '../src/lambda/env/table.ts';
import { lambdaHandler } from '../src/lambda/handler.ts';
import { finishOperation } from '../src/app/tasks/operations.ts';

export const handler = lambdaHandler('finishOperation', finishOperation, containerDeps({ table: tableFromEnv }));
