// Reading executions (DescribeExecution) for recovery: RecoverOperation and Reconcile.
import { SFNClient } from '@aws-sdk/client-sfn';
import { sfnExecutions } from '../../aws/sfn.ts';
import type { PortBuilder } from './build-deps.ts';

export const executionsFromEnv: PortBuilder<'executions'> = () => sfnExecutions(new SFNClient({}));
