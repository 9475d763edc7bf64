#!/usr/bin/env node
// The `switchyard` command. Switchyard targets Node.js 22+, which runs its
// TypeScript sources directly (type stripping). When started by an older
// system node, re-run under the Node 22 the project installs (devDependency `node`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'cli', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);

if (major >= 22) {
  const { main } = await import(entry);
  process.exitCode = await main(process.argv.slice(2));
} else {
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bundled)) {
    console.error(`switchyard needs Node.js 22 or newer (found ${process.version}); run \`npm install\` in ${root} first.`);
    process.exit(2);
  }
  const result = spawnSync(bundled, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
