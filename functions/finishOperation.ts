// Final intent (DRAINED / ACTIVE), lock released, journal, the event to emit.
import { containerDeps } from '../src/runtime/env/deps.ts';
import { tableFromEnv } from '../src/runtime/env/table.ts';
import { lambdaHandler } from '../src/runtime/lambda.ts';
import { finishOperation } from './tasks/operations.ts';

export const handler = lambdaHandler('finishOperation', finishOperation, containerDeps({ table: tableFromEnv }));
