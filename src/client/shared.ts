/**
 * Process-wide state shared by every SoracomClient: the rate limiter, the retry budget, the token
 * cache and the connection pools. Created lazily on first use.
 */
import { clearTokenCache } from "./token-cache";
import { RateLimiter, type RateLimiterOptions } from "./rate-limiter";
import { RetryBudget, type RetryBudgetOptions } from "./retry";
import { closeSharedDispatchers } from "./transport";

let limiter: RateLimiter | undefined;
let budget: RetryBudget | undefined;
let limiterOptions: RateLimiterOptions = {};
let budgetOptions: RetryBudgetOptions = {};

/** The process-wide rate limiter (created on first use). */
export function sharedRateLimiter(): RateLimiter {
  limiter ??= new RateLimiter(limiterOptions);
  return limiter;
}

/** The process-wide retry budget (created on first use). */
export function sharedRetryBudget(): RetryBudget {
  budget ??= new RetryBudget(budgetOptions);
  return budget;
}

/** Settings of the process-wide limiter and retry budget. */
export interface SharedLimitsOptions {
  /** Concurrent requests per process, fixed (default: adaptive, see rate-limiter.ts). Same as the client option `maxConcurrency`. */
  maxConcurrency?: number;
  /** Low-watermark tuning of the adaptive limiter; takes effect for a limiter created afterwards. */
  lowWatermarkFraction?: number;
  lowWatermarkMin?: number;
  /** Retry budget (default capacity 20, refill 1/s); replaces the current budget. */
  retryBudget?: RetryBudgetOptions;
}

/**
 * Configures the process-wide limiter and retry budget. `maxConcurrency` changes the live limiter;
 * `retryBudget` starts a new, full budget; the watermarks apply when the limiter is next created
 * (after {@link resetSharedClientState}).
 */
export function configureSharedLimits(opts: SharedLimitsOptions): void {
  const { retryBudget, ...lim } = opts;
  limiterOptions = { ...limiterOptions, ...lim };
  if (opts.maxConcurrency !== undefined) sharedRateLimiter().setMaxConcurrency(opts.maxConcurrency);
  if (retryBudget) {
    budgetOptions = retryBudget;
    budget = new RetryBudget(budgetOptions);
  }
}

/**
 * Forgets all process-wide client state: cached tokens, rate-limit observations, the retry budget and
 * the connection pools (closed). Meant for tests and for scripts that rotate credentials.
 */
export async function resetSharedClientState(): Promise<void> {
  clearTokenCache();
  limiter = undefined;
  budget = undefined;
  limiterOptions = {};
  budgetOptions = {};
  await closeSharedDispatchers();
}
