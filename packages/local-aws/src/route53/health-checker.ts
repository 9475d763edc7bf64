// Live health checks: timers that probe each endpoint every RequestInterval (scaled
// for tests), follow local alarms, combine CALCULATED children, and tell listeners
// when a check's status changes. The rules are in health-rules.ts.
import { alarmHealth, calculatedHealth, checkersFor, isEndpointCheck, reportedHealth, tally, type AlarmState, type Tally } from './health-rules.ts';
import type { HealthCheck, HealthCheckType } from './model.ts';
import { probe, type ProbeResult, type ProbeTarget } from './prober.ts';

export type ResolveTarget = (host: string, port: number) => { host: string; port: number } | undefined | Promise<{ host: string; port: number } | undefined>;
export type AlarmStateLookup = (region: string, name: string) => AlarmState | undefined | Promise<AlarmState | undefined>;

/** A change of a health check's status, as Route 53 would report it. */
export interface HealthCheckStatusChange {
  healthCheckId: string;
  callerReference: string;
  type: HealthCheckType;
  fullyQualifiedDomainName?: string;
  healthy: boolean;
  previous: boolean;
  at: Date;
}

export interface Observation {
  region: string;
  ipAddress: string;
  status: string;
  checkedTime: string;
}

export interface HealthCheckerOptions {
  /** Multiplies every interval: 0.01 makes a 10 s RequestInterval 100 ms. */
  timeScale: number;
  /** Connect + response time allowed to one probe. */
  probeTimeoutMs: number;
  resolveTarget: ResolveTarget;
  alarmState?: AlarmStateLookup;
  /** Called when a check's status changes, to persist it. */
  remember(id: string, healthy: boolean): void;
}

/** How often a CLOUDWATCH_METRIC check reads its alarm (before scaling). */
const ALARM_POLL_SECONDS = 10;

interface Runtime {
  check: HealthCheck;
  tally: Tally;
  /** What the check reports (after Inverted and Disabled). */
  healthy: boolean;
  observations: Observation[];
  timer?: NodeJS.Timeout;
  inFlight?: AbortController;
}

export class HealthChecker {
  private readonly options: HealthCheckerOptions;
  private readonly runtimes = new Map<string, Runtime>();
  private readonly listeners = new Set<(change: HealthCheckStatusChange) => void>();
  private closed = false;

  constructor(options: HealthCheckerOptions) {
    this.options = options;
  }

  /** Starts (or restarts, after an update) checking. */
  track(check: HealthCheck): void {
    const previous = this.runtimes.get(check.id);
    this.stopTimers(previous);
    const measured = previous?.tally.healthy ?? check.lastHealthy ?? true;
    const runtime: Runtime = {
      check,
      tally: { healthy: measured, successes: 0, failures: 0 },
      healthy: previous?.healthy ?? reportedHealth(check.config, measured),
      observations: previous?.observations ?? [],
    };
    this.runtimes.set(check.id, runtime);
    this.settle(runtime);
    if (!check.config.disabled && !this.closed) {
      if (isEndpointCheck(check.config.type)) this.schedule(runtime, 0, () => this.probeOnce(runtime));
      if (check.config.type === 'CLOUDWATCH_METRIC') this.schedule(runtime, 0, () => this.readAlarm(runtime));
    }
    // A calculated check loaded before its children settles once they arrive.
    this.recalculateParents(check.id);
  }

  untrack(id: string): void {
    this.stopTimers(this.runtimes.get(id));
    this.runtimes.delete(id);
    this.recalculateParents(id);
  }

  /** The status the check reports now (undefined for an unknown id). */
  isHealthy(id: string): boolean | undefined {
    return this.runtimes.get(id)?.healthy;
  }

  observations(id: string): Observation[] {
    return [...(this.runtimes.get(id)?.observations ?? [])];
  }

  subscribe(listener: (change: HealthCheckStatusChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const runtime of this.runtimes.values()) this.stopTimers(runtime);
    this.listeners.clear();
  }

  private stopTimers(runtime: Runtime | undefined): void {
    if (runtime === undefined) return;
    clearTimeout(runtime.timer);
    runtime.timer = undefined;
    runtime.inFlight?.abort();
    runtime.inFlight = undefined;
  }

