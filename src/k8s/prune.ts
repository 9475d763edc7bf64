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
  const out: KubeObject = { ...object };
  if (isRecord(object.metadata)) out.metadata = pruneMetadata(object.metadata);
  if ('status' in object && isRecord(object.status)) {
    const role = objectRole(object);
    const read = role === undefined ? [] : (STATUS_READ[role] ?? []);
    const status: Record<string, unknown> = {};
    for (const key of read) if (key in object.status) status[key] = object.status[key];
    if (read.length > 0) out.status = status;
    else delete out.status;
  }
  return out;
}

function pruneMetadata(metadata: NonNullable<KubeObject['metadata']>): KubeObject['metadata'] {
  const kept: Record<string, unknown> = { ...metadata };
  delete kept['managedFields'];
  if (isRecord(metadata.annotations) && typeof metadata.annotations[LAST_APPLIED_ANNOTATION] === 'string') {
    const annotations = { ...metadata.annotations };
    delete annotations[LAST_APPLIED_ANNOTATION];
    kept['annotations'] = annotations;
  }
  return kept;
}
