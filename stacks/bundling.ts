// How a handler becomes its Lambda package. The stack passes SST_NODEJS to every
// function; the bundle check (scripts/bundle-check.ts) builds with ESBUILD_OPTIONS,
// which are SST 4's own Node.js build settings (pkg/runtime/node/build.go: bundle
// everything, ESM, esnext, module-first main fields, keep names, minify, the
// createRequire banner), so the size it measures is the size that is deployed.

/**
 * Every handler bundle must stay below this (1.1 MB): small packages, fast cold starts. It
 * was 1 MB until the largest handler (reconcile, 1,000,991 bytes) reached it; 120 KB of
 * every bundle is the YAML parser, because functions read the fleet as fleet.yaml. Shipping
 * the fleet as JSON resolved at deploy time would take that out (docs/deploy.md).
 */
export const BUNDLE_LIMIT_BYTES = 1_100_000;

/** SST Function `nodejs` settings (the AWS SDK is bundled, not taken from the runtime). */
export const SST_NODEJS = { format: 'esm', minify: true } as const;

/**
 * Packages SST installs beside the bundle instead of bundling them (nodejs.install): only
 * Powertools Tracer, which a function loads when the fleet turns tracing on
 * (src/lambda/tracing.ts). Bundled, it would put the largest handler over the limit.
 */
export const SST_INSTALLED: readonly string[] = ['@aws-lambda-powertools/tracer'];

/** Packages SST never bundles (native code); none of ours may need them. */
export const SST_FORCED_EXTERNALS: readonly string[] = ['sharp', 'pg-native'];

export const SST_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join('\n');

/** esbuild options equal to what `sst deploy` uses for a Node.js function. */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'esnext',
  mainFields: ['module', 'main'],
  keepNames: true,
  minify: true,
  external: [...SST_FORCED_EXTERNALS, ...SST_INSTALLED],
  banner: { js: SST_BANNER },
} as const;