  /** Runs `work` after `delayMs`, then again every interval, measured from each start. */
  private schedule(runtime: Runtime, delayMs: number, work: () => Promise<void>): void {
    const intervalMs = this.intervalMs(runtime.check);
    runtime.timer = setTimeout(async () => {
      const started = Date.now();
      await work();
      if (this.closed || this.runtimes.get(runtime.check.id) !== runtime || runtime.inFlight?.signal.aborted) return;
      this.schedule(runtime, Math.max(0, intervalMs - (Date.now() - started)), work);
    }, delayMs);
  }

  private intervalMs(check: HealthCheck): number {
    const seconds = check.config.type === 'CLOUDWATCH_METRIC' ? ALARM_POLL_SECONDS : (check.config.requestInterval ?? 30);
    return Math.max(1, Math.round(seconds * 1000 * this.options.timeScale));
  }

  private async probeOnce(runtime: Runtime): Promise<void> {
    const config = runtime.check.config;
    const controller = new AbortController();
    runtime.inFlight = controller;
    const result = await this.probeEndpoint(runtime.check, controller.signal);
    if (controller.signal.aborted) return;
    runtime.inFlight = undefined;
    this.observe(runtime, result.status);
    runtime.tally = tally(runtime.tally, result.ok, config.failureThreshold ?? 3);
    this.settle(runtime);
  }

  private async probeEndpoint(check: HealthCheck, signal: AbortSignal): Promise<ProbeResult> {
    const c = check.config;
    const host = c.ipAddress ?? c.fullyQualifiedDomainName!;
    const port = c.port ?? 80;
    let resolved: { host: string; port: number } | undefined;
    try {
      resolved = await this.options.resolveTarget(host, port);
    } catch {
      resolved = undefined;
    }
    if (resolved === undefined) return { ok: false, status: 'Failure: DNS resolution failed.' };
    const kind = c.type === 'TCP' ? 'tcp' : c.type.startsWith('HTTPS') ? 'https' : 'http';
    const target: ProbeTarget = {
      kind,
      host: resolved.host,
      port: resolved.port,
      hostHeader: c.fullyQualifiedDomainName ?? c.ipAddress!,
      path: c.resourcePath ?? '/',
      sni: c.enableSNI ?? false,
    };
    if (c.searchString !== undefined) target.searchString = c.searchString;
    return probe(target, this.options.probeTimeoutMs, signal);
  }

  private async readAlarm(runtime: Runtime): Promise<void> {
    const alarm = runtime.check.config.alarmIdentifier!;
    let state: AlarmState | undefined;
    try {
      state = await this.options.alarmState?.(alarm.region, alarm.name);
    } catch {
      state = undefined;
    }
    const measured = alarmHealth(runtime.check.config, state, runtime.tally.healthy);
    runtime.tally = { healthy: measured, successes: 0, failures: 0 };
    // (wording ours)
    this.observe(
      runtime,
      `${measured ? 'Success' : 'Failure'}: CloudWatch alarm ${alarm.name} in ${alarm.region} is in state ${state ?? 'INSUFFICIENT_DATA'}.`,
    );
    this.settle(runtime);
  }

  private observe(runtime: Runtime, status: string): void {
    const checkedTime = new Date().toISOString();
    runtime.observations = checkersFor(runtime.check.config).map((checker) => ({ ...checker, status, checkedTime }));
  }

  /** Recomputes what the check reports and announces a change. */
  private settle(runtime: Runtime): void {
    const config = runtime.check.config;
    const measured = config.type === 'CALCULATED' ? calculatedHealth(config, (id) => this.isHealthy(id)) : runtime.tally.healthy;
    const healthy = reportedHealth(config, measured);
    const previous = runtime.healthy;
    runtime.healthy = healthy;
    if (healthy === previous) return;
    this.options.remember(runtime.check.id, measured);
    const change: HealthCheckStatusChange = {
      healthCheckId: runtime.check.id,
      callerReference: runtime.check.callerReference,
      type: config.type,
      healthy,
      previous,
      at: new Date(),
    };
    if (config.fullyQualifiedDomainName !== undefined) change.fullyQualifiedDomainName = config.fullyQualifiedDomainName;
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not stop health checking.
      }
    }
    this.recalculateParents(runtime.check.id);
  }

  private recalculateParents(childId: string): void {
    for (const runtime of this.runtimes.values()) {
      if (runtime.check.config.type === 'CALCULATED' && runtime.check.config.childHealthChecks?.includes(childId)) this.settle(runtime);
    }
  }
}
