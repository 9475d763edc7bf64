// The fleet configuration: one YAML file (`fleet.yaml`) per fleet folder.
// Parsing is pure (text in, config or ConfigError out); reading the file is in
// src/fleet/fleet-file.ts so tests and Lambdas can validate without disk access.
import { posix, win32 } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import * as z from 'zod';
import { ELB_ALIAS_ZONES } from './alias-zones.ts';
import { endsWithPart } from './dns-names.ts';
import { ConfigError, UnknownCluster } from './errors.ts';
import { HEALTH_PROTOCOLS, SYNC_POLICIES } from './model.ts';

const dnsName = z
  .string()
  .min(1)
  .max(253)
  .transform((s) => s.toLowerCase().replace(/\.$/, ''))
  .refine((s) => /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s), {
    message: 'not a valid DNS name',
  });

// A region must be one whose load-balancer alias zones Switchyard knows: a misspelt region
// (eu-west-9) would otherwise pass here and only fail later, record by record, in Route 53.
const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/, 'not an AWS region name (e.g. us-east-1)')
  .refine((region) => Object.hasOwn(ELB_ALIAS_ZONES, region), {
    message: 'unknown AWS region (not in the load-balancer alias-zone table, src/core/alias-zones.ts)',
  });

/** Why a path is not a usable fleet path, or undefined when it is (pure: text only). */
export function fleetPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.includes('\0')) return 'contains a NUL character';
  if (posix.isAbsolute(path) || win32.isAbsolute(path)) return `"${path}" is absolute; fleet paths are relative to the fleet folder`;
  const normal = posix.normalize(path.replaceAll('\\', '/'));
  if (normal === '..' || normal.startsWith('../')) return `"${path}" leaves the fleet folder`;
  return undefined;
}

// A path in fleet.yaml: relative to the fleet folder and inside it. Where symlinks lead is
// checked when the fleet is loaded (src/fleet/fleet-file.ts) and before every read.
const fleetPath = z.string().superRefine((path, ctx) => {
  const problem = fleetPathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const clusterName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lower-case letters, digits and "-" (it becomes a Route 53 SetIdentifier)');

export const healthCheckDefaultsSchema = z.strictObject({
  protocol: z.enum(HEALTH_PROTOCOLS).default('HTTP'),
  port: z.number().int().min(1).max(65535).default(80),
  path: z.string().startsWith('/').max(255).default('/status/200'),
  intervalSeconds: z.union([z.literal(10), z.literal(30)]).default(30),
  failureThreshold: z.number().int().min(1).max(10).default(3),
});

export const clusterSchema = z.strictObject({
  name: clusterName,
  region: awsRegion,
  eksClusterName: z.string().min(1).max(100),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional(),
  /** Role assumed to reach a cluster in another account. */
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN')
    .optional(),
  /** Load-balancer DNS name. Pinned here, or discovered from the gateway Service. */
  entryPoint: dnsName.optional(),
  /** Publish AAAA as well as A (the load balancer is dual-stack). */
  dualStack: z.boolean().default(false),
  /** A per-cluster name that resolves to this cluster's entry point only. */
  canaryHostname: dnsName,
  /** Zones (DNS suffixes) this cluster may publish into. */
  domainFilter: z.array(dnsName).min(1),
  weight: z.number().int().min(0).max(255).default(100),
  /** Lower is preferred: the lowest-priority cluster of a failover app is PRIMARY. */
  failoverPriority: z.number().int().min(0).default(100),
  /** Folder of Gateway manifests (file source), relative to the fleet folder. */
  manifests: fleetPath.optional(),
  /** Edge clusters front several workload clusters; to DNS both are entry points. */
  role: z.enum(['workload', 'edge']).default('workload'),
  /**
   * The deploy creates a CloudWatch alarm on this cluster's canary health check unless this
   * is false (you bring your own, named `switchyard-<stage>-<ownerId>-<cluster>-...`; see alarm-names.ts).
   */
  canaryAlarm: z.boolean().optional(),
  /**
   * The cluster's OIDC issuer URL (`aws eks describe-cluster --query cluster.identity.oidc.issuer`).
   * When given, the deploy lets the cluster's agent role be assumed through IRSA as well as
   * EKS Pod Identity (docs/deploy.md).
   */
  oidcIssuer: z
    .string()
    .regex(
      /^https:\/\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._~-]+)*\/?$/,
      'must be an https:// OIDC issuer URL, e.g. https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
    )
    .transform((s) => s.replace(/\/$/, ''))
    .optional(),
});

