// Failure modes for tests: a share of requests answered with Throttling or
// PriorRequestNotComplete, Route 53's long-documented 5 requests per second, and change
// batches accepted but never applied (a lost write, for tests of read-back).
// A refused request changes nothing.
import { priorRequestNotComplete, type Route53Error, throttling } from './errors.ts';

export type InjectedError = 'Throttling' | 'PriorRequestNotComplete';

export interface Route53Faults {
  /** Share of requests (0 to 1) refused with one of `errors`. */
  failureRate?: number;
  /** Errors to inject (default both). PriorRequestNotComplete only answers requests that change a zone; others get Throttling. */
  errors?: InjectedError[];
  /** Enforce a request rate (true: Route 53's 5 per second); requests beyond it get Throttling. */
  rateLimit?: boolean | number;
  /** Seed of the random share, for repeatable runs. */
  seed?: number;
  /**
   * Share of valid change batches (0 to 1; true: every one) accepted without being
   * applied: the answer carries a change id that turns INSYNC as usual, but the zone
   * keeps its sets. What a caller that trusts "the apply returned" cannot see.
   */
  acceptWithoutApply?: boolean | number;
}

/** Route 53's account-wide request rate. */
export const ROUTE53_REQUESTS_PER_SECOND = 5;

export class FaultInjector {
  private faults: Route53Faults = {};
  private random: () => number = Math.random;
  private tokens = ROUTE53_REQUESTS_PER_SECOND;
  private refilledAt: number;
  private readonly now: () => number;

  constructor(faults: Route53Faults = {}, now: () => number = Date.now) {
    this.now = now;
    this.refilledAt = now();
    this.set(faults);
  }

  set(faults: Route53Faults): void {
    const rate = faults.failureRate ?? 0;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`failureRate must be between 0 and 1, not ${rate}`);
    const drop = faults.acceptWithoutApply;
    if (typeof drop === 'number' && !(drop >= 0 && drop <= 1)) throw new RangeError(`acceptWithoutApply must be between 0 and 1, not ${drop}`);
    this.faults = { ...faults };
    this.random = faults.seed === undefined ? Math.random : mulberry32(faults.seed);
    this.tokens = this.perSecond() ?? ROUTE53_REQUESTS_PER_SECOND;
    this.refilledAt = this.now();
  }

  get current(): Route53Faults {
    return { ...this.faults };
  }

  /** The error to answer this request with, or undefined to serve it. */
  check(request: { changesZone: boolean }): Route53Error | undefined {
    const perSecond = this.perSecond();
    if (perSecond !== undefined && !this.takeToken(perSecond)) return throttling();
    const rate = this.faults.failureRate ?? 0;
    if (rate === 0 || this.random() >= rate) return undefined;
    const errors = this.faults.errors ?? ['Throttling', 'PriorRequestNotComplete'];
    const usable = request.changesZone ? errors : errors.filter((e) => e !== 'PriorRequestNotComplete');
    const pick = usable.length === 0 ? 'Throttling' : usable[Math.floor(this.random() * usable.length)]!;
    return pick === 'PriorRequestNotComplete' ? priorRequestNotComplete() : throttling();
  }

  /** True when this valid change batch is to be accepted without being applied. */
  dropsChange(): boolean {
    const drop = this.faults.acceptWithoutApply;
    if (drop === undefined || drop === false || drop === 0) return false;
    return drop === true || this.random() < drop;
  }

  private perSecond(): number | undefined {
    const limit = this.faults.rateLimit;
    if (limit === undefined || limit === false) return undefined;
    return limit === true ? ROUTE53_REQUESTS_PER_SECOND : limit;
  }

  /** Token bucket holding one second's worth of requests. */
  private takeToken(perSecond: number): boolean {
    const now = this.now();
    this.tokens = Math.min(perSecond, this.tokens + ((now - this.refilledAt) / 1000) * perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Small seeded PRNG (mulberry32): repeatable shares for tests. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
