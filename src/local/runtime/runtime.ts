// The whole of Switchyard on one machine (`npm start`, `switchyard local`): one loopback
// endpoint serving Route 53, Step Functions, EventBridge, DynamoDB and CloudWatch alarms;
// the workflows run in process against the real handlers; each simulated cluster has a
// canary the Route 53 health checks probe, an alarm that follows the check, and an
// in-cluster agent watching a stand-in API server of its manifest folder, announcing its
// Gateways on the bus. State lives under the
// state folder, so a restart carries on where the last run stopped.
import { DEFAULT_FLEET } from '../../core/config.ts';
import { CreateHostedZoneCommand, HostedZoneAlreadyExists, type VPCRegion } from '@aws-sdk/client-route-53';
import { managedZoneConfigs } from '../../core/upstream.ts';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureStateTable } from '../../aws/state-table.ts';
import { loadFleet, type LoadedFleet } from '../../fleet/fleet-file.ts';
import { normalizeName } from '../../core/dns-names.ts';
import { errorMessage, InvalidInput, UnknownCluster } from '../../core/errors.ts';
import type { Deps } from '../../core/ports.ts';
import { createTasks, TASK_FACTORIES, type Task } from '../../app/tasks/index.ts';
import { FUNCTIONS, type FunctionDeclaration } from '../../../functions/index.ts';
import { deployWorkflows, openLocalPlatform, readJsonFile, startEndpoint, writeJsonFileAtomic, type Endpoint, type LocalPlatform } from '@switchyard/local-aws';
import { startDnsServer, type ExternalTarget, type Route53Service } from '@switchyard/local-aws/route53';
import type { PublishedEndpoint } from '../../core/model.ts';
import { loadWorkflowFolder, type ExecutionSummary as StoredExecution, type LambdaHandler } from '@switchyard/local-aws/stepfunctions';
import { CanaryFleet, type CanaryInfo, type CanaryMode } from './canaries.ts';
import { ensureCanaryAlarms, followHealthChecks } from './canary-alarms.ts';
import { ensureUpstreamAlarms, startEdgeCanaries } from './edge-canaries.ts';
import type { LocalAlarms } from '@switchyard/local-aws/cloudwatch';
import { controlService, stillStarting } from './control.ts';
import { localClients, localDeps, type LocalClients } from './handler-deps.ts';
import { openLocalAgents, type LocalAgents } from './agents.ts';
import { entryPointLookup } from './entry-points.ts';
import { localNames, type LocalNames } from './names.ts';
import { defaultPort } from '../port.ts';
import { recoverInterrupted, type RecoveryOutcome } from './recovery.ts';
import { fleetStatus } from './status.ts';
import { summarizeDetail, type ExecutionSummary, type LocalStatus } from './status-view.ts';
import { installTriggers, type TriggerRoute } from './triggers.ts';
import { claimStateDir, newControlToken, releaseStateDir, resetStateDir, runtimeExposureWarning, writeControlToken } from './state-dir.ts';
import { createDashboard, type Dashboard } from '../../dashboard/service.ts';
import { dashboardGuard } from '../../dashboard/guard.ts';
import { localSource, type LocalSourceOptions } from '../../dashboard/sources/local.ts';
import { requestFeed } from '../../dashboard/requests.ts';
import { parseTrafficReport } from '../traffic/report.ts';
import { stagePrefix } from '../../core/resource-names.ts';

