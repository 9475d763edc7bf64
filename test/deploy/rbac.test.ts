import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../src/k8s/api/resources.ts';
import { KUBERNETES_READER_GROUP } from '../../stacks/deployment.ts';
import { ROOT } from './helpers.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const documents = parseAllDocuments(readFileSync(join(ROOT, 'deploy/rbac.yaml'), 'utf8')).map((d) => d.toJSON() as Record<string, any>);
const role = documents.find((d) => d['kind'] === 'ClusterRole')!;
const binding = documents.find((d) => d['kind'] === 'ClusterRoleBinding')!;

describe('deploy/rbac.yaml', () => {
  it('binds the group the access entries map the control plane’s roles to', () => {
    expect(binding['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role['metadata'].name });
    expect(binding['subjects']).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: KUBERNETES_READER_GROUP }]);
  });

  it('is read-only', () => {
    for (const rule of role['rules'] as Rule[]) expect(rule.verbs.sort()).toEqual(['get', 'list', 'watch']);
  });

  it('covers every resource type discovery reads (src/k8s/api/resources.ts), and no secrets', () => {
    const can = (group: string, resource: string) => (role['rules'] as Rule[]).some((r) => r.apiGroups.includes(group) && r.resources.includes(resource));
    const missing = RESOURCE_TYPES.filter((type) => !can(type.group, type.plural)).map((type) => `${type.plural}.${type.group || 'core'}`);
    expect(missing).toEqual([]);
    expect(can('networking.istio.io', 'gateways')).toBe(true);
    expect((role['rules'] as Rule[]).flatMap((r) => r.resources)).not.toContain('secrets');
  });
});
