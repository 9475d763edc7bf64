// The local runtime as the runtime benches run it: every wait at zero, the bench apps
// published by one Reconcile (what onboarding converges to), and executions timed by their
// own start and stop dates. Shared by local-runtime.bench.ts (the drains), onboard.bench.ts
// and drain-profile.ts.
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { bigFleet } from './fleet.ts';

/** Every wait of the runtime at zero; health checks fast enough that a failing canary shows at once. */
export const ZERO_WAITS = { waitScale: 0, insyncDelayMs: 0, healthCheckTimeScale: 0.01, discoverEveryMs: 0 } as const;

/** A runtime on `fleetDir`; with bench apps, one Reconcile first publishes them all (what onboarding converges to). */
export async function publishedRuntime(fleetDir: string | undefined, withBenchApps: boolean): Promise<LocalRuntime> {
  const runtime = await startLocalRuntime({
    ...(fleetDir === undefined ? {} : { fleet: fleetDir }),
    stateDir: null,
    port: 0,
    ...(withBenchApps ? { onboard: false } : {}),
    settleTimeoutMs: 600_000,
    ...ZERO_WAITS,
  });
  if (withBenchApps) {
    const reconcile = runtime.triggers.find((t) => t.schedule !== undefined)!;
    runtime.platform.eventBus.triggerRule(reconcile.rule, reconcile.bus);
    await runtime.platform.eventBus.idle();
    await runtime.settle(600_000);
  }
  return runtime;
}

export interface PublishedApps {
  runtime: LocalRuntime;
  /** A Step Functions client on the runtime's endpoint (over HTTP, as an operator's). */
  sfn: SFNClient;
  /** How long the fleet and the runtime took to set up, publishing included. */
  setupMs: number;
}

/** Runs `use` on a runtime of its own with `apps` bench apps published on east and west; closes and removes it all after. */
export async function withPublishedApps<T>(apps: number, use: (published: PublishedApps) => Promise<T>): Promise<T> {
  const fleet = await bigFleet(apps);
  const started = Date.now();
  const runtime = await publishedRuntime(fleet.dir, true);
  const sfn = new SFNClient({ endpoint: runtime.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    return await use({ runtime, sfn, setupMs: Date.now() - started });
  } finally {
    sfn.destroy();
    await runtime.close();
    await fleet.remove();
  }
}

/** Runs `workflow` with `input` and waits for it; its duration (Step Functions' own start and stop dates), the process CPU it took, and its ARN. */
export async function timedExecution(
  sfn: SFNClient,
  runtime: LocalRuntime,
  workflow: string,
  input: unknown,
): Promise<{ ms: number; cpuMs: number; executionArn: string }> {
  const cpu = process.cpuUsage();
  const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: runtime.names.stateMachineArn(workflow), input: JSON.stringify(input) }));
  let done;
  for (;;) {
    done = await sfn.send(new DescribeExecutionCommand({ executionArn: out.executionArn }));
    if (done.status !== 'RUNNING') break;
    // Polling only finds the end; the duration comes from the execution's own dates, so a
    // gentle poll costs no accuracy and takes less CPU from the drain it measures.
    await new Promise((r) => setTimeout(r, 50));
  }
  const used = process.cpuUsage(cpu);
  if (done.status !== 'SUCCEEDED') throw new Error(`${workflow} ${done.status}: ${done.error}: ${done.cause}`);
  return { ms: done.stopDate!.getTime() - done.startDate!.getTime(), cpuMs: Math.round((used.user + used.system) / 1000), executionArn: out.executionArn! };
}