const NO_ENDPOINTS: readonly PublishedEndpoint[] = [];
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The example fleet (core's DEFAULT_FLEET) in this checkout. */
export const DEFAULT_FLEET_PATH = join(PROJECT_ROOT, DEFAULT_FLEET);
export const DEFAULT_WORKFLOWS = join(PROJECT_ROOT, 'workflows');
export const DEFAULT_STATE_DIR = '.switchyard';

export interface LocalRuntimeOptions {
  /** Fleet folder (or its fleet.yaml). Default: examples/fleet. */
  fleet?: string;
  /** State folder; `null` keeps everything in memory (tests). Default: .switchyard. */
  stateDir?: string | null;
  /** Delete the state folder's contents first. */
  reset?: boolean;
  /** Default: SWITCHYARD_PORT, else 4566; 0 picks a free port. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). Another interface exposes the AWS APIs to the network: say so. */
  host?: string;
  /** Port of the DNS server (UDP and TCP, on `host`); default 0 picks a free one, `null` runs none. The CLI's default is 4567. */
  dnsPort?: number | null;
  workflowsDir?: string;
  /**
   * One knob for every wait: health-check intervals, the INSYNC delay (1 s × scale), workflow
   * Wait states and retry intervals. 1 = real time; tests use e.g. 0.01.
   */
  timeScale?: number;
  /** Overrides for the parts of timeScale. */
  healthCheckTimeScale?: number;
  waitScale?: number;
  insyncDelayMs?: number;
  /** Onboard before returning (default true): send the Gateway events and wait for the workflows. */
  onboard?: boolean;
  /** How long start waits for onboarding (ms). */
  settleTimeoutMs?: number;
  /** The stand-in API servers re-read the manifest folders this often besides on file events (default: every 2 s × timeScale, at least 200 ms; 0 = file events only). With onboard false and 0, the agents start at the first discover(). */
  discoverEveryMs?: number;
  log?: (line: string) => void;
  /** Told the endpoint's URL as soon as it listens, before onboarding. */
  onListening?: (url: string) => void;
  /** The web dashboard at `/` (docs/dashboard.md): its sampling and refresh settings. */
  dashboard?: LocalSourceOptions & { refreshMs?: number; token?: string };
}

export interface LocalRuntime {
  url: string;
  port: number;
  /** What the control API's writes need in X-Switchyard-Token (also in the state folder's control-token). */
  controlToken: string;
  /** The DNS server answering from the local zones (docs/local-runtime.md, "DNS answers"). */
  dns: { host: string; port: number } | undefined;
  fleet: LoadedFleet;
  names: LocalNames;
  stateDir: string | undefined;
  platform: LocalPlatform;
  route53: Route53Service;
  alarms: LocalAlarms;
  canaries: CanaryFleet;
  clients: LocalClients;
  deps: Deps;
  /** The web dashboard served at `/` of the endpoint. */
  dashboard: Dashboard;
  triggers: TriggerRoute[];
  /** The in-cluster agents of the simulated clusters and their stand-in API servers. */
  agents: LocalAgents;
  recovered: RecoveryOutcome[];
  ready: boolean;
  status(): Promise<LocalStatus>;
  fail(cluster: string, mode?: Extract<CanaryMode, 'failing' | 'down'>): Promise<CanaryInfo>;
  heal(cluster: string): Promise<CanaryInfo>;
  /** One app answers 503 on one cluster (its per-app health check fails); the canary and the other apps are untouched. */
  failApp(cluster: string, hostname: string): Promise<CanaryInfo>;
  healApp(cluster: string, hostname: string): Promise<CanaryInfo>;
  discover(): Promise<{ events: number; problems: string[]; unreachable: string[] }>;
  /** Resolves when the bus has delivered everything and no execution (of these workflows, default all) runs. */
  settle(timeoutMs?: number, workflows?: readonly string[]): Promise<void>;
  executions(): StoredExecution[];
  close(): Promise<void>;
}

function scaleOf(options: LocalRuntimeOptions): { health: number; wait: number; insync: number; poll: number } {
  const scale = options.timeScale ?? 1;
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new InvalidInput(`timeScale ${scale}: must be a number ≥ 0`);
  const wait = options.waitScale ?? scale;
  return {
    health: options.healthCheckTimeScale ?? Math.max(scale, 0.001),
    wait,
    insync: options.insyncDelayMs ?? Math.round(1000 * scale),
    // A task's own GetChange poll (1 s on AWS) is a wait like the workflows' (at least 1 ms: never a busy loop).
    poll: Math.max(1, Math.round(1000 * wait)),
  };
}

/** Each function's Lambda timeout (seconds) as deployed; the emulator's default (60 s) for the rest. */
const HANDLER_TIMEOUTS: Record<string, number> = Object.fromEntries(
  Object.entries(FUNCTIONS as Record<string, FunctionDeclaration>).flatMap(([name, f]) => (f.timeoutSeconds === undefined ? [] : [[name, f.timeoutSeconds]])),
);

/** In-process handlers by function name; they reach their deps once the endpoint is up. */
function lazyHandlers(tasks: () => Record<string, Task>): Record<string, LambdaHandler> {
  return Object.fromEntries(Object.keys(TASK_FACTORIES).map((name) => [name, (event: unknown) => tasks()[name]!(event)]));
}

/** The fleet's zones exist in Route 53 before anything is published into them (on AWS the user creates them). */
async function ensureZones(fleet: LoadedFleet, clients: LocalClients): Promise<string[]> {
  const problems: string[] = [];
  const listed = await clients.route53.listHostedZones();
  for (const zone of managedZoneConfigs(fleet.config)) {
    const name = normalizeName(zone.name);
    if (zone.id !== undefined) {
      if (!listed.some((z) => z.id === zone.id))
        problems.push(`zone ${zone.name}: pinned id ${zone.id} does not exist locally (remove the id to let the runtime create the zone)`);
      continue;
    }
    if (listed.some((z) => z.name === name)) continue;
    // The upstream zone is private, associated with (a stand-in for) the edges' VPC.
    const edgeRegion = fleet.config.clusters.find((c) => c.role === 'edge')?.region ?? 'us-east-1';
    const privateZone = zone.private
      ? {
          HostedZoneConfig: { PrivateZone: true, Comment: 'Switchyard upstream zone (docs/edge.md)' },
          VPC: { VPCRegion: edgeRegion as VPCRegion, VPCId: 'vpc-switchyard-local-edges' },
        }
      : {};
    try {
      await clients.route53Client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: `switchyard-local-${name}`, ...privateZone }));
    } catch (error) {
      if (!(error instanceof HostedZoneAlreadyExists)) throw error;
    }
  }
  return problems;
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => {});
  const fleet = await loadFleet(options.fleet ?? DEFAULT_FLEET_PATH);
  const scale = scaleOf(options);
  const stateDir = options.stateDir === null ? undefined : resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const names = localNames();
  if (stateDir !== undefined) {
    if (options.reset) await resetStateDir(stateDir);
    await claimStateDir(stateDir);
  }
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        log(`local runtime: shutting down: ${errorMessage(error)}`);
      }
    }
    cleanups.length = 0;
  };
  if (stateDir !== undefined) cleanups.push(() => releaseStateDir(stateDir));
  try {
    const controlToken = newControlToken();
    if (stateDir !== undefined) await writeControlToken(stateDir, controlToken);
    const modesFile = stateDir === undefined ? undefined : join(stateDir, 'canaries.json');
    const savedModes = modesFile === undefined ? {} : ((await readJsonFile<Record<string, CanaryMode>>(modesFile)) ?? {});
    const appFailuresFile = stateDir === undefined ? undefined : join(stateDir, 'app-failures.json');
    const savedAppFailures = appFailuresFile === undefined ? {} : ((await readJsonFile<Record<string, string[]>>(appFailuresFile)) ?? {});
    const canaries = await CanaryFleet.start(fleet.config.clusters, savedModes, savedAppFailures);
    cleanups.push(() => canaries.close());

    // A load balancer name the zones alias to is a simulated cluster's entry point: it answers
    // with the address that cluster's simulated load balancer listens at, 127.0.1.<n>.
    let published: () => ReadonlyArray<readonly PublishedEndpoint[]> = () => [];
    const clusterOfEntryPoint = entryPointLookup(fleet.config.clusters, () => published());
    const entryPointTarget = (dnsName: string, type: 'A' | 'AAAA'): ExternalTarget | undefined => {
      const cluster = clusterOfEntryPoint(dnsName);
      if (cluster === undefined) return undefined;
      const address = canaries.addressOf(cluster.name);
      return { addresses: type === 'A' && address !== undefined ? [address] : [], healthy: canaries.modes()[cluster.name] !== 'down' };
    };

    let tasks: Record<string, Task> | undefined;
    const handlers = lazyHandlers(() => {
      if (tasks === undefined) throw new Error('the local runtime is still starting');
      return tasks;
    });
    let platform: LocalPlatform | undefined;
    platform = await openLocalPlatform({
      handlers,
      // Each Task runs as long as its Lambda function may on AWS (a 10,000-app Reconcile outlives 60 s).
      handlerTimeouts: HANDLER_TIMEOUTS,
      ...(stateDir === undefined ? {} : { stateDir }),
      waitScale: scale.wait,
      eventBusName: names.bus,
      route53: {
        externalTarget: entryPointTarget,
        insyncDelayMs: scale.insync,
        healthCheckTimeScale: scale.health,
        // A canary hostname goes to its cluster's server; any other name (a per-app health
        // name) as Route 53 would resolve it: through its record, to the entry point it aliases.
        resolveTarget: (host) => canaries.resolve(host) ?? canaries.resolveEntryPoint(platform?.route53.aliasTargetOf(host)),
      },
    });
    const opened = platform;
    cleanups.push(() => opened.close());
    const { route53, alarms } = opened;

    const dns =
      options.dnsPort === null
        ? undefined
        : await startDnsServer({
            host: options.host ?? '127.0.0.1',
            port: options.dnsPort ?? 0,
            resolve: (query) => route53.resolve(query),
            defaultRegion: fleet.config.clusters[0]?.region ?? 'us-east-1',
            log,
          });
    if (dns !== undefined) cleanups.push(() => dns.close());
    let ready = false;
    let problems: string[] = [];

    const executions = (statusFilter?: 'RUNNING'): StoredExecution[] =>
      opened.stepFunctions.listStateMachines({ maxResults: 1000 }).items.flatMap(
        (m) =>
          opened.stepFunctions.listExecutions({
            stateMachineArn: m.stateMachineArn,
            maxResults: 1000,
            ...(statusFilter === undefined ? {} : { statusFilter }),
          }).items,
      );
    const workflowOf = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1).replace(stagePrefix(names.stage), '');

    const saveModes = async () => {
      if (modesFile !== undefined) await writeJsonFileAtomic(modesFile, canaries.modes());
    };
    const setCanary = async (cluster: string, mode: CanaryMode): Promise<CanaryInfo> => {
      const info = await canaries.setMode(cluster, mode);
      await saveModes();
      log(`canary of ${cluster}: ${mode}`);
      return info;
    };
    /** One app fails (503) or answers again on one cluster; only an app the cluster publishes. */
    const setApp = async (cluster: string, hostname: string, failing: boolean): Promise<CanaryInfo> => {
      const app = hostname.trim().toLowerCase().replace(/\.$/, '');
      if (failing) {
        if (!fleet.config.clusters.some((c) => c.name === cluster))
          throw new UnknownCluster(
            cluster,
            fleet.config.clusters.map((c) => c.name),
          );
        const published = (await deps.table.listApps()).filter((a) => a.endpoints.some((e) => e.cluster === cluster)).map((a) => a.hostname);
        if (!published.includes(app)) {
          throw new InvalidInput(`--app ${hostname}: cluster ${cluster} does not publish it (it publishes ${published.sort().join(', ') || 'nothing yet'})`, {
            cluster,
            hostname,
          });
        }
      }
      const info = canaries.setAppFailing(cluster, app, failing);
      if (appFailuresFile !== undefined) await writeJsonFileAtomic(appFailuresFile, canaries.failingApps());
      log(`${app} on ${cluster}: ${failing ? 'failing' : 'healthy'}`);
      return info;
    };
    // Filled in once the endpoint is up (they read through it); until then the control API says "starting".
    let status: (() => Promise<LocalStatus>) | undefined;
    let started: LocalRuntime | undefined;
    const dashboard = createDashboard({
      source: localSource(fleet, names, () => started, { ...options.dashboard, log }),
      // The page carries the runtime's per-run control token: one secret per run for every local write.
      guard: dashboardGuard(options.dashboard?.token ?? controlToken),
      ...(options.dashboard?.refreshMs === undefined ? {} : { refreshMs: options.dashboard.refreshMs }),
      log,
    });
    // What `switchyard local traffic` reports: the dashboard's request chart.
    const clusterNames = fleet.config.clusters.map((c) => c.name);
    const requests = requestFeed(dashboard.series, clusterNames);
    let discover: (() => Promise<{ events: number; problems: string[]; unreachable: string[] }>) | undefined;

    const endpoint: Endpoint = await startEndpoint({
      port: options.port ?? defaultPort(),
      ...(options.host === undefined ? {} : { host: options.host }),
      log,
      services: [
        dashboard.service,
        controlService(
          {
            status: () => (status ?? stillStarting)(),
            ready: () => ready,
            fail: (cluster, mode, app) => (app === undefined ? setCanary(cluster, mode) : setApp(cluster, app, true)),
            heal: (cluster, app) => (app === undefined ? setCanary(cluster, 'healthy') : setApp(cluster, app, false)),
            discover: () => (discover ?? stillStarting)(),
            traffic: async (body) => ({ sample: requests.report(parseTrafficReport(body, clusterNames)) }),
          },
          controlToken,
        ),
        ...opened.services,
      ],
    });
    // Closes every mounted service too (each close is idempotent).
    cleanups.push(() => endpoint.close());

    const exposure = runtimeExposureWarning(options.host ?? '127.0.0.1', endpoint.url);
    if (exposure !== undefined) {
      log(exposure);
      problems.push(exposure);
    }
    options.onListening?.(endpoint.url);
    const clients = localClients(endpoint.url, undefined, endpoint.handle);
    cleanups.push(() => clients.destroy());
    const deps = localDeps({ fleet, clients, names, insyncPollMs: scale.poll });
    tasks = createTasks(deps);
    if (stateDir !== undefined)
      await writeJsonFileAtomic(join(stateDir, 'runtime.json'), { pid: process.pid, url: endpoint.url, fleet: fleet.dir, startedAt: new Date().toISOString() });

    await ensureStateTable(clients.dynamodb, names.table);
    problems.push(...(await ensureZones(fleet, clients)), ...opened.eventBus.loadProblems());
    const workflows = await loadWorkflowFolder(options.workflowsDir ?? DEFAULT_WORKFLOWS);
    deployWorkflows(opened.stepFunctions, workflows, { prefix: stagePrefix(names.stage) });
    const triggers = installTriggers(opened.eventBus, { fleet: fleet.config, names, functions: Object.keys(handlers), workflows: [...workflows.keys()] });
    for (const route of triggers)
      if (route.target === undefined) problems.push(`rule ${route.rule}: nothing handles these events locally (no router function among the handlers)`);

    const canaryAlarms = await ensureCanaryAlarms(fleet.config, names.stage, clients.route53, alarms);
    const follower = followHealthChecks({
      alarms,
      canaryAlarms,
      healthCheckStatus: (id) => route53.healthCheckStatus(id),
      onHealthCheckStatusChange: (listener) => route53.onHealthCheckStatusChange(listener),
      evaluationMs: 60_000 * scale.health,
    });
    cleanups.push(() => follower.stop());
    // The edges' canaries feed the upstream alarms that the upstream records' checks read (docs/edge.md).
    const edgeCanaries = startEdgeCanaries({
      fleet: fleet.config,
      alarms,
      upstreamAlarms: ensureUpstreamAlarms(fleet.config, alarms),
      loadBalancerOf: (cluster) => canaries.resolve(fleet.config.clusters.find((c) => c.name === cluster)?.canaryHostname ?? ''),
      everyMs: fleet.config.healthCheck.intervalSeconds * 1000 * scale.health,
      timeoutMs: Math.max(500, Math.round(6000 * scale.health)),
    });
    cleanups.push(() => edgeCanaries.stop());

    const recovered = await recoverInterrupted({ stepFunctions: opened.stepFunctions, deps, workflowOf });
    for (const outcome of recovered) log(`recovered ${outcome.workflow} ${outcome.executionArn}: ${outcome.action} (${outcome.detail})`);

    // One in-cluster agent per simulated cluster, each watching a stand-in API server of its
    // manifest folder (docs/agent.md); the same code path as an agent in a Pod.
    const every = options.discoverEveryMs ?? Math.max(200, Math.round(2000 * (options.timeScale ?? 1)));
    const agents = await openLocalAgents({ fleet, stateDir, client: clients.eventbridge, eventBusName: names.bus, pollMs: every, log });
    // Before the clients are destroyed (cleanups run in reverse), so a last change is still sent.
    cleanups.push(() => agents.close());
    // Each agent's own list (replaced, never changed in place, when its picture changes).
    published = () => [...agents.running.values()].map((r) => r.agent.endpoints ?? NO_ENDPOINTS);
    discover = async () => {
      const result = await agents.discover();
      problems = [...problems.filter((p) => !p.startsWith('discovery: ')), ...result.problems.map((p) => `discovery: ${p}`)];
      return result;
    };

    const settle = async (timeoutMs = options.settleTimeoutMs ?? 120_000, workflows?: readonly string[]) => {
      const deadline = Date.now() + timeoutMs;
      const interrupted = () => new Set(opened.stepFunctions.interruptedExecutions().map((e) => e.executionArn));
      for (;;) {
        await opened.eventBus.idle();
        const skip = interrupted();
        // Only the running ones are listed (and sorted): the closed ones grow with every run.
        const running = executions('RUNNING').filter(
          (e) => !skip.has(e.executionArn) && (workflows === undefined || workflows.includes(workflowOf(e.stateMachineArn))),
        );
        if (running.length === 0) return;
        if (Date.now() > deadline) throw new Error(`still running after ${timeoutMs} ms: ${running.map((e) => e.name).join(', ')}`);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(running.map((e) => opened.stepFunctions.waitForExecution(e.executionArn))),
          new Promise((r) => {
            timer = setTimeout(r, Math.max(0, deadline - Date.now()));
          }),
        ]);
        clearTimeout(timer);
      }
    };

    status = async (): Promise<LocalStatus> => {
      const fleetView = await fleetStatus({
        fleet: fleet.config,
        table: deps.table,
        route53: clients.route53,
        health: deps.health,
        healthCheckStatus: (id) => route53.healthCheckStatus(id),
      });
      const summaries: ExecutionSummary[] = executions()
        .sort((a, b) => b.startDate - a.startDate)
        .slice(0, 30)
        .map((e) => ({
          workflow: workflowOf(e.stateMachineArn),
          name: e.name,
          executionArn: e.executionArn,
          status: e.status,
          startDate: new Date(e.startDate).toISOString(),
          ...(e.stopDate === undefined ? {} : { stopDate: new Date(e.stopDate).toISOString() }),
          ...(e.error === undefined ? {} : { error: e.error }),
        }));
      return {
        endpoint: endpoint.url,
        ...(dns === undefined ? {} : { dns: { host: dns.host, port: dns.port } }),
        fleet: fleet.dir,
        ...(stateDir === undefined ? {} : { stateDir }),
        ready,
        ...fleetView,
        canaries: canaries.list(),
        alarms: alarms.list().map((a) => ({ name: a.name, state: a.state })),
        executions: summaries,
        events: opened.eventBus
          .recentEvents()
          .slice(-50)
          .map((r) => ({
            time: r.event.time,
            bus: r.bus,
            source: r.event.source,
            detailType: r.event['detail-type'],
            summary: summarizeDetail(r.event.detail),
            deliveries: r.deliveries.map((d) => `${d.rule} → ${d.arn.slice(d.arn.lastIndexOf(':') + 1)}: ${d.status}${d.error ? ` (${d.error})` : ''}`),
          })),
        problems,
      };
    };

    const runtime: LocalRuntime = (started = {
      url: endpoint.url,
      port: endpoint.port,
      controlToken,
      dns: dns === undefined ? undefined : { host: dns.host, port: dns.port },
      fleet,
      names,
      stateDir,
      platform: opened,
      route53,
      alarms,
      canaries,
      clients,
      deps,
      dashboard,
      triggers,
      agents,
      recovered,
      get ready() {
        return ready;
      },
      status,
      fail: (cluster, mode = 'failing') => setCanary(cluster, mode),
      heal: (cluster) => setCanary(cluster, 'healthy'),
      failApp: (cluster, hostname) => setApp(cluster, hostname, true),
      healApp: (cluster, hostname) => setApp(cluster, hostname, false),
      discover,
      settle,
      executions,
      close: cleanup,
    });

    if (options.onboard ?? true) {
      // Only onboarding is waited for: a fail-back may sit out a long hold-down meanwhile.
      const onboarding = ['OnboardApp', 'OffboardApp', 'Reconcile'];
      const first = await discover();
      log(`discovery: ${first.events} Gateway event(s) sent${first.unreachable.length > 0 ? `; unreachable: ${first.unreachable.join(', ')}` : ''}`);
      await settle(undefined, onboarding);
      // As on AWS, events make convergence fast and Reconcile guarantees it: one run now,
      // so whatever the events missed (or a crash cut short) is put right before "ready".
      const reconcile = triggers.find((t) => t.schedule !== undefined && t.target !== undefined);
      if (reconcile !== undefined) {
        opened.eventBus.triggerRule(reconcile.rule, reconcile.bus);
        await settle(undefined, onboarding);
      }
    }
    // Without onboarding and without watching (tests of the wire), the agents start at the first discover().
    if (every > 0 && !(options.onboard ?? true)) await agents.start();
    ready = true;
    return runtime;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
