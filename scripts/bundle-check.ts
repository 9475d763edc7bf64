// Builds every handler the way `sst deploy` does and reports, per handler, the bundle
// size and the AWS actions its code can call: the AWS SDK v3 commands (and paginators)
// that the project's own code imports AND that survive tree shaking into the bundle.
// `npm run check:bundles` prints the report; the contract tests (test/deploy) use the
// same functions to hold each handler under 1 MB and its calls within its grants.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_LIMIT_BYTES, ESBUILD_OPTIONS } from '../stacks/bundling.ts';

/** IAM service prefix of each AWS SDK v3 client package. */
export const SDK_SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-route-53': 'route53',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-eks': 'eks',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-lambda': 'lambda',
};

/** Operations whose IAM actions differ from their names. */
const SPECIAL_ACTIONS: Record<string, string[]> = {
  // DynamoDB authorizes each item operation inside a transaction.
  'dynamodb:TransactWriteItems': ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
  'dynamodb:TransactGetItems': ['dynamodb:GetItem'],
};

/** lib-dynamodb's document commands and the DynamoDB operations they send. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

/**
 * Actions AWS authorizes with the caller's credentials inside another call, so a bundle
 * that makes the call needs them too: Route 53 reads a CLOUDWATCH_METRIC health check's
 * alarm (cloudwatch:DescribeAlarms) when it creates or updates the check.
 */
export const IMPLIED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'route53:CreateHealthCheck': ['cloudwatch:DescribeAlarms'],
  'route53:UpdateHealthCheck': ['cloudwatch:DescribeAlarms'],
};

export interface SdkImport {
  pkg: string;
  /** Named value imports (type-only imports left out). */
  names: string[];
  /** `import * as x from pkg`: any of the package's commands may be called. */
  namespace: boolean;
}

const IMPORT = /import\s+(type\s+)?([^'";]*?)\s+from\s*['"](@aws-sdk\/[^'"]+)['"]/g;

/** The AWS SDK imports of one source file. */
export function sdkImports(source: string): SdkImport[] {
  const imports: SdkImport[] = [];
  for (const match of source.matchAll(IMPORT)) {
    if (match[1]) continue;
    const clause = match[2] ?? '';
    const pkg = match[3] ?? '';
    const braces = /\{([^}]*)\}/.exec(clause);
    const names = (braces?.[1] ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '' && !part.startsWith('type '))
      .map((part) => part.split(/\s+as\s+/)[0]!.trim());
    imports.push({ pkg, names, namespace: /\*\s+as\s+/.test(clause) });
  }
  return imports;
}

/** The operation an imported name stands for: `XCommand` and `paginateX` call X. */
export function operationOf(pkg: string, name: string): string | undefined {
  const command = /^(\w+)Command$/.exec(name)?.[1];
  if (command !== undefined) return pkg === '@aws-sdk/lib-dynamodb' ? DOCUMENT_COMMANDS[command] : command;
  const paginated = /^paginate(\w+)$/.exec(name)?.[1];
  return paginated;
}

/** IAM actions of one operation of one package. */
export function actionsOf(pkg: string, operation: string): string[] {
  const prefix = SDK_SERVICE_PREFIX[pkg];
  if (prefix === undefined) return [];
  const action = `${prefix}:${operation}`;
  return SPECIAL_ACTIONS[action] ?? [action];
}

export interface BundleReport {
  name: string;
  entry: string;
  bytes: number;
  /** AWS actions the bundled code can call, sorted. */
  actions: string[];
  /** Why the actions could not be told exactly (aggregated clients, unknown packages). */
  problems: string[];
}

const COMMAND_FILE = /node_modules\/(@aws-sdk\/[^/]+)\/dist-es\/(?:commands\/(\w+)Command|pagination\/(\w+)Paginator)\.js$/;

/** Commands and paginators whose code is in the output, by package. */
function bundledOperations(inputs: Metafile['outputs'][string]['inputs']): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const [file, info] of Object.entries(inputs)) {
    if (info.bytesInOutput === 0) continue;
    const match = COMMAND_FILE.exec(file);
    if (!match) continue;
    const pkg = match[1]!;
    const operation = match[2] !== undefined ? (pkg === '@aws-sdk/lib-dynamodb' ? DOCUMENT_COMMANDS[match[2]] : match[2]) : match[3];
    if (operation === undefined) continue;
    if (!found.has(pkg)) found.set(pkg, new Set());
    found.get(pkg)!.add(operation);
  }
  return found;
}

