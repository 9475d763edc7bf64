import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseManifests, readManifestFolder } from '../../../src/k8s/manifests.ts';

describe('parseManifests', () => {
  it('reads several YAML documents, skipping empty ones', () => {
    const objects = parseManifests('---\napiVersion: v1\nkind: Service\nmetadata: { name: a }\n---\n---\napiVersion: v1\nkind: Service\nmetadata: { name: b }\n', 'svc.yaml');
    expect(objects.map((o) => o.metadata?.name)).toEqual(['a', 'b']);
  });

  it('flattens a kubectl List, and fills apiVersion/kind of typed lists\' items', () => {
    const objects = parseManifests(
      `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Service, metadata: { name: a } }
  - apiVersion: networking.istio.io/v1
    kind: GatewayList
    items: [{ metadata: { name: nested } }]
`,
      'list.yaml',
    );
    expect(objects).toEqual([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } },
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'nested' } },
    ]);
  });

  it('reads JSON (kubectl get -o json)', () => {
    const objects = parseManifests(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }] }), 'ns.json');
    expect(objects).toHaveLength(1);
  });

  it.each([
    ['apiVersion: v1\nkind: Service\n  bad: indent\n', /^bad\.yaml line \d+: not valid YAML/],
    ['- a\n- b\n', /^bad\.yaml \(document 1\): expected a Kubernetes object, got a sequence$/],
    ['metadata: { name: x }\n', /^bad\.yaml \(document 1\): not a Kubernetes object \(apiVersion and kind are required\)$/],
  ])('names the file and the reason for %j', (text, message) => {
    expect(() => parseManifests(text, 'bad.yaml')).toThrow(message);
  });
});

describe('readManifestFolder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-manifests-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads .yaml, .yml and .json files in nested folders in name order, skipping other and hidden files', async () => {
    await mkdir(join(dir, 'b-nested'));
    await writeFile(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: a }\n');
    await writeFile(join(dir, 'b-nested', 'c.yml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: c }\n');
    await writeFile(join(dir, 'd.json'), '{"apiVersion":"v1","kind":"Service","metadata":{"name":"d"}}');
    await writeFile(join(dir, 'README.md'), '# not a manifest');
    await writeFile(join(dir, '.hidden.yaml'), 'not: [valid');
    const objects = await readManifestFolder(dir);
    expect(objects.map((o) => o.metadata?.name)).toEqual(['a', 'c', 'd']);
  });

  it('fails as a whole on one unreadable file, naming it', async () => {
    await writeFile(join(dir, 'good.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: a }\n');
    await writeFile(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: [\n');
    await expect(readManifestFolder(dir)).rejects.toThrow(`${join(dir, 'broken.yaml')}: line 3: not valid YAML`);
  });

  it('names a missing folder', async () => {
    await expect(readManifestFolder(join(dir, 'nope'))).rejects.toThrow(`${join(dir, 'nope')}: no such manifests folder`);
  });
});
