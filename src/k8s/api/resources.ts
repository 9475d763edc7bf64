// The resource types discovery reads from an API server, and how it lists them.
import type { ObjectRole, KubeObject } from '../kube.ts';
import { KubeApiError, type KubeApi, type ListResult } from './client.ts';

export interface ResourceType {
  role: ObjectRole;
  /** "" for the core group. */
  group: string;
  /** Tried in order; the first the server serves is used. */
  versions: readonly string[];
  plural: string;
  kind: string;
  /** A custom resource that may not be installed (404 = none of them). */
  optional: boolean;
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { role: 'Service', group: '', versions: ['v1'], plural: 'services', kind: 'Service', optional: false },
  { role: 'Namespace', group: '', versions: ['v1'], plural: 'namespaces', kind: 'Namespace', optional: false },
  { role: 'IstioGateway', group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], plural: 'gateways', kind: 'Gateway', optional: true },
  { role: 'Gateway', group: 'gateway.networking.k8s.io', versions: ['v1', 'v1beta1'], plural: 'gateways', kind: 'Gateway', optional: true },
  { role: 'HTTPRoute', group: 'gateway.networking.k8s.io', versions: ['v1', 'v1beta1'], plural: 'httproutes', kind: 'HTTPRoute', optional: true },
  { role: 'TetrateGateway', group: 'gateway.tsb.tetrate.io', versions: ['v2'], plural: 'gateways', kind: 'Gateway', optional: true },
  { role: 'TetrateGateway', group: 'gateway.tsb.tetrate.io', versions: ['v2'], plural: 'ingressgateways', kind: 'IngressGateway', optional: true },
  { role: 'Tier1Gateway', group: 'gateway.tsb.tetrate.io', versions: ['v2'], plural: 'tier1gateways', kind: 'Tier1Gateway', optional: true },
  {
    role: 'VirtualService',
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    plural: 'virtualservices',
    kind: 'VirtualService',
    optional: true,
  },
];

export function resourcePath(type: ResourceType, version: string): string {
  return type.group === '' ? `/api/${version}/${type.plural}` : `/apis/${type.group}/${version}/${type.plural}`;
}

export function apiVersionOf(type: ResourceType, version: string): string {
  return type.group === '' ? version : `${type.group}/${version}`;
}

/** "plural.group", as RBAC and kubectl name it. */
export function resourceName(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

/** List items carry no apiVersion/kind; stamp them so every object classifies. */
export function stamp(object: KubeObject, type: ResourceType, version: string): KubeObject {
  return { ...object, apiVersion: object.apiVersion ?? apiVersionOf(type, version), kind: object.kind ?? type.kind };
}

export interface ServedList extends ListResult {
  /** The version listed; undefined when the resource is not installed. */
  version?: string;
}

export interface ListServedOptions {
  signal?: AbortSignal;
  /** The version served (known from an earlier list): only it is tried. */
  known?: string;
  /** What to keep of each (stamped) object, applied page by page (e.g. pruneForDiscovery). */
  keep?: (object: KubeObject) => KubeObject;
}

/**
 * Lists a resource type in its first served version. A custom resource the server
 * does not serve at all (404 for every version) is simply absent: no objects.
 */
export async function listServed(api: KubeApi, type: ResourceType, options: ListServedOptions = {}): Promise<ServedList> {
  const { signal, known, keep = (object) => object } = options;
  for (const version of known ? [known] : type.versions) {
    try {
      const result = await api.list(resourcePath(type, version), signal, (o) => keep(stamp(o, type, version)));
      return { ...result, version };
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404 && type.optional) continue;
      throw error;
    }
  }
  return { items: [], resourceVersion: '' };
}
