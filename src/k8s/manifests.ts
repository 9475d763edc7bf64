// Manifest files as `kubectl get -o yaml` writes them (one object, a `List`, or
// several YAML documents) → Kubernetes objects. Parsing is pure; reading a folder is
// the edge. A file that cannot be read or parsed fails the whole folder: a partial
// read would look like deleted resources, and deletions must only come from a
// complete picture.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InvalidInput, errorMessage } from '../core/errors.ts';
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

/** Every manifest under `dir` (recursively, in name order). Throws InvalidInput naming the file. */
export async function readManifestFolder(dir: string): Promise<KubeObject[]> {
  const files = await manifestFiles(dir);
  const objects: KubeObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new InvalidInput(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`, { file }, error);
    }
    objects.push(...parseManifests(text, file));
  }
  return objects;
}

async function manifestFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInput(`${dir}: ${code === 'ENOENT' ? 'no such manifests folder' : `cannot read: ${code ?? errorMessage(error)}`}`, { dir }, error);
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await manifestFiles(path)));
    else if (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}