export const zoneSchema = z.strictObject({
  name: dnsName,
  /** Pin the hosted-zone id when several zones share a name (e.g. public and private). */
  id: z
    .string()
    .regex(/^(\/hostedzone\/)?[A-Z0-9]{1,32}$/, 'must be a hosted-zone id like Z0123456789ABC')
    .transform((s) => s.replace(/^\/hostedzone\//, ''))
    .optional(),
});

/**
 * The upstream zone of the edge tier (docs/edge.md): a private hosted zone associated with
 * the edge clusters' VPCs, holding one name per edge-fronted app (tiers.ts upstreamName).
 */
export const upstreamSchema = z.strictObject({
  zone: dnsName,
  /** Pin the hosted-zone id (a private zone often shares its name with others). */
  id: zoneSchema.shape.id,
  /**
   * Region of the CloudWatch alarms the upstream records' health checks read (one per
   * workload cluster, fed by the edges' canaries). Default: the first edge cluster's region.
   */
  alarmRegion: awsRegion.optional(),
});

export const safetySchema = z.strictObject({
  minHealthyActive: z.number().int().min(0).default(1),
  maxConcurrentDrains: z.number().int().min(1).default(1),
  /** Fail-back waits this long after a cluster is healthy again. */
  failbackHoldDownSeconds: z.number().int().min(0).default(300),
  /** Default drain steps (% of normal weight) and bake time. */
  drainSteps: z.array(z.number().int().min(0).max(100)).min(1).default([50, 0]),
  restoreSteps: z.array(z.number().int().min(0).max(100)).min(1).default([50, 100]),
  bakeSeconds: z.number().int().min(0).default(60),
  /** Lease length for per-cluster operation locks. */
  lockTtlSeconds: z.number().int().min(10).default(900),
});

/** Private clusters: the functions that read clusters run in these subnets (docs/deploy.md). */
export const networkSchema = z.strictObject({
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id like subnet-0123456789abcdef0')).min(1),
  securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id like sg-0123456789abcdef0')).min(1),
});

/** Who hears about the control plane's own alarms and events (docs/deploy.md). */
export const notificationsSchema = z.strictObject({
  emails: z.array(z.email('must be an email address')).default([]),
});

export const fleetSchema = z
  .strictObject({
    /** Marks every record and health check Switchyard creates. */
    ownerId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1–63 letters, digits, ".", "_" or "-"'),
    policy: z.enum(SYNC_POLICIES).default('sync'),
    zones: z.array(zoneSchema).min(1),
    /** TTL for records that are not aliases (TXT ownership markers). */
    ttl: z.number().int().min(0).max(2147483647).default(300),
    healthCheck: healthCheckDefaultsSchema.default(() => healthCheckDefaultsSchema.parse({})),
    safety: safetySchema.default(() => safetySchema.parse({})),
    clusters: z.array(clusterSchema).min(1),
    /** The edge tier's upstream zone; required when any cluster has `role: edge` (docs/edge.md). */
    upstream: upstreamSchema.optional(),
    /** Published endpoints from a file, until/unless discovery is used (relative path). */
    endpointsFile: fleetPath.optional(),
    /** Deploy only: put the functions that read clusters into a VPC (private API endpoints). */
    network: networkSchema.optional(),
    /** Deploy only: email subscriptions of the stage's notification topic. */
    notifications: notificationsSchema.optional(),
    /** Deploy only: X-Ray tracing of the functions and state machines. */
    tracing: z.boolean().default(false),
  })
  .superRefine((fleet, ctx) => {
    const seen = new Map<string, number>();
    fleet.clusters.forEach((cluster, index) => {
      const first = seen.get(cluster.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['clusters', index, 'name'], message: `duplicate cluster name "${cluster.name}" (also clusters[${first}])` });
      }
      seen.set(cluster.name, index);
      if (!cluster.domainFilter.some((suffix) => isWithin(cluster.canaryHostname, suffix))) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', index, 'canaryHostname'],
          message: `"${cluster.canaryHostname}" is outside the cluster's domainFilter (${cluster.domainFilter.join(', ')})`,
        });
      }
    });
    tierIssues(fleet, ctx);
  });

/** `upstream` is required with edge clusters, and its zone must not be one of `zones` (it is private, theirs are public). */
function tierIssues(
  fleet: { clusters: ReadonlyArray<{ name: string; role: string }>; zones: ReadonlyArray<{ name: string }>; upstream?: { zone: string } },
  ctx: z.RefinementCtx,
): void {
  const edges = fleet.clusters.filter((c) => c.role === 'edge').map((c) => c.name);
  if (edges.length > 0 && fleet.upstream === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['upstream'],
      message: `required because clusters ${edges.join(', ')} have role: edge (the private zone the edges reach the workload clusters through, e.g. upstream: { zone: mesh.internal }; docs/edge.md)`,
    });
  }
  if (fleet.upstream !== undefined) {
    const upstreamZone = fleet.upstream.zone;
    const clash = fleet.zones.findIndex((zone) => isWithin(zone.name, upstreamZone) || isWithin(upstreamZone, zone.name));
    if (clash >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['upstream', 'zone'],
        message: `"${upstreamZone}" overlaps zones[${clash}] (${fleet.zones[clash]!.name}); the upstream zone must be a zone of its own`,
      });
    }
  }
}

