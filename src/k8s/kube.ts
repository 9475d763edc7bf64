// Kubernetes objects as discovery sees them: plain JSON from the API server or from
// manifest files. Only the few fields discovery reads are typed; everything is
// checked where it is read, because manifests are user input.
import type { GatewayKind } from '../core/model.ts';

export interface KubeMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeMetadata;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

/** What discovery does with an object; `undefined` for everything it ignores. */
export type ObjectRole = GatewayKind | 'Service' | 'Namespace' | 'VirtualService';

/** The API group of an apiVersion ("" for the core group). */
export function apiGroup(apiVersion: string | undefined): string {
  if (!apiVersion || !apiVersion.includes('/')) return '';
  return apiVersion.slice(0, apiVersion.indexOf('/'));
}

/** Tetrate TSB resources live in groups such as `gateway.tsb.tetrate.io`. */
function isTetrateGroup(group: string): boolean {
  return group === 'tsb.tetrate.io' || group.endsWith('.tsb.tetrate.io');
}

export function objectRole(object: KubeObject): ObjectRole | undefined {
  const group = apiGroup(object.apiVersion);
  switch (object.kind) {
    case 'Gateway':
      if (group === 'networking.istio.io') return 'IstioGateway';
      if (group === 'gateway.networking.k8s.io') return 'Gateway';
      if (isTetrateGroup(group)) return 'TetrateGateway';
      return undefined;
    case 'IngressGateway':
      return isTetrateGroup(group) ? 'TetrateGateway' : undefined;
    case 'Tier1Gateway':
      // install.tetrate.io's Tier1Gateway deploys the gateway; only the TSB configuration publishes.
      return isTetrateGroup(group) ? 'Tier1Gateway' : undefined;
    case 'VirtualService':
      return group === 'networking.istio.io' ? 'VirtualService' : undefined;
    case 'HTTPRoute':
      return group === 'gateway.networking.k8s.io' ? 'HTTPRoute' : undefined;
    case 'Service':
      return group === '' ? 'Service' : undefined;
    case 'Namespace':
      return group === '' ? 'Namespace' : undefined;
    default:
      return undefined;
  }
}

/** kubectl's default namespace, for manifests that leave it out. */
export const DEFAULT_NAMESPACE = 'default';

export function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace || DEFAULT_NAMESPACE;
}

export function nameOf(object: KubeObject): string {
  return object.metadata?.name ?? '(unnamed)';
}

/** "namespace/name". */
export function refOf(object: KubeObject): string {
  return `${namespaceOf(object)}/${nameOf(object)}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A string-to-string map (labels, selectors), or undefined when it is not one. */
export function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') return undefined;
    out[key] = v;
  }
  return out;
}

/** True when every label of `selector` is in `labels` with the same value. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}
