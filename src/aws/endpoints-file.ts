// Published endpoints from a YAML file in the fleet folder (`endpointsFile` in
// fleet.yaml), until discovery of Gateway resources is used. The file is a list of
// { hostname, cluster, gateway?, kind?, entryPoint?, annotations? }. Its shape is
// validated (an error names the file and the path inside it and nothing changes);
// bad `switchyard.io/` annotations are problems of that entry only: the entry keeps
// its valid annotations and the others are unaffected.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { parseAnnotations } from '../core/annotations.ts';
import { formatZodIssues, selectClusters, type FleetConfig } from '../core/config.ts';
import type { LoadedFleet } from '../fleet/fleet-file.ts';
import { ConfigError, errorMessage } from '../core/errors.ts';
import { resolveFleetPath } from '../fleet/fleet-paths.ts';
import type { GatewayKind, Problem, PublishedEndpoint } from '../core/model.ts';
import type { EndpointList, EndpointSource } from '../core/ports.ts';

const GATEWAY_KINDS = ['Gateway', 'IstioGateway', 'HTTPRoute', 'TetrateGateway', 'Tier1Gateway'] as const satisfies readonly GatewayKind[];

const hostname = z
  .string()
  .min(1)
  .max(253)
  .transform((s) => s.toLowerCase().replace(/\.$/, ''))
  .refine((s) => /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s), { message: 'not a valid DNS name' });

const entrySchema = z.strictObject({
  hostname,
  cluster: z.string().min(1),
  /** "namespace/name" of the resource that publishes the hostname. */
  gateway: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be "namespace/name"')
    .optional(),
  kind: z.enum(GATEWAY_KINDS).default('Gateway'),
  entryPoint: hostname.optional(),
  annotations: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
});

const fileSchema = z.array(entrySchema);

/**
 * Parses endpoints-file text against the fleet (cluster names must exist). Pure;
 * `file` only names the input in errors and problems.
 */
export function parseEndpointsFile(text: string, file: string, fleet: FleetConfig): { endpoints: PublishedEndpoint[]; problems: Problem[] } {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    throw new ConfigError(file, [`not valid YAML${where}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`]);
  }
  if (raw === null || raw === undefined) raw = [];
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      file,
      formatZodIssues(parsed.error).map((line) => (line.startsWith('(top level)') ? `${line} (expected a list of endpoints)` : line)),
    );

  const clusters = new Map(fleet.clusters.map((cluster) => [cluster.name, cluster]));
  const issues: string[] = [];
  const seen = new Map<string, number>();
  parsed.data.forEach((entry, index) => {
    if (!clusters.has(entry.cluster)) issues.push(`[${index}].cluster: unknown cluster "${entry.cluster}" (known: ${[...clusters.keys()].join(', ')})`);
    const key = `${entry.hostname}@${entry.cluster}`;
    const first = seen.get(key);
    if (first !== undefined) issues.push(`[${index}]: ${entry.hostname} is already published by cluster ${entry.cluster} at [${first}]`);
    else seen.set(key, index);
  });
  if (issues.length > 0) throw new ConfigError(file, issues);

  const name = basename(file);
  const endpoints: PublishedEndpoint[] = [];
  const problems: Problem[] = [];
  parsed.data.forEach((entry, index) => {
    const gateway = entry.gateway ?? `endpoints-file/${entry.hostname}`;
    const { annotations, problems: bad } = parseAnnotations(entry.annotations);
    for (const reason of bad) {
      problems.push({
        subject: `${entry.cluster}/${entry.kind}/${gateway}`,
        reason: `${name}[${index}]: ${reason}`,
        cluster: entry.cluster,
        hostname: entry.hostname,
      });
    }
    const endpoint: PublishedEndpoint = { hostname: entry.hostname, cluster: entry.cluster, kind: entry.kind, gateway, annotations };
    if (entry.entryPoint !== undefined) endpoint.entryPoint = entry.entryPoint;
    if (clusters.get(entry.cluster)?.canaryHostname === entry.hostname) endpoint.canary = true;
    endpoints.push(endpoint);
  });
  return { endpoints, problems };
}

/** The endpoints file named by a loaded fleet's `endpointsFile`. */
export class FileEndpointSource implements EndpointSource {
  readonly file: string;
  readonly description: string;
  readonly #fleet: FleetConfig;
  readonly #fleetDir: string;
  readonly #fleetFile: string;
  readonly #path: string;

  constructor(fleet: LoadedFleet) {
    if (!fleet.config.endpointsFile) throw new ConfigError(fleet.file, ['endpointsFile: not set (no other source of published endpoints is configured)']);
    this.file = resolve(fleet.dir, fleet.config.endpointsFile);
    this.description = this.file;
    this.#fleet = fleet.config;
    this.#fleetDir = fleet.dir;
    this.#fleetFile = fleet.file;
    this.#path = fleet.config.endpointsFile;
  }

  async list(clusters?: readonly string[]): Promise<EndpointList> {
    try {
      // Checked again at every read: a symlink may have changed since the fleet was loaded.
      await resolveFleetPath(this.#fleetDir, this.#path);
    } catch (error) {
      throw new ConfigError(this.#fleetFile, [`endpointsFile: ${errorMessage(error)}`]);
    }
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      throw new ConfigError(this.file, [`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
    }
    const parsed = parseEndpointsFile(text, this.file, this.#fleet);
    if (clusters === undefined) return { ...parsed, unreachable: [] };
    const wanted = new Set(selectClusters(this.#fleet, clusters).map((c) => c.name));
    return { endpoints: parsed.endpoints.filter((e) => wanted.has(e.cluster)), problems: parsed.problems, unreachable: [] };
  }
}
