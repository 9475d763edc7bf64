// `switchyard edge-config --fleet <dir> [--app <host>] [--mesh istio|tetrate]`: prints, per
// edge cluster, the resources that publish each app from the edge and forward it to its
// workload clusters (docs/edge.md, "edge-config"), as YAML for `kubectl apply`. Reads the
// clusters to know which apps the workload clusters serve; changes nothing.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadFleet } from '../../fleet/fleet-file.ts';
import { isEdge, upstreamZoneOf } from '../../core/edge-discovery.ts';
import { edgeConfig, edgesFor, MESHES, type EdgeApp, type Mesh } from '../../core/edge-config.ts';
import { InvalidInput } from '../../core/errors.ts';
import { normalizeHostname } from '../../k8s/parse/hostnames.ts';
import type { EksSourceOptions } from '../../k8s/eks-source.ts';
import { EXIT } from '../exit-codes.ts';
import { parseSourceFlag } from '../source-flag.ts';
import { SOURCES, sourceFor, type SourceChoice } from './discover.ts';

export interface EdgeConfigOptions {
  fleet: string;
  app?: string;
  mesh?: string;
  cluster?: string;
  namespace?: string;
  selector?: string;
  credential?: string;
  tsb?: string;
  source?: SourceChoice;
}

export interface EdgeConfigIo {
  out(text: string): void;
  err(text: string): void;
  eks?: EksSourceOptions;
}

export const DEFAULT_NAMESPACE = 'istio-system';
export const DEFAULT_SELECTOR = 'istio=ingressgateway';

/** `key=value,key=value` → labels; bad input names the flag. */
export function parseSelector(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const match = /^([A-Za-z0-9][-A-Za-z0-9_./]{0,252})=([-A-Za-z0-9_.]{0,63})$/.exec(pair.trim());
    if (!match) throw new InvalidInput(`--selector: "${pair}" is not a label key=value`, { flag: 'selector', value: text });
    labels[match[1]!] = match[2]!;
  }
  return labels;
}

function parseTsb(text: string | undefined, mesh: Mesh): { organization: string; tenant: string; workspace: string; group: string } | undefined {
  if (mesh !== 'tetrate') {
    if (text !== undefined) throw new InvalidInput('--tsb only applies with --mesh tetrate', { flag: 'tsb' });
    return undefined;
  }
  if (text === undefined)
    throw new InvalidInput('--mesh tetrate needs --tsb <organization>/<tenant>/<workspace>/<group>: the TSB hierarchy the Tier1Gateway belongs to', {
      flag: 'tsb',
    });
  const parts = text.split('/');
  if (parts.length !== 4 || parts.some((p) => !/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(p))) {
    throw new InvalidInput(`--tsb: "${text}" is not <organization>/<tenant>/<workspace>/<group>`, { flag: 'tsb', value: text });
  }
  const [organization, tenant, workspace, group] = parts as [string, string, string, string];
  return { organization, tenant, workspace, group };
}

