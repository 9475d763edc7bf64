// What a watcher keeps of each object it holds: only what discovery reads. An API server
// returns every object with `metadata.managedFields` (server-side apply's field owners)
// and, for anything applied with `kubectl apply`, the
// `kubectl.kubernetes.io/last-applied-configuration` annotation (a JSON copy of the
// object): together often several times the object discovery needs. `status` is written
// by controllers and discovery reads only three parts of it. Dropping the rest keeps the
// agent's memory proportional to what it uses (docs/agent.md, "Memory").
//
// A new field read by discovery (src/k8s/parse/) must be kept here: test/unit/k8s/prune.test.ts
// checks that discovery's results are the same with and without pruning.
import { isRecord, objectRole, type KubeObject, type ObjectRole } from './kube.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The parts of `status` discovery reads, by role (src/k8s/parse/entry-point.ts, gateway-api.ts). */
const STATUS_READ: Partial<Record<ObjectRole, readonly string[]>> = {
  // the load balancer's hostname
  Service: ['loadBalancer'],
  // Gateway API: the addresses its implementation published
  Gateway: ['addresses'],
  // the parents' Accepted conditions
  HTTPRoute: ['parents'],
};

/**
 * A copy of `object` without what discovery never reads: `metadata.managedFields`, the
 * last-applied annotation, and `status` except the parts STATUS_READ names. A field whose
 * shape is not the API server's (a non-object `metadata` or `status`, a non-string
 * annotation) is kept as it is, so discovery reports it as before.
 */
export function pruneForDiscovery(object: KubeObject): KubeObject {
  const role = objectRole(object);
  const out: KubeObject = {};
  // Copies, never `delete`: an object that lost a property becomes a hash table in V8,
  // several times its size. A `__proto__` key (JSON can have one) is no Kubernetes field.
  for (const [key, value] of Object.entries(object)) {
    if (key === '__proto__') continue;
    if (key === 'metadata' && isRecord(value)) out.metadata = pruneMetadata(value);
    else if (key === 'status' && isRecord(value)) {
      const read = role === undefined ? [] : (STATUS_READ[role] ?? []);
      if (read.length > 0) out.status = pick(value, read);
    } else out[key] = value;
  }
  return out;
}

function pruneMetadata(metadata: Record<string, unknown>): KubeObject['metadata'] {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'managedFields' || key === '__proto__') continue;
    out[key] = key === 'annotations' && isRecord(value) && typeof value[LAST_APPLIED_ANNOTATION] === 'string' ? omit(value, LAST_APPLIED_ANNOTATION) : value;
  }
  return out;
}

function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (Object.hasOwn(record, key)) out[key] = record[key];
  return out;
}

function omit(record: Record<string, unknown>, dropped: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (key !== dropped && key !== '__proto__') out[key] = value;
  return out;
}
