// The package stands alone: nothing in it imports a file outside packages/local-aws, and
// every package it imports is one its package.json declares (or a Node built-in).
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGE = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : [],
  );
}

/** Every module specifier a file names: static and dynamic imports, re-exports and require(). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  return found;
}

const packageName = (specifier: string): string => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);

describe('@switchyard/local-aws imports only itself, Node and its declared packages', () => {
  const files = [...sources(join(PACKAGE, 'src')), ...sources(join(PACKAGE, 'test'))];

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it.each(files.map((file) => [relative(PACKAGE, file), file]))('%s', (_name, file) => {
    const outside: string[] = [];
    const undeclared: string[] = [];
    for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        if (relative(PACKAGE, resolve(dirname(file), specifier)).startsWith('..')) outside.push(specifier);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const name = packageName(specifier);
        // aws-lambda is types only (@types/aws-lambda).
        const declared = name === 'aws-lambda' ? '@types/aws-lambda' : name;
        if (manifest.dependencies[declared] === undefined && manifest.devDependencies[declared] === undefined) undeclared.push(specifier);
      }
    }
    expect({ outside, undeclared }).toEqual({ outside: [], undeclared: [] });
  });
});