export type FleetConfig = z.infer<typeof fleetSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;
export type ZoneConfig = z.infer<typeof zoneSchema>;
export type HealthCheckDefaults = z.infer<typeof healthCheckDefaultsSchema>;
export type SafetyConfig = z.infer<typeof safetySchema>;
export type NetworkConfig = z.infer<typeof networkSchema>;
export type UpstreamConfig = z.infer<typeof upstreamSchema>;

/**
 * The JSON Schema of fleet.yaml as a user writes it (defaults optional), for editors.
 * Cross-field rules (unique names, canary inside the domain filter) are checked by
 * parseFleetConfig only.
 */
export function fleetJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(fleetSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Switchyard fleet.yaml',
  };
}

/**
 * True when `name` equals `suffix` or is below it (DNS labels, not string suffixes), case
 * and one trailing dot aside. The desired state asks once per endpoint and domainFilter
 * entry, so it builds no strings it can avoid (no regex, no `.${suffix}`).
 */
export function isWithin(name: string, suffix: string): boolean {
  const n = withoutTrailingDot(name.toLowerCase());
  const s = withoutTrailingDot(suffix.toLowerCase());
  return n === s || (n.length > s.length && n.endsWith(s) && n.charCodeAt(n.length - s.length - 1) === DOT);
}

const DOT = 46;

/**
 * isWithin(name, any of `suffixes`) for names already lower case without a trailing dot
 * (canonical hostnames): the suffixes are lower-cased once, the names never copied.
 */
export function withinAnyOf(suffixes: readonly string[]): (canonicalName: string) => boolean {
  const lowered = suffixes.map((suffix) => withoutTrailingDot(suffix.toLowerCase()));
  return (n) => {
    // Not canonical after all (a second trailing dot, upper case): the general rule.
    if (n.endsWith('.') || n !== n.toLowerCase()) return suffixes.some((suffix) => isWithin(n, suffix));
    for (let i = 0; i < lowered.length; i++) {
      const s = lowered[i] as string;
      if (n === s || (n.length > s.length && endsWithPart(n, s) && n.charCodeAt(n.length - s.length - 1) === DOT)) return true;
    }
    return false;
  };
}

function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Formats a zod path as the user wrote it: clusters[1].region */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** Issues as "path: message" lines, for ConfigError and InvalidInput. */
export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/**
 * Where a setting stands in the YAML text: the node at `path`, or its nearest parent that
 * exists (a missing key is reported where its mapping is). Undefined for the top level.
 */
function yamlPosition(document: Document, lines: LineCounter, path: readonly PropertyKey[]): { line: number; col: number } | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node = document.getIn(path.slice(0, depth) as Array<string | number>, true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]);
  }
  return undefined;
}

/** Parses fleet YAML text; `file` is only used to name the input in errors, which give the line and column. */
export function parseFleetConfig(text: string, file: string): FleetConfig {
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  const broken = document.errors[0];
  if (broken !== undefined) {
    const where = broken.linePos ? ` (line ${broken.linePos[0].line})` : '';
    throw new ConfigError(file, [`not valid YAML${where}: ${broken.message.split('\n')[0]}`]);
  }
  let raw: unknown;
  try {
    raw = document.toJS(); // throws on alias bombs (more than maxAliasCount expansions)
  } catch (error) {
    throw new ConfigError(file, [`not valid YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, ['(top level): expected a mapping of settings']);
  }
  const result = fleetSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => {
        const at = yamlPosition(document, lines, issue.path);
        return `${formatPath(issue.path)}: ${issue.message}${at ? ` (line ${at.line}, column ${at.col})` : ''}`;
      }),
    );
  }
  return result.data;
}

/** The cluster by name, or undefined. */
export function findCluster(fleet: FleetConfig, name: string): ClusterConfig | undefined {
  return fleet.clusters.find((cluster) => cluster.name === name);
}

/** The clusters `names` selects, in fleet order; throws UnknownCluster for a name not in the fleet. */
export function selectClusters(fleet: FleetConfig, names?: readonly string[]): ClusterConfig[] {
  if (!names || names.length === 0) return fleet.clusters;
  const known = fleet.clusters.map((c) => c.name);
  for (const name of names) if (!known.includes(name)) throw new UnknownCluster(name, known);
  return fleet.clusters.filter((c) => names.includes(c.name));
}

/** The example fleet folder, relative to the project root: the fleet the local runtime and the deploy use when none is named. */
export const DEFAULT_FLEET = './examples/fleet';
