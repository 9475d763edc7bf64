// The agent's packaging (deploy/agent/), checked offline: every manifest of the kustomize
// base validates against the Kubernetes OpenAPI schemas (kubernetes-models: the schemas
// and an ajv validator, shipped in the npm package), the parts fit together (labels,
// service account, RBAC covering exactly what discovery reads), the Pod is locked down,
// and the Dockerfile is linted structurally (no Docker engine here to build it).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { RESOURCE_TYPES } from '../../src/k8s/api/resources.ts';
import { AGENT_NODE_FLAGS } from '../../scripts/agent-bundle.ts';

const AGENT = new URL('../../deploy/agent/', import.meta.url).pathname;
const BASE = join(AGENT, 'base');

type Doc = Record<string, any>;

/** The schema-checked model of each kind in the base. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

async function yamlDocs(path: string): Promise<Doc[]> {
  const docs = parseAllDocuments(await readFile(path, 'utf8'));
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
  return docs.map((d) => d.toJSON() as Doc).filter((d) => d !== null);
}

function validate(doc: Doc): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`${doc.apiVersion} ${doc.kind}: no schema known for it`);
  new Model(doc).validate();
}

async function base(): Promise<{ files: string[]; docs: Doc[]; kustomization: Doc }> {
  const kustomization = (await yamlDocs(join(BASE, 'kustomization.yaml')))[0] as Doc;
  const files = kustomization.resources as string[];
  const docs = (await Promise.all(files.map((f) => yamlDocs(join(BASE, f))))).flat();
  return { files, docs, kustomization };
}

const one = (docs: Doc[], kind: string) => docs.find((d) => d.kind === kind) as Doc;

describe('deploy/agent kustomize base', () => {
  it('lists every manifest of the folder, and each validates against the Kubernetes OpenAPI schemas', async () => {
    // Prepare
    const { files, docs } = await base();
    const inFolder = (await readdir(BASE)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    // Assess
    expect([...files].sort()).toEqual(inFolder.sort());
    expect(docs.map((d) => d.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Namespace', 'PodDisruptionBudget', 'ServiceAccount']);
    for (const doc of docs) expect(() => validate(doc), `${doc.kind} ${doc.metadata?.name}`).not.toThrow();
  });

  it('the validator refuses what the API server would refuse', async () => {
    // Prepare
    const deployment = one((await base()).docs, 'Deployment');
    const bad = [
      { ...deployment, spec: { ...deployment.spec, replicas: 'one' } },
      { ...deployment, spec: { ...deployment.spec, selector: undefined } },
      {
        ...deployment,
        spec: { ...deployment.spec, template: { ...deployment.spec.template, spec: { ...deployment.spec.template.spec, containers: [{ image: 'x' }] } } },
      },
    ];
    // Assess
    for (const doc of bad) expect(() => validate(doc)).toThrow();
  });

  it('fits together: labels, selectors, service account and binding', async () => {
    const { docs } = await base();
    const deployment = one(docs, 'Deployment');
    const labels = deployment.spec.template.metadata.labels;
    for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) expect(labels[key]).toBe(value);
    expect(one(docs, 'PodDisruptionBudget').spec.selector).toEqual(deployment.spec.selector);
    expect(deployment.spec.template.spec.serviceAccountName).toBe(one(docs, 'ServiceAccount').metadata.name);
    const binding = one(docs, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: one(docs, 'ClusterRole').metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'switchyard-agent', namespace: one(docs, 'Namespace').metadata.name }]);
    // One replica (two would send every change twice), and a PDB that never blocks a node drain.
    expect(deployment.spec.replicas).toBe(1);
    expect(one(docs, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
  });

  it('the ClusterRole only reads, and reads exactly what discovery lists and watches', async () => {
    const rules = one((await base()).docs, 'ClusterRole').rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    for (const rule of rules) expect([...rule.verbs].sort()).toEqual(['get', 'list', 'watch']);
    const granted = new Set(rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`))));
    const needed = new Set(RESOURCE_TYPES.map((t) => `${t.group}/${t.plural}`));
    expect(granted).toEqual(needed);
  });

  it('the Pod runs locked down: non-root, read-only root filesystem, no privileges, probes and resources set', async () => {
    const spec = one((await base()).docs, 'Deployment').spec.template.spec;
    const container = spec.containers[0];
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(10);
  });

  it('the example overlay builds on the base and generates the fleet ConfigMap the Deployment mounts', async () => {
    const overlay = (await yamlDocs(join(AGENT, 'overlays', 'example', 'kustomization.yaml')))[0] as Doc;
    const deployment = one((await base()).docs, 'Deployment');
    expect(overlay.resources).toEqual(['../../base']);
    expect(overlay.configMapGenerator.map((g: Doc) => g.name)).toContain(deployment.spec.template.spec.volumes[0].configMap.name);
    expect(overlay.images[0].name).toBe(deployment.spec.template.spec.containers[0].image.split(':')[0]);
  });
});

describe('deploy/agent/Dockerfile (structural lint)', () => {
  const stages = async () => {
    const text = await readFile(join(AGENT, 'Dockerfile'), 'utf8');
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const out: Array<{ from: string; lines: string[] }> = [];
    for (const line of lines) {
      if (/^FROM\s/i.test(line)) out.push({ from: line, lines: [] });
      else out.at(-1)?.lines.push(line);
    }
    return { lines, stages: out };
  };

  it('is multi-stage, on a Node 22 slim or distroless base, pinned to a tag', async () => {
    const { stages: all } = await stages();
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) expect(stage.from).toMatch(/^FROM\s+\S+:\S+/);
    for (const stage of all) expect(stage.from).not.toMatch(/:latest\b/);
    expect(all.at(-1)!.from).toMatch(/distroless\/nodejs22|node:22[\w.-]*-slim/);
  });

  it('runs the one bundle as a non-root user, and fetches nothing by URL', async () => {
    const { lines, stages: all } = await stages();
    const final = all.at(-1)!;
    const user = final.lines.filter((l) => /^USER\s/i.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/i);
    expect(final.lines.filter((l) => /^COPY\s/i.test(l))).toEqual([expect.stringMatching(/--from=build\b.*agent\.mjs/)]);
    expect(final.lines.find((l) => /^ENTRYPOINT/i.test(l))).toContain('agent.mjs');
    expect(lines.filter((l) => /^ADD\s/i.test(l))).toEqual([]);
    expect(lines.some((l) => /\b(curl|wget)\b/.test(l))).toBe(false);
  });

  it('runs Node with the settings the memory figure is measured with', async () => {
    const { stages: all } = await stages();
    const entrypoint = all.at(-1)!.lines.find((l) => /^ENTRYPOINT\s/i.test(l))!;
    expect(JSON.parse(entrypoint.replace(/^ENTRYPOINT\s+/i, ''))).toEqual(['/nodejs/bin/node', ...AGENT_NODE_FLAGS, '/app/agent.mjs']);
    // Node refuses some of them (--no-opt) in NODE_OPTIONS: the agent would not start.
    expect(all.at(-1)!.lines.filter((l) => /NODE_OPTIONS/.test(l))).toEqual([]);
  });
});
