// Manifest files as `kubectl get -o yaml` writes them (one object, a `List`, or
// several YAML documents) → Kubernetes objects. Parsing is pure; reading a folder is
// the edge. A file that cannot be used (unreadable, empty, a symlink out of the folder,
// not YAML, not Kubernetes objects) fails the whole folder: a partial read would look
// like deleted resources, and deletions must only come from a complete picture. What a
// valid object says is judged later, per resource (src/k8s/parse).
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InvalidInput, errorMessage } from '../core/errors.ts';
import { isInside, resolveFleetPath } from '../fleet/fleet-paths.ts';
import { isRecord, type KubeObject } from './kube.ts';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The objects in one manifest file's text; `file` only names the input in errors. */
export function parseManifests(text: string, file: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const [index, document] of parseAllDocuments(text, { prettyErrors: true }).entries()) {
    const error = document.errors[0];
    if (error) {
      const line = error.linePos ? ` line ${error.linePos[0].line}` : '';
      throw new InvalidInput(`${file}${line}: not valid YAML: ${error.message.split('\n')[0]}`, { file });
    }
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    objects.push(...flatten(value, `${file} (document ${index + 1})`));
  }
  return objects;
}

/**
 * A `List` (kind List or any `...List` with items) becomes its items. Items of a typed
 * list (e.g. GatewayList) may leave out apiVersion/kind: they take the list's.
 */
function flatten(raw: unknown, where: string, defaults: { apiVersion?: string; kind?: string } = {}): KubeObject[] {
  if (!isRecord(raw)) throw new InvalidInput(`${where}: expected a Kubernetes object, got ${Array.isArray(raw) ? 'a sequence' : typeof raw}`);
  const value: Record<string, unknown> = { ...raw, apiVersion: raw['apiVersion'] ?? defaults.apiVersion, kind: raw['kind'] ?? defaults.kind };
  const kind = value['kind'];
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value['items'])) {
    const items: unknown[] = value['items'];
    const apiVersion = typeof value['apiVersion'] === 'string' ? value['apiVersion'] : undefined;
    const itemDefaults = kind === 'List' ? {} : { ...(apiVersion ? { apiVersion } : {}), kind: kind.slice(0, -'List'.length) };
    return items.flatMap((item, i) => flatten(item, `${where} items[${i}]`, itemDefaults));
  }
  if (typeof kind !== 'string' || typeof value['apiVersion'] !== 'string') {
    throw new InvalidInput(`${where}: not a Kubernetes object (apiVersion and kind are required)`);
  }
  return [value as KubeObject];
}

/** A manifest file that cannot be used, and why. */
export interface ManifestFileProblem {
  file: string;
  reason: string;
}

/**
 * A manifests folder with files that cannot be used: the folder's picture is incomplete,
 * so the cluster is held (its records stay as they are). Lists every such file.
 */
export class ManifestFolderUnreadable extends InvalidInput {
  readonly problems: ManifestFileProblem[];

  constructor(dir: string, problems: ManifestFileProblem[]) {
    super(`${dir}: ${problems.map((p) => `${p.file}: ${p.reason}`).join('; ')}`, { dir, problems });
    this.problems = problems;
  }
}

/** A manifest file larger than this is refused (an API server refuses objects over 1.5 MiB). */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/**
 * The absolute manifests folder of a cluster (`manifests`, relative to the fleet folder),
 * checked to stay inside the fleet folder once symlinks are resolved.
 */
export async function manifestFolderPath(fleetDir: string, manifests: string): Promise<string> {
  try {
    return await resolveFleetPath(fleetDir, manifests);
  } catch (error) {
    throw new InvalidInput(`manifests: ${errorMessage(error)}`, { manifests }, error);
  }
}

/**
 * Every manifest under `dir` (recursively, in name order). Hidden entries (`.name`) are
 * not walked; symlinks are followed when they resolve inside `dir` (a ConfigMap volume:
 * `a.yaml -> ..data/a.yaml`, `..data -> ..2024_01_01...`). Any file that cannot be used
 * — unreadable, a symlink leading out of the folder or nowhere, not a regular file, empty,
 * not UTF-8, not YAML, not Kubernetes objects — fails the whole folder with
 * ManifestFolderUnreadable naming each one; a folder that cannot be read throws InvalidInput.
 */
