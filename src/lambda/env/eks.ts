// eks:DescribeUpdate for UpgradeGuard (a cluster in another account through its role).
import { EKSClient } from '@aws-sdk/client-eks';
import { eksUpdates } from '../../aws/eks.ts';
import type { PortBuilder } from './build-deps.ts';
import { traced } from '../tracing.ts';

export const eksFromEnv: PortBuilder<'eks'> = () =>
  eksUpdates({ eksClient: (region, credentials) => traced(new EKSClient({ region, ...(credentials ? { credentials } : {}) })) });
