// Serving manifests from the fake API server the way a real one lists them.
import { RESOURCE_TYPES, resourcePath } from '../../../src/k8s/api/resources.ts';
import { objectRole, type KubeObject } from '../../../src/k8s/kube.ts';
import { readManifestFolder } from '../../../src/k8s/manifests.ts';
import type { FakeApiServer } from './fake-api-server.ts';

export const EXAMPLE_FLEET = new URL('../../../examples/fleet/', import.meta.url).pathname;

export function exampleManifests(cluster: string): Promise<KubeObject[]> {
  return readManifestFolder(`${EXAMPLE_FLEET}clusters/${cluster}`);
}

/** The list path of an object, in the first version discovery asks for. */
export function pathOf(object: KubeObject): string {
  const role = objectRole(object);
  const type = RESOURCE_TYPES.find((t) => t.role === role && t.kind === object.kind && object.apiVersion?.startsWith(t.group));
  if (!type) throw new Error(`no resource type for ${object.apiVersion} ${object.kind}`);
  return resourcePath(type, type.versions[0] as string);
}

/** Lists for every core type (empty when none) and for the custom resources present. */
export function serve(server: FakeApiServer, objects: readonly KubeObject[], resourceVersion = '1000'): void {
  const byPath = new Map<string, KubeObject[]>([
    ['/api/v1/services', []],
    ['/api/v1/namespaces', []],
  ]);
  for (const o of objects) {
    if (!objectRole(o)) continue;
    const path = pathOf(o);
    byPath.set(path, [...(byPath.get(path) ?? []), o]);
  }
  for (const [path, items] of byPath) server.setList(path, items, resourceVersion);
}

/** Waits until `check` holds (polling), failing after `ms`. */
export async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