export async function readManifestFolder(dir: string): Promise<KubeObject[]> {
  const root = await folderRoot(dir);
  const problems: ManifestFileProblem[] = [];
  const files = await manifestFiles(dir, { root, problems, visited: new Set([root]) });
  const objects: KubeObject[] = [];
  const read = new Set<string>();
  for (const { path, real } of files) {
    if (read.has(real)) continue;
    read.add(real);
    const result = await readManifestFile(path);
    if ('reason' in result) problems.push({ file: path, reason: result.reason });
    else objects.push(...result.objects);
  }
  if (problems.length > 0) throw new ManifestFolderUnreadable(dir, problems);
  return objects;
}

async function folderRoot(dir: string): Promise<string> {
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new InvalidInput(`${dir}: not a folder`, { dir });
  } catch (error) {
    if (error instanceof InvalidInput) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInput(`${dir}: ${code === 'ENOENT' ? 'no such manifests folder' : `cannot read: ${code ?? errorMessage(error)}`}`, { dir }, error);
  }
  return root;
}

async function readManifestFile(file: string): Promise<{ objects: KubeObject[] } | { reason: string }> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (info.size > MAX_MANIFEST_BYTES) return { reason: `${info.size} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest file may have` };
    bytes = await readFile(file);
  } catch (error) {
    return { reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}` };
  }
  if (bytes.length === 0) return { reason: 'empty (0 bytes)' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { reason: 'not UTF-8 text' };
  }
  let objects: KubeObject[];
  try {
    objects = parseManifests(text, file);
  } catch (error) {
    const message = errorMessage(error);
    return { reason: message.startsWith(file) ? message.slice(file.length).replace(/^:?\s*/, '') : `cannot be parsed: ${message}` };
  }
  if (objects.length === 0 && !hasDocument(text))
    return { reason: text.trim() === '' ? 'holds only white space' : 'holds no YAML document (only comments or separators)' };
  return { objects };
}

/** True when some document of the text has content (an empty `List` has; a comment has not). */
function hasDocument(text: string): boolean {
  return parseAllDocuments(text).some((document) => document.toJS({ maxAliasCount: 100 }) != null);
}

interface Walk {
  /** The manifests folder, symlinks resolved: nothing outside it is read. */
  root: string;
  problems: ManifestFileProblem[];
  /** Real paths of the folders walked (a symlink loop is walked once). */
  visited: Set<string>;
}

const isManifestName = (name: string) => MANIFEST_EXTENSIONS.has(extname(name).toLowerCase());

async function manifestFiles(dir: string, walk: Walk): Promise<Array<{ path: string; real: string }>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    walk.problems.push({ file: dir, reason: `cannot read the folder: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}` });
    return [];
  }
  const files: Array<{ path: string; real: string }> = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    let real: string;
    let info: { isDirectory(): boolean; isFile(): boolean };
    try {
      real = await realpath(path);
      info = entry.isSymbolicLink() ? await stat(real) : entry;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (isManifestName(entry.name))
        walk.problems.push({ file: path, reason: code === 'ENOENT' ? 'a symlink that leads nowhere' : `cannot follow: ${code ?? errorMessage(error)}` });
      continue;
    }
    if (!isInside(walk.root, real)) {
      if (info.isDirectory() || isManifestName(entry.name))
        walk.problems.push({ file: path, reason: `a symlink to ${real}, outside the manifests folder ${walk.root}` });
      continue;
    }
    if (info.isDirectory()) {
      if (walk.visited.has(real)) continue;
      walk.visited.add(real);
      files.push(...(await manifestFiles(path, walk)));
    } else if (isManifestName(entry.name)) {
      if (info.isFile()) files.push({ path, real });
      else walk.problems.push({ file: path, reason: 'not a regular file' });
    }
  }
  return files;
}
