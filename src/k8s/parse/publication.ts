// What each kind parser returns: the hostnames one resource declares, before the
// cluster-wide checks (valid name, domain filter, canary, duplicates). Pure.
import * as z from 'zod';
import { parseAnnotations } from '../../core/annotations.ts';
import { formatZodIssues } from '../../core/config.ts';
import type { ForwardTarget } from '../../core/edge-discovery.ts';
import type { GatewayKind, RoutingAnnotations } from '../../core/model.ts';
import { refOf, type KubeObject } from '../kube.ts';
import type { EntryPointResult } from './entry-point.ts';

export interface Publication {
  kind: GatewayKind;
  /** "namespace/name" of the resource. */
  ref: string;
  /** Hostnames as declared (host part only), in order, without duplicates. */
  hosts: string[];
  annotations: RoutingAnnotations;
  entryPoint: EntryPointResult;
  /** For an HTTPRoute: the Gateway ("namespace/name") it is attached through. */
  parent?: string;
  resourceVersion?: string;
  /** A resource that forwards by itself (Tier1Gateway): each declared host's targets. */
  forwards?: Array<{ host: string; targets: ForwardTarget[] }>;
}

/** Kinds whose problems discovery reports: the publishing kinds, and an edge's routes. */
export type ResourceKind = GatewayKind | 'VirtualService';

export interface ResourceProblem {
  kind: ResourceKind;
  ref: string;
  reason: string;
}

export interface ParsedResources {
  publications: Publication[];
  problems: ResourceProblem[];
}

/** `switchyard.io/` annotations of a resource; bad values become problems and are ignored. */
export function readAnnotations(object: KubeObject, kind: ResourceKind): { annotations: RoutingAnnotations; problems: ResourceProblem[] } {
  const { annotations, problems } = parseAnnotations(object.metadata?.annotations);
  return { annotations, problems: problems.map((reason) => ({ kind, ref: refOf(object), reason: `ignored annotation ${reason}` })) };
}

/** Checks a resource's shape; a failure is one problem naming the fields. */
export function checkShape<T>(schema: z.ZodType<T>, object: KubeObject, kind: ResourceKind): { value: T } | { problem: ResourceProblem } {
  const result = schema.safeParse(object);
  if (result.success) return { value: result.data };
  return { problem: { kind, ref: refOf(object), reason: `malformed ${kind}: ${formatZodIssues(result.error).join('; ')}` } };
}

export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

export function resourceVersionOf(object: KubeObject): { resourceVersion?: string } {
  const rv = object.metadata?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? { resourceVersion: rv } : {};
}

/** Every resource needs a name; annotations, when present, must be strings. */
export const metadataSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
