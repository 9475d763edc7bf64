// Paths named in fleet.yaml (clusters[].manifests, endpointsFile) stay inside the fleet
// folder, after symlinks are resolved. The lexical rule (relative, no escaping `..`) is
// pure and part of the schema (config.ts); this is the edge that asks the file system
// where a path really leads. It runs when the fleet is loaded and again before every read,
// so a symlink that changes later is caught too.
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fleetPathProblem } from '../core/config.ts';

/** True when `path` is `root` or below it (both absolute, already resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Where `path` really leads: symlinks resolved, also for parts that do not exist yet (the
 * nearest existing ancestor is resolved and the rest appended; a dangling symlink is
 * followed to its target's parent).
 */
export async function realPathOf(path: string, depth = 0): Promise<string> {
  if (depth > 40) throw new Error(`${path}: too many levels of symbolic links`);
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
  }
  const parent = dirname(path);
  if (parent === path) return path;
  let link: string | undefined;
  try {
    if ((await lstat(path)).isSymbolicLink()) link = await readlink(path);
  } catch {
    // Does not exist: resolve the parent and append the name.
  }
  if (link !== undefined) return realPathOf(resolve(await realPathOf(parent, depth + 1), link), depth + 1);
  return join(await realPathOf(parent, depth + 1), basename(path));
}

/**
 * The absolute path `path` (relative to `fleetDir`) names, after checking that it stays
 * inside the fleet folder once symlinks are resolved. Throws an Error whose message says
 * why not (the caller names the setting).
 */
export async function resolveFleetPath(fleetDir: string, path: string): Promise<string> {
  const lexical = fleetPathProblem(path);
  if (lexical) throw new Error(lexical);
  const absolute = resolve(fleetDir, path);
  const [root, real] = await Promise.all([realPathOf(fleetDir), realPathOf(absolute)]);
  if (!isInside(root, real)) throw new Error(`"${path}" leads to ${real} through a symlink, outside the fleet folder ${root}`);
  return absolute;
}