/** Runs the verb; returns the exit code. Bad input throws InvalidInput (exit 2). */
export async function runEdgeConfig(options: EdgeConfigOptions, io: EdgeConfigIo): Promise<number> {
  const mesh = (options.mesh ?? 'istio') as Mesh;
  if (!MESHES.includes(mesh)) throw new InvalidInput(`--mesh: "${options.mesh}" is not one of ${MESHES.join(', ')}`, { flag: 'mesh', value: options.mesh });
  const tsb = parseTsb(options.tsb, mesh);
  const selector = parseSelector(options.selector ?? DEFAULT_SELECTOR);
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new InvalidInput(`--namespace: "${namespace}" is not a Kubernetes namespace name`, { flag: 'namespace', value: namespace });
  if (options.credential !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(options.credential)) {
    throw new InvalidInput(`--credential: "${options.credential}" is not a Kubernetes Secret name`, { flag: 'credential', value: options.credential });
  }
  const wanted = options.app === undefined ? undefined : normalizeHostname(options.app);
  if (wanted && 'reason' in wanted) throw new InvalidInput(`--app: ${wanted.reason}`, { flag: 'app', value: options.app });

  const fleet = await loadFleet(options.fleet);
  const edges = fleet.config.clusters.filter(isEdge);
  if (edges.length === 0)
    throw new InvalidInput(`${fleet.file}: the fleet has no edge clusters (clusters[].role: edge), so there is nothing to configure`, { fleet: fleet.file });
  if (options.cluster !== undefined && !edges.some((e) => e.name === options.cluster)) {
    throw new InvalidInput(`--cluster: "${options.cluster}" is not an edge cluster of the fleet (edge clusters: ${edges.map((e) => e.name).join(', ')})`, {
      flag: 'cluster',
      value: options.cluster,
    });
  }
  const upstreamZone = upstreamZoneOf(fleet.config);
  if (mesh === 'istio' && upstreamZone === undefined) {
    throw new InvalidInput(`${fleet.file}: no upstream zone (upstream.zone): the edges forward each app to <host>.<upstream zone>`, { fleet: fleet.file });
  }

  // Which apps the workload clusters serve, and which the edges already publish.
  const result = await sourceFor(fleet, options.source ?? 'auto', io.eks).list();
  const edgeNames = new Set(edges.map((e) => e.name));
  const served = new Map<string, string[]>();
  for (const e of result.endpoints) {
    if (edgeNames.has(e.cluster) || e.canary || e.annotations.enabled === false) continue;
    served.set(e.hostname, [...(served.get(e.hostname) ?? []), e.cluster]);
  }
  const unread = result.unreachable.filter((name) => !edgeNames.has(name));
  const hostnames = wanted
    ? [wanted.hostname]
    : [...new Set(result.endpoints.filter((e) => edgeNames.has(e.cluster) && served.has(e.hostname)).map((e) => e.hostname))].sort();
  if (hostnames.length === 0) {
    throw new InvalidInput(
      `no app is published by an edge cluster yet: name the app to put behind the edges with --app <host>${served.size > 0 ? ` (the workload clusters serve ${[...served.keys()].sort().join(', ')})` : ''}`,
      {},
    );
  }
  const apps: EdgeApp[] = [];
  for (const hostname of hostnames) {
    const workloads = served.get(hostname);
    if (!workloads) {
      const known = [...served.keys()].sort();
      const why = unread.length > 0 ? `; ${unread.join(', ')} could not be read` : '';
      throw new InvalidInput(`--app: unknown app "${hostname}": no workload cluster serves it (served: ${known.join(', ') || 'none'}${why})`, {
        flag: 'app',
        value: hostname,
      });
    }
    if (hostname.startsWith('*.'))
      throw new InvalidInput(`--app: "${hostname}" is a wildcard: the edges forward an app by its one upstream name`, { flag: 'app', value: hostname });
    if (edgesFor(hostname, edges).length === 0) {
      throw new InvalidInput(
        `--app: no edge cluster may publish "${hostname}" (outside every edge's domainFilter: ${edges.map((e) => `${e.name}: ${e.domainFilter.join(', ')}`).join('; ')})`,
        { flag: 'app', value: hostname },
      );
    }
    apps.push({ hostname, workloads });
  }
  if (mesh === 'tetrate' && unread.length > 0) {
    io.err(`switchyard: cannot read ${unread.join(', ')}: a Tier1Gateway names the workload clusters, and the list would be incomplete; nothing printed`);
    return EXIT.failed;
  }

  const selected = options.cluster === undefined ? edges : edges.filter((e) => e.name === options.cluster);
  const manifests = edgeConfig({
    mesh,
    edges: selected,
    apps,
    namespace,
    selector,
    ...(upstreamZone ? { upstreamZone } : {}),
    ...(options.credential ? { credential: options.credential } : {}),
    ...(tsb ? { tsb } : {}),
  });
  if (manifests.length === 0) {
    throw new InvalidInput(`--cluster: edge cluster ${options.cluster} may publish none of ${hostnames.join(', ')} (domainFilter)`, {
      flag: 'cluster',
      value: options.cluster,
    });
  }
  const sections = manifests.map((m) => {
    const cluster = fleet.config.clusters.find((c) => c.name === m.cluster)!;
    const header = `# edge cluster ${m.cluster} (${cluster.region}, EKS ${cluster.eksClusterName}): kubectl apply -f -\n`;
    return header + m.objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
  });
  io.out(sections.join('---\n').replace(/\n$/, ''));
  return EXIT.ok;
}

export function registerEdgeConfig(program: Command): void {
  program
    .command('edge-config')
    .description(
      'print, per edge cluster, the resources that publish each app from the edge and forward it to its workload clusters (YAML for kubectl apply); changes nothing',
    )
    .requiredOption('--fleet <dir>', 'fleet folder (with fleet.yaml)')
    .option('--app <host>', 'the app to put behind the edges (default: every app an edge cluster already publishes)')
    .option('--mesh <mesh>', `${MESHES.join(' | ')}: Istio Gateway + VirtualService + ServiceEntry + DestinationRule, or a Tetrate Tier1Gateway`, 'istio')
    .option('--cluster <name>', 'only this edge cluster')
    .option('--namespace <ns>', 'namespace of the resources (and, for Tetrate, of the gateway workload)', DEFAULT_NAMESPACE)
    .option('--selector <labels>', "labels of the edge gateway's pods, key=value[,key=value]", DEFAULT_SELECTOR)
    .option('--credential <secret>', 'TLS Secret on the edge: adds an HTTPS server on 443 (Tetrate: the server listens on 443 with it)')
    .option('--tsb <path>', '--mesh tetrate: <organization>/<tenant>/<workspace>/<group> of the Tier1Gateway')
    .option(
      '--source <source>',
      `${SOURCES.join(' | ')}: where the apps the workload clusters serve are read (as discover)`,
      (value: string) => parseSourceFlag(value, SOURCES, (text) => console.error(text)),
      'auto',
    )
    .action(async (options: EdgeConfigOptions) => {
      process.exitCode = await runEdgeConfig(options, { out: (text) => console.log(text), err: (text) => console.error(text) });
    });
}
