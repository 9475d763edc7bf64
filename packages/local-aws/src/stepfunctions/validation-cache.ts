// Remembers which ASL definitions asl-validator found valid, so a definition is checked
// once, not at every start. asl-validator builds a new Ajv and compiles its schemas on
// every call (~200 ms warm, ~1 s cold per definition): deploying the seven workflows cost
// 2–3 s of every runtime start and of every end-to-end test that starts one.
//
// A verdict is a pure function of the definition and the validator, so the key is a hash
// of both: the definition's JSON text and the versions of asl-validator and the packages
// that decide (ajv, ajv-formats, asl-path-validator), and the options. Only "valid" is
// remembered; an invalid definition is validated every time (its errors are reported).
// Kept in memory for the process and on disk in `node_modules/.cache/switchyard/asl/`
// (one empty file per valid key, where tools keep their caches), so other processes —
// the next start, every test worker — skip it too. LOCAL_AWS_ASL_CACHE=off turns the
// disk part off; LOCAL_AWS_ASL_CACHE=<folder> puts it elsewhere. Disk errors only cost
// the saving, never a verdict.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

/** The packages whose versions decide a verdict. */
const DECIDING_PACKAGES = ['asl-validator', 'ajv', 'ajv-formats', 'asl-path-validator'];

export interface ValidationCache {
  /** True when this definition text was found valid before (in this process or on disk). */
  isKnownValid(definitionText: string): boolean;
  rememberValid(definitionText: string): void;
}

/** `folder` undefined: memory only. `salt`: what else decides the verdict (versions, options). */
export function validationCache(options: { folder: string | undefined; salt: string }): ValidationCache {
  const known = new Set<string>();
  const keyOf = (text: string) => createHash('sha256').update(options.salt).update('\n').update(text).digest('hex');
  let folderReady = false;
  return {
    isKnownValid(text) {
      const key = keyOf(text);
      if (known.has(key)) return true;
      if (options.folder === undefined) return false;
      try {
        if (!statSync(join(options.folder, key)).isFile()) return false;
      } catch {
        return false;
      }
      known.add(key);
      return true;
    },
    rememberValid(text) {
      const key = keyOf(text);
      known.add(key);
      if (options.folder === undefined) return;
      try {
        if (!folderReady) mkdirSync(options.folder, { recursive: true });
        folderReady = true;
        writeFileSync(join(options.folder, key), '');
      } catch {
        // A read-only or missing node_modules: remembered for this process only.
      }
    },
  };
}

/** Versions of the deciding packages as installed next to asl-validator ("?" when unreadable). */
function decidingVersions(): { versions: string; nodeModules: string | undefined } {
  const require = createRequire(import.meta.url);
  let nodeModules: string | undefined;
  const versions = DECIDING_PACKAGES.map((name) => {
    try {
      const from = name === 'asl-validator' ? require : createRequire(require.resolve('asl-validator'));
      const main = from.resolve(name);
      const root = main.slice(0, main.lastIndexOf(`${sep}node_modules${sep}`) + `${sep}node_modules${sep}`.length + name.length);
      if (name === 'asl-validator') nodeModules = dirname(root);
      const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
      return `${name}@${String(version)}`;
    } catch {
      return `${name}@?`;
    }
  });
  return { versions: versions.join(' '), nodeModules };
}

const shared = new Map<string, ValidationCache>();

/** The process-wide cache of asl-validator verdicts under the validator options `optionsKey`. */
export function aslValidationCache(optionsKey: string): ValidationCache {
  let cache = shared.get(optionsKey);
  if (cache === undefined) {
    const { versions, nodeModules } = decidingVersions();
    const setting = process.env['LOCAL_AWS_ASL_CACHE'];
    const folder =
      setting === 'off'
        ? undefined
        : setting !== undefined && setting !== ''
          ? setting
          : nodeModules === undefined
            ? undefined
            : join(nodeModules, '.cache', 'switchyard', 'asl');
    cache = validationCache({ folder, salt: `${versions} ${optionsKey}` });
    shared.set(optionsKey, cache);
  }
  return cache;
}
