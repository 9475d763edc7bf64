// eks:DescribeUpdate for UpgradeGuard (a cluster in another account through its role).
import { eksUpdates } from '../../aws/eks.ts';
import type { PortBuilder } from './build-deps.ts';

export const eksFromEnv: PortBuilder<'eks'> = () => eksUpdates();
