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
// The same floor as package.json's `engines`: 22.18 is the first Node 22 that strips
// types by default.
const [major, minor] = process.versions.node.split('.').map(Number);
const canRunSources = major > 22 || (major === 22 && minor >= 18);

if (canRunSources) {
  const { main } = await import(entry);
  process.exitCode = await main(process.argv.slice(2));
} else {
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bundled)) {
    console.error(`switchyard needs Node.js 22.18 or newer (found ${process.version}); run \`npm install\` in ${root} first.`);
    process.exit(2);
  }
  const result = spawnSync(bundled, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
