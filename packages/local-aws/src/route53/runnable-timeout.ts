// A probe timeout that counts only the time this process could run.
//
// The emulator's health checker and the endpoints it probes (the local runtime's simulated
// load balancers) usually share one process. When the machine is starved of CPU, the process
// is descheduled for hundreds of milliseconds at a time; a plain setTimeout then fires as soon
// as it runs again, in the timers phase, before the poll phase has read the answer that is
// already waiting on the socket. The endpoint answered in time, yet the probe reads
// "did not send a response in time", three of those in a row flip the check UNHEALTHY, and a
// failover follows (docs/local-runtime.md, "Health checks under load").
//
// So the timeout advances in small ticks, and a tick that comes late (the process was not
// running) counts as at most two ticks: a stall is not charged to the endpoint, while a
// process that runs normally times out after `timeoutMs` as before.
import { performance } from 'node:perf_hooks';

export interface RunnableTimeout {
  clear(): void;
}

/** Calls `onExpire` once `timeoutMs` of runnable time has passed; `clear()` cancels it. */
export function runnableTimeout(timeoutMs: number, onExpire: () => void, tickMs = Math.max(1, Math.min(50, timeoutMs))): RunnableTimeout {
  let remaining = timeoutMs;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    remaining -= Math.min(now - last, 2 * tickMs);
    last = now;
    if (remaining > 0) return;
    clearInterval(timer);
    onExpire();
  }, tickMs);
  return { clear: () => clearInterval(timer) };
}