/** The report of one bundle output, from the project's sources in it and the SDK code in it. */
export function analyseOutput(root: string, name: string, entry: string, output: Metafile['outputs'][string]): BundleReport {
  const bundled = bundledOperations(output.inputs);
  const actions = new Set<string>();
  const problems: string[] = [];
  const ownFiles = Object.keys(output.inputs).filter((file) => !file.includes('node_modules/') && output.inputs[file]!.bytesInOutput > 0);
  for (const file of ownFiles) {
    const path = resolve(root, file);
    if (!existsSync(path)) continue;
    for (const imp of sdkImports(readFileSync(path, 'utf8'))) {
      const inBundle = bundled.get(imp.pkg) ?? new Set<string>();
      const known = SDK_SERVICE_PREFIX[imp.pkg] !== undefined;
      if (imp.namespace) {
        if (!known) problems.push(`${file}: imports all of ${imp.pkg}, whose IAM prefix is unknown (add it to SDK_SERVICE_PREFIX)`);
        for (const op of inBundle) actionsOf(imp.pkg, op).forEach((a) => actions.add(a));
      }
      for (const imported of imp.names) {
        const operation = operationOf(imp.pkg, imported);
        if (operation !== undefined) {
          if (!known) problems.push(`${file}: ${imported} from ${imp.pkg}, whose IAM prefix is unknown (add it to SDK_SERVICE_PREFIX)`);
          else if (inBundle.has(operation)) actionsOf(imp.pkg, operation).forEach((a) => actions.add(a));
        } else if (/^waitFor|^waitUntil/.test(imported)) {
          problems.push(`${file}: waiter ${imported} from ${imp.pkg} polls an operation this check cannot name; call the command in a loop instead`);
        } else if (isAggregatedClient(root, imp.pkg, imported)) {
          problems.push(`${file}: aggregated client ${imported} from ${imp.pkg} can call any operation; import the Client and the Commands it sends`);
        }
      }
    }
  }
  for (const action of [...actions]) for (const implied of IMPLIED_ACTIONS[action] ?? []) actions.add(implied);
  return { name, entry, bytes: output.bytes, actions: [...actions].sort(), problems };
}

/** `Route53`, `DynamoDB`, `DynamoDBDocument`, ...: classes with a method per operation. */
function isAggregatedClient(root: string, pkg: string, name: string): boolean {
  if (name.endsWith('Client') || name.endsWith('Exception')) return false;
  return existsSync(join(root, 'node_modules', pkg, 'dist-es', `${name}.js`));
}

/**
 * Bundles each `entries` handler (name → path relative to root) in one esbuild run with
 * SST's settings and reports size and callable actions per handler.
 */
export async function bundleHandlers(root: string, entries: Record<string, string>): Promise<BundleReport[]> {
  const absoluteRoot = resolve(root);
  const outdir = await mkdtemp(join(tmpdir(), 'switchyard-bundles-'));
  try {
    const result = await build({
      ...ESBUILD_OPTIONS,
      mainFields: [...ESBUILD_OPTIONS.mainFields],
      external: [...ESBUILD_OPTIONS.external],
      entryPoints: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, resolve(absoluteRoot, path)])),
      absWorkingDir: absoluteRoot,
      outdir,
      outExtension: { '.js': '.mjs' },
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const outputs = Object.entries(result.metafile.outputs);
    return Object.entries(entries).map(([name, entry]) => {
      const found = outputs.find(([file, output]) => output.entryPoint !== undefined && file.endsWith(`/${name}.mjs`));
      if (!found) throw new Error(`esbuild produced no output for ${name} (${entry})`);
      return analyseOutput(absoluteRoot, name, entry, found[1]);
    });
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/**
 * Actions a handler may need that no SDK command in its code shows: assuming a role goes
 * through the SDK's credential providers (nested clients), not through a Command import.
 */
export const UNDETECTABLE_ACTIONS: readonly string[] = ['sts:AssumeRole'];

/**
 * Problems of a set of bundles against the registry: too big, calls it does not declare,
 * declares actions its code cannot call (least privilege both ways), analysis gaps.
 */
export function bundleProblems(
  reports: readonly BundleReport[],
  declared: Record<string, { actions: readonly string[] }>,
  limit = BUNDLE_LIMIT_BYTES,
): string[] {
  const problems: string[] = [];
  for (const report of reports) {
    if (report.bytes >= limit) problems.push(`${report.name}: bundle is ${report.bytes} bytes, the limit is ${limit}`);
    const actions = declared[report.name]?.actions ?? [];
    for (const action of report.actions) {
      if (!actions.includes(action)) problems.push(`${report.name}: calls ${action} but FUNCTIONS.${report.name}.actions does not declare it`);
    }
    for (const action of actions) {
      if (!report.actions.includes(action) && !UNDETECTABLE_ACTIONS.includes(action)) {
        problems.push(`${report.name}: declares ${action} but its bundle has no code that calls it (remove it from FUNCTIONS.${report.name}.actions)`);
      }
    }
    problems.push(...report.problems.map((p) => `${report.name}: ${p}`));
  }
  return problems;
}

async function main(): Promise<number> {
  const root = resolve(import.meta.dirname, '..');
  const { loadRegistry } = await import('../stacks/registry.ts');
  const registry = await loadRegistry(root);
  const entries = Object.fromEntries(Object.keys(registry).map((name) => [name, `functions/${name}.ts`]));
  const reports = await bundleHandlers(root, entries);
  for (const r of reports) console.log(`${r.name.padEnd(24)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KiB  ${r.actions.join(' ') || '(no AWS calls)'}`);
  const problems = bundleProblems(reports, registry);
  for (const p of problems) console.error(`bundle-check: ${p}`);
  console.log(
    problems.length === 0
      ? `bundle-check: ${reports.length} handlers, all under ${BUNDLE_LIMIT_BYTES} bytes, every call declared`
      : `bundle-check: ${problems.length} problem(s)`,
  );
  return problems.length === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main();
}
