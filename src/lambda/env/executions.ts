// Reading executions (DescribeExecution) for recovery: RecoverOperation and Reconcile.
import { SFNClient } from '@aws-sdk/client-sfn';
import { sfnExecutions } from '../../aws/sfn.ts';
import type { PortBuilder } from './build-deps.ts';
import { traced } from '../tracing.ts';

export const executionsFromEnv: PortBuilder<'executions'> = () => sfnExecutions(traced(new SFNClient({})));
