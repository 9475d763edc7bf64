// The layering rules of docs/architecture.md, checked on every import of the product's
// source: each file belongs to one layer by its folder, and may import only the layers
// (and outside packages) its layer allows. A new folder must be given a layer here.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

type Layer = 'core' | 'app' | 'adapter' | 'entry' | 'web' | 'workflows' | 'infra' | 'emulator' | 'tool';

/** Folder (or file) → layer; the longest matching prefix wins. */
const LAYERS: ReadonlyArray<[string, Layer]> = [
  ['src/core/', 'core'],
  ['src/app/', 'app'],
  ['src/aws/', 'adapter'],
  ['src/k8s/', 'adapter'],
  ['src/fleet/', 'adapter'],
  ['functions/', 'entry'],
  ['src/lambda/', 'entry'],
  ['src/cli/', 'entry'],
  ['src/local/', 'entry'],
  ['src/agent/', 'entry'],
  ['src/dashboard/', 'entry'],
  ['src/dashboard/web/', 'web'],
  ['src/workflows/', 'workflows'],
  ['stacks/', 'infra'],
  ['sst.config.ts', 'infra'],
  ['packages/local-aws/src/', 'emulator'],
  ['scripts/', 'tool'],
  ['bin/', 'tool'],
];

/** Which layers each layer may import (its own always). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  core: [],
  app: ['core'],
  adapter: ['core'],
  entry: ['core', 'app', 'adapter', 'workflows'],
  web: [],
  workflows: ['core'],
  infra: ['core', 'workflows', 'adapter'],
  emulator: [],
  tool: ['core', 'app', 'adapter', 'entry', 'workflows', 'infra'],
};

/** Single files a layer may import outside MAY_IMPORT, each with its reason. */
const ALSO: Partial<Record<Layer, ReadonlyArray<[string, string]>>> = {
  infra: [['functions/index.ts', 'the FUNCTIONS registry: what each function does and the IAM actions it calls']],
  web: [['src/dashboard/model.ts', 'the JSON shapes the dashboard server sends its page (types only)']],
};

/** Outside packages: the core and the use cases import no I/O (no SDK, no file system, no network). */
const PURE_PACKAGES = ['zod', 'yaml', 'node:path', 'node:crypto'];
/** The page runs in the browser: its chart and graph layout libraries, nothing of Node. */
const WEB_PACKAGES = ['uplot', '@dagrejs/dagre'];
const PACKAGES_ALLOWED: Partial<Record<Layer, readonly string[]>> = { core: PURE_PACKAGES, app: PURE_PACKAGES, workflows: PURE_PACKAGES, web: WEB_PACKAGES };

/** The emulator package, by its npm name: only entry points (and tests) use it. */
const EMULATOR_PACKAGE = '@switchyard/local-aws';
const MAY_USE_EMULATOR: readonly Layer[] = ['entry', 'tool', 'emulator'];

function layerOf(file: string): Layer | undefined {
  let best: [string, Layer] | undefined;
  for (const entry of LAYERS) if ((file === entry[0] || file.startsWith(entry[0])) && (!best || entry[0].length > best[0].length)) best = entry;
  return best?.[1];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(?\s*['"]([^'"]+)['"]/g;

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

function packageName(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier.split('/')[0] as string;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** Every import against the rules, as "file → import: why". */
function violations(files: readonly string[], read: (file: string) => string[] = importsOf): string[] {
  const found: string[] = [];
  for (const file of files) {
    const layer = layerOf(file);
    if (layer === undefined) {
      found.push(`${file}: belongs to no layer (add its folder to LAYERS in test/unit/architecture/layers.test.ts and to docs/architecture.md)`);
      continue;
    }
    for (const specifier of read(file)) {
      if (specifier.startsWith('.')) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), specifier))
          .split(sep)
          .join('/');
        const targetLayer = layerOf(target);
        if (layer === 'emulator') {
          if (!target.startsWith('packages/local-aws/')) found.push(`${file} → ${specifier}: the emulator package imports nothing outside itself`);
          continue;
        }
        if (targetLayer === layer) continue;
        if (ALSO[layer]?.some(([allowed]) => allowed === target)) continue;
        if (targetLayer === undefined || !MAY_IMPORT[layer].includes(targetLayer)) {
          found.push(`${file} → ${specifier}: ${layer} may not import ${targetLayer ?? target} (allowed: ${[layer, ...MAY_IMPORT[layer]].join(', ')})`);
        }
        continue;
      }
      const name = packageName(specifier);
      if (name === EMULATOR_PACKAGE) {
        if (!MAY_USE_EMULATOR.includes(layer)) found.push(`${file} → ${specifier}: only entry points use the emulator package`);
        continue;
      }
      if (name.startsWith('@switchyard/')) {
        found.push(`${file} → ${specifier}: no Switchyard package but the emulator exists`);
        continue;
      }
      const allowed = PACKAGES_ALLOWED[layer];
      if (allowed !== undefined && !allowed.includes(name))
        found.push(`${file} → ${specifier}: ${layer} imports no I/O package (allowed: ${allowed.join(', ')})`);
    }
  }
  return found;
}

