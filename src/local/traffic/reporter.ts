// Sends what `switchyard local traffic` counted to the running local runtime once a tick
// (the counts since the last report), for the dashboard's request chart. Reporting never
// holds the traffic up: one report in flight at a time, and a failed one is said once and
// dropped (its counts are a second of rate, not data anyone needs later).
import { randomUUID } from 'node:crypto';
import type { TrafficReport } from './report.ts';
import type { TrafficTally } from './tally.ts';

export interface TrafficReporterOptions {
  /** Delivers one report (the CLI POSTs it to the control API with the run's token). */
  send(report: TrafficReport): Promise<unknown>;
  /** Told once when reports stop getting through, and once when they get through again. */
  warn(line: string): void;
  /** When the traffic started (ms): the first report covers the time since. */
  startedAtMs: number;
  generator?: string;
}

export interface TrafficReporter {
  readonly generator: string;
  /** Reports the counts since the last report (skipped while one is still in flight, or with nothing to report: they go with the next). */
  tick(tally: TrafficTally, nowMs: number): void;
  /** Waits for the report in flight. */
  flush(): Promise<void>;
}

export function trafficReporter(options: TrafficReporterOptions): TrafficReporter {
  const generator = options.generator ?? randomUUID();
  let lastMs = options.startedAtMs;
  let inFlight: Promise<void> | undefined;
  let failing = false;
  return {
    generator,
    tick(tally, nowMs) {
      if (inFlight !== undefined || nowMs <= lastMs) return;
      // Nothing finished since the last report: the next one covers the longer time.
      const apps = tally.takeUnreported();
      if (apps.length === 0) return;
      const report: TrafficReport = { generator, intervalMs: nowMs - lastMs, apps };
      lastMs = nowMs;
      inFlight = options
        .send(report)
        .then(() => {
          if (failing) options.warn('traffic counts reach the dashboard again');
          failing = false;
        })
        .catch((error: unknown) => {
          if (!failing) options.warn(`the dashboard does not get these traffic counts: ${error instanceof Error ? error.message : String(error)}`);
          failing = true;
        })
        .finally(() => (inFlight = undefined));
    },
    flush: async () => inFlight,
  };
}
