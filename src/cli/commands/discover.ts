// `switchyard discover --fleet <dir>`: what each cluster publishes, and the problems.
// Reads manifest folders (clusters[].manifests) or EKS API servers; changes nothing.
import { Option, type Command } from 'commander';
import { loadFleet } from '../../core/config-file.ts';
import type { LoadedFleet } from '../../core/config-file.ts';
import { eksClusterReader, type EksSourceOptions } from '../../k8s/eks-source.ts';
import { discoveryReport, formatReport } from '../../k8s/report.ts';
import { clusterSource, manifestFolderReader, type EndpointSource } from '../../k8s/source.ts';
import { EXIT } from '../exit-codes.ts';

export const SOURCES = ['auto', 'files', 'eks'] as const;
export type SourceChoice = (typeof SOURCES)[number];

export interface DiscoverOptions {
  fleet: string;
  json?: boolean;
  source?: SourceChoice;
}

export interface DiscoverIo {
  out(text: string): void;
  /** EKS access settings (tests inject clients). */
  eks?: EksSourceOptions;
}

/** `auto`: a cluster with a manifests folder is read from it, any other from EKS. */
export function sourceFor(fleet: LoadedFleet, choice: SourceChoice, eks: EksSourceOptions = {}): EndpointSource {
  const files = manifestFolderReader(fleet.dir);
  const api = eksClusterReader(eks);
  return clusterSource(fleet.config, (cluster) => (choice === 'files' || (choice === 'auto' && cluster.manifests !== undefined) ? files : api));
}

/**
 * Runs the verb; returns the exit code (1: a cluster could not be read, 2: problems
 * found). Every cluster is read: an app's routing depends on all the clusters publishing it.
 */
export async function runDiscover(options: DiscoverOptions, io: DiscoverIo): Promise<number> {
  const fleet = await loadFleet(options.fleet);
  const clusters = fleet.config.clusters.map((c) => c.name);
  const result = await sourceFor(fleet, options.source ?? 'auto', io.eks).list();
  const report = discoveryReport(fleet.config, result);
  if (options.json) {
    const endpoints = report.endpoints.map((e) => ({
      cluster: e.cluster,
      hostname: e.hostname,
      kind: e.kind,
      gateway: e.gateway,
      entryPoint: e.entryPoint,
      routing: e.routing,
      weight: e.weight,
      failover: e.failover,
      health: e.health,
      canary: e.canary,
      enabled: e.enabled,
    }));
    io.out(JSON.stringify({ endpoints, problems: report.problems, unreachable: report.unreachable }, null, 2));
  } else {
    io.out(formatReport(report, clusters));
  }
  if (report.unreachable.length > 0) return EXIT.failed;
  return report.problems.length > 0 ? EXIT.badInput : EXIT.ok;
}

export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description('Show the endpoints each cluster publishes (Gateway resources) and the problems found; changes nothing')
    .requiredOption('--fleet <dir>', 'fleet folder (with fleet.yaml)')
    .option('--json', 'print JSON: {"endpoints":[...],"problems":[...],"unreachable":[...]}')
    .addOption(new Option('--source <source>', 'auto: manifests folder when the cluster has one, else EKS').choices(SOURCES).default('auto'))
    .action(async (options: DiscoverOptions) => {
      process.exitCode = await runDiscover(options, { out: (text) => console.log(text) });
    });
}
