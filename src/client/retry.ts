/**
 * Retry policy pieces: full-jitter capped exponential backoff and a per-process retry budget.
 */

/** Retry and wait settings of a client; every field has a default. */
export interface RetryOptions {
  /** Retries after 5xx / network errors / per-attempt timeouts of replay-safe operations (default 3). */
  maxRetries?: number;
  /** First backoff ceiling in ms (default 200). Attempt n waits random(0, min(maxDelayMs, baseDelayMs·2^(n-1))). */
  baseDelayMs?: number;
  /** Backoff cap in ms (default 10 000). */
  maxDelayMs?: number;
  /** Retries after 429 (default 5). 429 never consumes the retry budget: the server said when. */
  maxRateLimitRetries?: number;
  /** Upper bound of one wait for a 429 or the rate-limit window, in ms (default 60 000). */
  maxRateLimitWaitMs?: number;
}

/** Resolved retry settings. */
export type RetrySettings = Required<RetryOptions>;

/** Defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY: RetrySettings = {
  maxRetries: 3,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRateLimitRetries: 5,
  maxRateLimitWaitMs: 60_000,
};

/** Full-jitter backoff for retry number `retry` (1-based). */
export function backoffDelay(retry: number, s: Pick<RetrySettings, "baseDelayMs" | "maxDelayMs">, random: () => number = Math.random): number {
  const ceiling = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries that may be spent in a burst (default 20). */
  capacity?: number;
  /** Retries regained per second (default 1). */
  refillPerSecond?: number;
}

/**
 * Token bucket of retries, shared by the whole process, so a failing service is not hammered: each
 * 5xx/network retry takes a token; tokens come back at `refillPerSecond`.
 */
export class RetryBudget {
  readonly capacity: number;
  readonly refillPerSecond: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  constructor(opts: RetryBudgetOptions = {}, now: () => number = Date.now) {
    this.capacity = opts.capacity ?? 20;
    this.refillPerSecond = opts.refillPerSecond ?? 1;
    this.tokens = this.capacity;
    this.now = now;
    this.last = now();
  }

  /** Takes one retry token; false when the budget is exhausted. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Tokens available now. */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
  }
}
