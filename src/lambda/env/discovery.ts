// Where Reconcile reads Gateways: SWITCHYARD_DISCOVERY = eks (default) | manifests | none.
import { ConfigError } from '../../core/errors.ts';
import { eksDiscoveryPort } from '../../k8s/eks-source.ts';
import { discoveryPort, manifestFolderReader } from '../../k8s/source.ts';
import type { PortBuilder } from './build-deps.ts';

export const discoveryFromEnv: PortBuilder<'discovery'> = ({ env, fleet }) => {
  const source = env.SWITCHYARD_DISCOVERY ?? 'eks';
  if (source === 'none') return undefined;
  if (source === 'eks') return eksDiscoveryPort(fleet.config);
  if (source === 'manifests') return discoveryPort(fleet.config, () => manifestFolderReader(fleet.dir));
  throw new ConfigError('SWITCHYARD_DISCOVERY', [`must be eks, manifests or none, got "${source}"`]);
};
