// postinstall: put `switchyard` in node_modules/.bin, so that `npx switchyard` runs the
// checkout's own bin shim directly. package.json deliberately has no `bin` field: with one,
// npm 10+/11 "self-executes" a local bin by installing the checkout into its npx cache, and
// that install checks `engines` (>=22.18) against the system Node (20) and prints
// EBADENGINE warnings (docs/cli.md, "Node.js versions"). Plain JavaScript: it runs on any Node.
import { chmodSync, lstatSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shim = join(root, 'bin', 'switchyard.js');
const binDir = join(root, 'node_modules', '.bin');
const link = join(binDir, 'switchyard');

mkdirSync(binDir, { recursive: true });
try {
  lstatSync(link);
  rmSync(link);
} catch {
  // no earlier link
}
symlinkSync(relative(binDir, shim), link);
chmodSync(shim, 0o755);
