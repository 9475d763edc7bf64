// Starting workflows: the state machine ARNs come from SWITCHYARD_STATE_MACHINES (StartExecution only).
import { SFNClient } from '@aws-sdk/client-sfn';
import { ConfigError } from '../../core/errors.ts';
import { parseStateMachineArns, sfnStarter } from '../../aws/sfn.ts';
import type { PortBuilder } from './build-deps.ts';
import { traced } from '../tracing.ts';

export const workflowsFromEnv: PortBuilder<'workflows'> = ({ env }) => {
  const arns = parseStateMachineArns(env.SWITCHYARD_STATE_MACHINES);
  if (Object.keys(arns).length === 0)
    throw new ConfigError('SWITCHYARD_STATE_MACHINES', ['environment variable SWITCHYARD_STATE_MACHINES is not set (workflow name → state machine ARN)']);
  return sfnStarter(traced(new SFNClient({})), arns);
};
