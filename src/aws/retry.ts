// Retry with exponential backoff and full jitter, and a token-bucket limiter, for
// the Route 53 control plane: it limits the requests per second of an account and
// answers `Throttling` / `PriorRequestNotComplete` when pushed. Time is injected
// (Pacer) so tests never really wait.
import { TransientAwsError, errorMessage } from '../core/errors.ts';
import { systemPacer, type Pacer } from '../core/ports.ts';

/**
 * The most a process's limiter sends: Route 53's long-documented limit per account. AWS now
 * documents 10 a second with a burst of 50; 5 leaves the rest to other processes
 * (docs/operations.md, "One Route 53 rate limiter per process").
 */
export const ROUTE53_MAX_REQUESTS_PER_SECOND = 5;

export interface RateLimiterOptions {
  /** Sustained rate; at most ROUTE53_MAX_REQUESTS_PER_SECOND. */
  ratePerSecond?: number;
  /**
   * Bucket size. 1 (the default) spaces requests evenly, so no one-second window
   * ever holds more than `ratePerSecond` requests; a larger burst would allow
   * `burst + ratePerSecond - 1` in the first second.
   */
  burst?: number;
  clock?: Pacer;
}

/**
 * A token bucket, kept as the generic cell rate algorithm: `#due` is when the
 * bucket is next empty-and-refilled. `take()` reserves its slot synchronously (so
 * concurrent callers queue in call order) and then waits until the slot is due.
 */
export class RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #clock: Pacer;
  readonly #interval: number;
  #due = -Infinity;

  constructor(options: RateLimiterOptions = {}) {
    this.ratePerSecond = options.ratePerSecond ?? ROUTE53_MAX_REQUESTS_PER_SECOND;
    this.burst = options.burst ?? 1;
    if (!(this.ratePerSecond > 0 && this.ratePerSecond <= ROUTE53_MAX_REQUESTS_PER_SECOND)) {
      throw new RangeError(`ratePerSecond must be in (0, ${ROUTE53_MAX_REQUESTS_PER_SECOND}], got ${this.ratePerSecond}`);
    }
    if (!(Number.isInteger(this.burst) && this.burst >= 1)) throw new RangeError(`burst must be a positive integer, got ${this.burst}`);
    this.#clock = options.clock ?? systemPacer;
    this.#interval = 1000 / this.ratePerSecond;
  }

  async take(): Promise<void> {
    const now = this.#clock.now();
    const slot = Math.max(this.#due, now);
    this.#due = slot + this.#interval;
    const start = slot - (this.burst - 1) * this.#interval;
    if (start > now) await this.#clock.sleep(start - now);
  }
}

const route53Limiters = new WeakMap<Pacer, RateLimiter>();

/**
 * The process's one Route 53 token bucket: Route 53 limits the requests per second of an
 * account, so every adapter of a process (a Lambda's DNS port and health source, the
 * CLI's) must draw from the same bucket, not one each. One bucket per clock, so a test
 * with a simulated clock gets its own, shared by its adapters.
 */
export function route53Limiter(clock: Pacer = systemPacer): RateLimiter {
  let limiter = route53Limiters.get(clock);
  if (limiter === undefined) route53Limiters.set(clock, (limiter = new RateLimiter({ clock })));
  return limiter;
}

const TRANSIENT_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'PriorRequestNotComplete',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
  'RequestTimeout',
  'TimeoutError',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/** True for errors worth retrying: throttling, a prior change still in flight, 5xx, dropped connections. */
export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (e.name !== undefined && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code !== undefined && TRANSIENT_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  return e.$retryable !== undefined && e.$retryable !== null;
}

/** Route 53 pushing back on the request rate (not a 5xx or a dropped connection). */
export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'Throttling' || e.name === 'ThrottlingException' || e.name === 'PriorRequestNotComplete' || e.$metadata?.httpStatusCode === 429;
}

export interface RetryOptions {
  /** Attempts in all, including the first. */
  maxAttempts?: number;
  /** Cap of the first backoff; doubles each attempt. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  clock?: Pacer;
  /** In [0, 1); injected for tests. */
  random?: () => number;
  /** Called before each backoff sleep (progress, logs). */
  onRetry?: (info: { operation: string; attempt: number; delayMs: number; error: unknown }) => void;
}

export const DEFAULT_RETRY = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 20_000 } as const;

/** Full jitter: a uniform delay in [0, min(max, base·2^(attempt-1))). */
export function backoffDelay(attempt: number, random: () => number, baseDelayMs: number, maxDelayMs: number): number {
  return random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
}

/**
 * Runs `attempt` until it succeeds, retrying transient errors. Other errors are
 * rethrown unchanged; a transient error that outlives `maxAttempts` becomes a
 * TransientAwsError naming the operation.
 */
export async function withRetry<T>(operation: string, attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
  const base = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const cap = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const clock = options.clock ?? systemPacer;
  const random = options.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (n >= maxAttempts) {
        const name = (error as { name?: string }).name ?? 'Error';
        throw new TransientAwsError(
          `${operation}: still failing after ${n} attempts (${name}: ${errorMessage(error)})`,
          { operation, attempts: n, awsError: name },
          error,
        );
      }
      const delayMs = backoffDelay(n, random, base, cap);
      options.onRetry?.({ operation, attempt: n, delayMs, error });
      await clock.sleep(delayMs);
    }
  }
}
