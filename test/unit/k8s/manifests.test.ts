import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestFolderUnreadable, parseManifests, readManifestFolder } from '../../../src/k8s/manifests.ts';

describe('parseManifests', () => {
  it('reads several YAML documents, skipping empty ones', () => {
    const objects = parseManifests(
      '---\napiVersion: v1\nkind: Service\nmetadata: { name: a }\n---\n---\napiVersion: v1\nkind: Service\nmetadata: { name: b }\n',
      'svc.yaml',
    );
    expect(objects.map((o) => o.metadata?.name)).toEqual(['a', 'b']);
  });

  it("flattens a kubectl List, and fills apiVersion/kind of typed lists' items", () => {
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
    const objects = parseManifests(
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }] }),
      'ns.json',
    );
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

  const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\n`;

  it('reads a ConfigMap volume: every file a symlink into ..data, itself a symlink to a hidden timestamped folder', async () => {
    await mkdir(join(dir, '..2026_12_03_09_00_00.1'));
    await writeFile(join(dir, '..2026_12_03_09_00_00.1', 'a.yaml'), service('a'));
    await writeFile(join(dir, '..2026_12_03_09_00_00.1', 'b.yaml'), service('b'));
    await symlink('..2026_12_03_09_00_00.1', join(dir, '..data'));
    await symlink('..data/a.yaml', join(dir, 'a.yaml'));
    await symlink('..data/b.yaml', join(dir, 'b.yaml'));
    expect((await readManifestFolder(dir)).map((o) => o.metadata?.name)).toEqual(['a', 'b']);
  });

  it('reads a file reached twice (directly and through a symlink) once, and walks a symlink loop once', async () => {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'a.yaml'), service('a'));
    await symlink('sub/a.yaml', join(dir, 'link.yaml'));
    await symlink('..', join(dir, 'sub', 'loop'));
    expect((await readManifestFolder(dir)).map((o) => o.metadata?.name)).toEqual(['a']);
  });

  it('names every file that cannot be used, and reads none of the folder', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'switchyard-elsewhere-'));
    try {
      await writeFile(join(elsewhere, 'x.yaml'), service('x'));
      await writeFile(join(dir, 'good.yaml'), service('good'));
      await writeFile(join(dir, 'empty.yaml'), '');
      await symlink(join(elsewhere, 'x.yaml'), join(dir, 'out.yaml'));
      await symlink(elsewhere, join(dir, 'outdir'));
      await symlink('missing.yaml', join(dir, 'nowhere.yml'));
      await symlink(join(elsewhere, 'x.yaml'), join(dir, 'notes.txt')); // not a manifest name: ignored
      const error = await readManifestFolder(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ManifestFolderUnreadable);
      expect((error as ManifestFolderUnreadable).problems).toEqual([
        { file: join(dir, 'nowhere.yml'), reason: 'a symlink that leads nowhere' },
        { file: join(dir, 'out.yaml'), reason: `a symlink to ${join(elsewhere, 'x.yaml')}, outside the manifests folder ${dir}` },
        { file: join(dir, 'outdir'), reason: `a symlink to ${elsewhere}, outside the manifests folder ${dir}` },
        { file: join(dir, 'empty.yaml'), reason: 'empty (0 bytes)' },
      ]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it.each([
    ['   \n\t\n', 'holds only white space'],
    ['# nothing yet\n---\n', 'holds no YAML document (only comments or separators)'],
  ])('holds a file with no object: %j', async (text, reason) => {
    await writeFile(join(dir, 'a.yaml'), text);
    await expect(readManifestFolder(dir)).rejects.toThrow(`${join(dir, 'a.yaml')}: ${reason}`);
  });

  it('reads an empty List as no objects, without a problem', async () => {
    await writeFile(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: List\nitems: []\n');
    expect(await readManifestFolder(dir)).toEqual([]);
  });
});
