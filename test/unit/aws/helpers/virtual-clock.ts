// A clock whose time only moves when every caller is asleep: each sleep is a
// timer, and once the event loop is otherwise idle (setImmediate) the clock jumps
// to the earliest timer and wakes it. Concurrent sleepers see consistent time and
// tests never really wait.
import type { Pacer } from '../../../../src/core/ports.ts';

export class VirtualClock implements Pacer {
  #now: number;
  #timers: Array<{ at: number; resolve: () => void }> = [];
  #scheduled = false;
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve) => {
      this.#timers.push({ at: this.#now + Math.max(0, ms), resolve });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#fire();
    });
  }

  #fire(): void {
    if (this.#timers.length === 0) return;
    const at = Math.min(...this.#timers.map((t) => t.at));
    this.#now = at;
    const due = this.#timers.filter((t) => t.at <= at);
    this.#timers = this.#timers.filter((t) => t.at > at);
    for (const timer of due) timer.resolve();
    if (this.#timers.length > 0) this.#schedule();
  }
}
