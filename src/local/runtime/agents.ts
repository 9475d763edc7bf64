// The local runtime's in-cluster agents: for each simulated cluster with a manifests
// folder, a stand-in API server serving that folder (src/local/kube/manifest-api.ts) and
// one `switchyard agent` (the same code as in a Pod: runAgent) that finds it through the
// in-cluster variables and a service account folder under the state folder
// (agents/<cluster>/serviceaccount: token, ca.crt, namespace). The agents send to the
// app's bus on the local endpoint, with the source of their own cluster.
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgent, type RunningAgent } from '../../agent/run.ts';
import { jsonLogger } from '../../agent/log.ts';
import type { LoadedFleet } from '../../fleet/fleet-file.ts';
import { errorMessage } from '../../core/errors.ts';
import { canaryHostnames } from '../../k8s/parse/cluster.ts';
import { ManifestApiServer, STANDIN_CA } from '../kube/manifest-api.ts';

export interface LocalAgentsOptions {
  fleet: LoadedFleet;
  /** Where the service account folders go; undefined = a temporary folder, removed at close. */
  stateDir: string | undefined;
  client: EventBridgeClient;
  eventBusName: string;
  /** The stand-ins re-read their folders this often besides on file events (0 = file events only). */
  pollMs: number;
  log: (line: string) => void;
}

export interface DiscoverResult {
  events: number;
  problems: string[];
  unreachable: string[];
}

export interface LocalAgents {
  /** Starts every agent (once); resolves when each is ready or has found its cluster held. */
  start(): Promise<void>;
  /** Publishes everything again (starting the agents first if they are not yet). */
  discover(): Promise<DiscoverResult>;
  readonly running: ReadonlyMap<string, RunningAgent>;
  readonly standIns: ReadonlyMap<string, ManifestApiServer>;
  close(): Promise<void>;
}

export async function openLocalAgents(options: LocalAgentsOptions): Promise<LocalAgents> {
  const { fleet, log } = options;
  const root = options.stateDir === undefined ? await mkdtemp(join(tmpdir(), 'switchyard-agents-')) : join(options.stateDir, 'agents');
  const canaries = canaryHostnames(fleet.config.clusters);
  const standIns = new Map<string, ManifestApiServer>();
  const running = new Map<string, RunningAgent>();
  const withoutFolder = fleet.config.clusters.filter((c) => c.manifests === undefined).map((c) => c.name);
  let starting: Promise<void> | undefined;

  const serviceAccount = async (cluster: string): Promise<string> => {
    const dir = join(root, cluster, 'serviceaccount');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'token'), `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'ca.crt'), STANDIN_CA);
    await writeFile(join(dir, 'namespace'), 'switchyard-system\n');
    return dir;
  };

  const startAll = async () => {
    for (const cluster of fleet.config.clusters) {
      if (cluster.manifests === undefined) continue;
      const dir = await serviceAccount(cluster.name);
      const standIn = await ManifestApiServer.start({
        fleetDir: fleet.dir,
        manifests: cluster.manifests,
        tokenFile: join(dir, 'token'),
        pollMs: options.pollMs,
        log,
      });
      standIns.set(cluster.name, standIn);
      const agentLog = jsonLogger((line) => log(`agent ${cluster.name}: ${line}`), { level: 'warn' });
      running.set(
        cluster.name,
        await runAgent({
          cluster,
          canaries,
          client: options.client,
          eventBusName: options.eventBusName,
          env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(standIn.port) },
          serviceAccountDir: dir,
          httpPort: null,
          log: agentLog,
          tune: { backoff: { minMs: 100, maxMs: 2000 }, watch: { debounceMs: 50 } },
        }),
      );
    }
    await Promise.all([...running.values()].map((r) => r.agent.firstSync()));
  };

  const start = () => (starting ??= startAll());

  return {
    running,
    standIns,
    start,
    async discover() {
      const wasStarted = starting !== undefined;
      const sentBefore = totalSent(running);
      await start();
      if (wasStarted) await Promise.all([...running.values()].map((r) => r.agent.republish()));
      const problems = [...running.values()].flatMap((r) => r.agent.problems.map((p) => `${p.subject}: ${p.reason}`));
      const unreachable = [...withoutFolder, ...[...running.values()].filter((r) => r.agent.unreachable !== undefined).map((r) => r.agent.cluster)];
      return { events: totalSent(running) - sentBefore, problems, unreachable };
    },
    async close() {
      await starting?.catch((error: unknown) => log(`agents: ${errorMessage(error)}`));
      await Promise.all([...running.values()].map((r) => r.stop()));
      await Promise.all([...standIns.values()].map((s) => s.close()));
      if (options.stateDir === undefined) await rm(root, { recursive: true, force: true });
    },
  };
}

function totalSent(running: ReadonlyMap<string, RunningAgent>): number {
  let n = 0;
  for (const r of running.values()) for (const value of Object.values(r.agent.metrics().sent)) n += value;
  return n;
}
