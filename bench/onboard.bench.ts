// Onboarding at scale (docs/benchmarks.md, "Onboarding at scale"): one OnboardApp on the
// local runtime, every wait at zero, with 100, 1,000 and 10,000 apps already published (set
// up with one Reconcile, bench/lib/runtime.ts), from StartExecution to SUCCEEDED
// (the new app's sets created, INSYNC), with the CPU the process spent on it. An app's
// onboarding reads Route 53 at its own names only (docs/dns.md, "What an apply reads"), so
// its cost must not follow the fleet: publishing N apps one by one would grow with N². The
// growth rule (bench/lib/growth.ts) holds the CPU to linear or better in the apps; the issue
// names no target for the figure itself.
import { normalizeName } from '../src/core/dns-names.ts';
import { growthTarget } from './lib/growth.ts';
import { median } from './lib/stats.ts';
import { timedExecution, withPublishedApps } from './lib/runtime.ts';

const SIZES = [100, 1000, 10_000] as const;
/** Onboardings measured per size (each a new app on east and west); a size's figure is their median. */
const ONBOARDS = 7;

/** `ONBOARDS` OnboardApp executions of new apps on a runtime with `apps` bench apps published. */
export async function onboardApps(
  apps: number,
): Promise<{ apps: number; setupMs: number; runsMs: number[]; cpuMs: number[]; medianMs: number; medianCpuMs: number }> {
  return withPublishedApps(apps, async ({ runtime, sfn, setupMs }) => {
    const zone = (await runtime.clients.route53.listHostedZones())[0]!;
    const runs: { ms: number; cpuMs: number }[] = [];
    for (let i = 0; i < ONBOARDS; i++) {
      const hostname = `onboard-${i}.example.com`;
      const endpoints = ['east', 'west'].map((cluster) => ({ hostname, cluster, gateway: 'bench/onboard', annotations: { routing: 'weighted' } }));
      runs.push(await timedExecution(sfn, runtime, 'OnboardApp', { hostname, endpoints }));
      // The app is published: both clusters' sets at its name.
      const page = await runtime.clients.route53.listRecordSetsPage(zone.id, { name: `${hostname}.` });
      const sets = page.records.filter((r) => normalizeName(r.name) === `${hostname}.` && r.type === 'A').map((r) => r.setIdentifier);
      if (sets.sort().join(',') !== 'east,west') throw new Error(`after OnboardApp of ${hostname}, Route 53 holds ${sets.join(', ') || 'no'} sets at its name`);
    }
    const runsMs = runs.map((r) => r.ms);
    const cpuMs = runs.map((r) => r.cpuMs);
    return { apps, setupMs, runsMs, cpuMs, medianMs: median(runsMs), medianCpuMs: median(cpuMs) };
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const sizes = [];
  for (const apps of SIZES) sizes.push(await onboardApps(apps));
  return {
    onboardBySize: sizes,
    targets: [
      growthTarget(
        'one OnboardApp on the local runtime, waits at zero: median CPU ms by apps already published',
        sizes.map((s) => ({ size: s.apps, value: s.medianCpuMs })),
      ),
    ],
  };
}
