// Where Reconcile reads Gateways: SWITCHYARD_DISCOVERY = eks (default) | manifests | none.
import { ConfigError } from '../../core/errors.ts';
import { eksEndpointSource } from '../../k8s/eks-source.ts';
import { manifestFolderSource } from '../../k8s/source.ts';
import type { PortBuilder } from './build-deps.ts';

export const discoveryFromEnv: PortBuilder<'discovery'> = ({ env, fleet }) => {
  const source = env.SWITCHYARD_DISCOVERY ?? 'eks';
  if (source === 'none') return undefined;
  if (source === 'eks') return eksEndpointSource(fleet.config);
  if (source === 'manifests') return manifestFolderSource(fleet);
  throw new ConfigError('SWITCHYARD_DISCOVERY', [`must be eks, manifests or none, got "${source}"`]);
};