const PRODUCT = ['src', 'functions', 'stacks', 'scripts', 'bin', 'packages/local-aws/src'].flatMap((dir) => sourceFiles(dir)).concat(['sst.config.ts']);

describe('layering (docs/architecture.md)', () => {
  it('finds the product source', () => {
    expect(PRODUCT.filter((f) => f.startsWith('src/core/')).length).toBeGreaterThan(20);
    expect(PRODUCT.filter((f) => f.startsWith('packages/local-aws/src/')).length).toBeGreaterThan(20);
    expect(PRODUCT).toContain('src/dashboard/web/main.ts');
  });

  it('has no import against the flow', () => {
    expect(PRODUCT.flatMap((f) => importsOf(f)).filter((s) => s.startsWith('.')).length).toBeGreaterThan(500);
    expect(importsOf('src/app/dns/route53-dns.ts')).toContain('./pipeline.ts');
    expect(violations(PRODUCT)).toEqual([]);
  });

  it('fails on an import against the flow, naming the file, the import and the rule', () => {
    const edges: Record<string, string[]> = {
      'src/core/a.ts': ['./b.ts', '../app/tasks/x.ts', 'node:fs/promises', 'zod'],
      'src/app/dns/a.ts': ['../../core/ports.ts', '../../aws/route53.ts', '@aws-sdk/client-route-53'],
      'src/aws/a.ts': ['../k8s/b.ts', '../app/dns/sync.ts', '@switchyard/local-aws/route53/service'],
      'src/cli/a.ts': ['../app/dns/sync.ts', '../aws/route53.ts', '@switchyard/local-aws/platform', '../../stacks/deployment.ts'],
      'packages/local-aws/src/route53/a.ts': ['../errors.ts', '../../../../src/core/errors.ts'],
      'stacks/a.ts': ['../src/core/asl.ts', '../functions/index.ts', '../src/app/tasks/index.ts'],
      'src/dashboard/web/a.ts': ['./b.ts', '../model.ts', '../service.ts', 'uplot', 'node:fs'],
      'src/elsewhere/a.ts': [],
    };
    expect(violations(Object.keys(edges), (file) => edges[file] ?? [])).toEqual([
      'src/core/a.ts → ../app/tasks/x.ts: core may not import app (allowed: core)',
      'src/core/a.ts → node:fs/promises: core imports no I/O package (allowed: zod, yaml, node:path, node:crypto)',
      'src/app/dns/a.ts → ../../aws/route53.ts: app may not import adapter (allowed: app, core)',
      'src/app/dns/a.ts → @aws-sdk/client-route-53: app imports no I/O package (allowed: zod, yaml, node:path, node:crypto)',
      'src/aws/a.ts → ../app/dns/sync.ts: adapter may not import app (allowed: adapter, core)',
      'src/aws/a.ts → @switchyard/local-aws/route53/service: only entry points use the emulator package',
      'src/cli/a.ts → ../../stacks/deployment.ts: entry may not import infra (allowed: entry, core, app, adapter, workflows)',
      'packages/local-aws/src/route53/a.ts → ../../../../src/core/errors.ts: the emulator package imports nothing outside itself',
      'stacks/a.ts → ../src/app/tasks/index.ts: infra may not import app (allowed: infra, core, workflows, adapter)',
      'src/dashboard/web/a.ts → ../service.ts: web may not import entry (allowed: web)',
      'src/dashboard/web/a.ts → node:fs: web imports no I/O package (allowed: uplot, @dagrejs/dagre)',
      'src/elsewhere/a.ts: belongs to no layer (add its folder to LAYERS in test/unit/architecture/layers.test.ts and to docs/architecture.md)',
    ]);
  });
});
