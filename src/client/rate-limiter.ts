/**
 * Client-side rate limiter, adaptive to Soracom's rate-limit headers. ONE instance per process
 * ({@link sharedRateLimiter}), shared by every client and caller: Soracom limits per operator per
 * minute, and the provider process serves all resources at once.
 *
 * - Caps concurrent requests. Set explicitly (`maxConcurrency`), the cap is fixed. Otherwise it starts
 *   at {@link DEFAULT_MAX_CONCURRENCY} and follows the tightest limit the server advertises
 *   (`X-Soracom-Ratelimit-Limit`): max(`lowWatermarkMin`, `lowWatermarkFraction` × limit), at most
 *   {@link ADAPTIVE_MAX_CONCURRENCY}. Why that much: requests in flight are not yet counted in the
 *   `Remaining` the limiter sees, so at most a low watermark's worth may be in flight when pacing
 *   starts; a generous limit lets the engine's parallel steps through instead of queueing at 8.
 * - Tracks `X-Soracom-Ratelimit-Remaining` / `-Seconds-Before-Refresh` per bucket (the client uses
 *   endpoint + credential + operation). While plenty remains, requests go at once. When the remaining budget gets low
 *   (≤ max(`lowWatermarkMin`, `lowWatermarkFraction` × limit)), requests are spread evenly over the
 *   seconds left in the window. At 0 (or after a 429) every caller waits until the refresh.
 */

/** Cap of concurrent requests per process before the server has said anything about its limits. */
export const DEFAULT_MAX_CONCURRENCY = 8;
/**
 * Upper bound of the adaptive cap: one request per engine step at the `--parallel 32` that
 * `soracom-sigfox fleet` passes (the best pair measured in issue 15 on a quiet machine: 1,000 creates
 * in 13.6 s vs 30 s at 8/8; docs/benchmarks.md, "Parallelism sweep"). The transport's pool holds
 * as many connections per origin (`DEFAULT_MAX_CONNECTIONS`).
 */
export const ADAPTIVE_MAX_CONCURRENCY = 32;

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Concurrent requests in flight, per process: fixed. Absent: adaptive (see the module comment). */
  maxConcurrency?: number;
  /** "Low" means remaining ≤ this fraction of the limit (default 0.1)… */
  lowWatermarkFraction?: number;
  /** …or ≤ this many requests (default 10), whichever is larger. */
  lowWatermarkMin?: number;
}

/** What the server said about the rate limit in one response. */
export interface RateLimitObservation {
  limit?: number;
  remaining?: number;
  secondsBeforeRefresh?: number;
}

interface Bucket {
  limit?: number;
  remaining: number;
  resetAt: number;
  nextSlotAt: number;
  /** Set when the SERVER says the budget is spent (remaining 0, or a 429): nobody sends before it. */
  heldUntil?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Options of one {@link RateLimiter.acquire}. */
export interface AcquireOptions {
  signal?: AbortSignal;
  /** Upper bound of the pacing wait of this call (ms). */
  maxWaitMs?: number;
  /** Called with the pacing delay when this call has to wait for the rate limit. */
  onThrottle?: (ms: number) => void;
}

/** Sleeps `ms`, rejecting with the signal's reason if it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Adaptive limiter; see the module comment. */
export class RateLimiter {
  private maxConcurrency: number;
  /** False while the cap follows the advertised limits. */
  private fixedConcurrency: boolean;
  private readonly lowFraction: number;
  private readonly lowMin: number;
  private active = 0;
  private readonly queue: Waiter[] = [];
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(opts: RateLimiterOptions = {}, now: () => number = Date.now) {
    this.maxConcurrency = validConcurrency(opts.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY);
    this.fixedConcurrency = opts.maxConcurrency !== undefined;
    this.lowFraction = opts.lowWatermarkFraction ?? 0.1;
    this.lowMin = opts.lowWatermarkMin ?? 10;
    this.now = now;
  }

  /** Fixes the concurrency cap (it stops adapting); waiting callers are admitted if it grew. */
  setMaxConcurrency(n: number): void {
    this.maxConcurrency = validConcurrency(n);
    this.fixedConcurrency = true;
    this.drain();
  }

  /** Whether the cap follows the advertised limits (no explicit `maxConcurrency`). */
  get adaptive(): boolean {
    return !this.fixedConcurrency;
  }

  /** The adaptive cap: from the tightest limit of the live buckets. */
  private adaptConcurrency(): void {
    if (this.fixedConcurrency) return;
    const now = this.now();
    let tightest = Number.POSITIVE_INFINITY;
    for (const b of this.buckets.values()) if (b.limit !== undefined && now < b.resetAt) tightest = Math.min(tightest, b.limit);
    if (!Number.isFinite(tightest)) return;
    const cap = Math.min(ADAPTIVE_MAX_CONCURRENCY, Math.max(1, this.lowMin, Math.ceil(tightest * this.lowFraction)));
    if (cap === this.maxConcurrency) return;
    this.maxConcurrency = cap;
    this.drain();
  }

  /** Current cap of concurrent requests. */
  get concurrency(): number {
    return this.maxConcurrency;
  }

  /**
   * Waits for the rate-limit pacing of `key` and a concurrency slot. Resolves to the release function
   * (call it exactly once when the response is complete).
   */
  async acquire(key: string, opts: AcquireOptions = {}): Promise<() => void> {
    const delay = this.reserve(key);
    if (delay > 0) {
      const ms = Math.min(delay, opts.maxWaitMs ?? Number.POSITIVE_INFINITY);
      opts.onThrottle?.(ms);
      await sleep(ms, opts.signal);
      // The slot was booked on what we knew then. If the server has since said the budget is spent
      // (other callers, other processes of the same operator, a 429), sending now would only earn a
      // 429: wait for the refresh instead.
      const held = this.heldMs(key);
      if (held > 0) {
        const more = Math.min(held, opts.maxWaitMs ?? Number.POSITIVE_INFINITY);
        opts.onThrottle?.(more);
        await sleep(more, opts.signal);
      }
    }
    await this.slot(opts.signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  /**
   * Milliseconds to wait before the next request of `key` (and books that request against the
   * remaining budget). 0 when there is no (current) information.
   */
  reserve(key: string): number {
    const now = this.now();
    const b = this.buckets.get(key);
    if (!b) return 0;
    if (now >= b.resetAt) {
      this.buckets.delete(key);
      return 0;
    }
    if (b.remaining <= 0) return b.resetAt - now;
    const low = Math.max(this.lowMin, Math.ceil((b.limit ?? 0) * this.lowFraction));
    if (b.remaining <= low) {
      // Spread what remains over the time left *after the slot being booked*: measuring from `now`
      // while slots pile up ahead would push the last calls of a burst past the refresh (measured by
      // the benchmarks: 2-3 calls of each minute's budget wasted).
      const slot = Math.max(now, b.nextSlotAt);
      if (slot >= b.resetAt) return b.resetAt - now;
      b.nextSlotAt = slot + (b.resetAt - slot) / b.remaining;
      b.remaining -= 1;
      return Math.ceil(slot - now);
    }
    b.remaining -= 1;
    return 0;
  }

  /** Records the rate-limit headers of a response for `key`. */
  observe(key: string, o: RateLimitObservation): void {
    if (o.remaining === undefined || o.secondsBeforeRefresh === undefined) return;
    if (!Number.isFinite(o.remaining) || !Number.isFinite(o.secondsBeforeRefresh)) return;
    const now = this.now();
    const resetAt = now + Math.max(0, o.secondsBeforeRefresh) * 1000;
    const b = this.buckets.get(key);
    if (b && now < b.resetAt && Math.abs(resetAt - b.resetAt) < 1500) {
      // Same window: responses can arrive out of order, keep the lower count.
      b.remaining = Math.min(b.remaining, Math.max(0, o.remaining));
      b.resetAt = Math.max(b.resetAt, resetAt);
      if (o.limit !== undefined) b.limit = o.limit;
      if (o.remaining <= 0) b.heldUntil = Math.max(b.heldUntil ?? 0, b.resetAt);
      if (o.limit !== undefined) this.adaptConcurrency();
      return;
    }
    this.buckets.set(key, {
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      remaining: Math.max(0, o.remaining),
      resetAt,
      nextSlotAt: now,
      ...(o.remaining <= 0 ? { heldUntil: resetAt } : {}),
    });
    if (o.limit !== undefined) this.adaptConcurrency();
  }

  /** After a 429: every caller of `key` waits until `untilMs` (local clock). */
  blockUntil(key: string, untilMs: number): void {
    const b = this.buckets.get(key);
    if (b) {
      b.remaining = 0;
      b.resetAt = Math.max(b.resetAt, untilMs);
      b.heldUntil = Math.max(b.heldUntil ?? 0, untilMs);
    } else {
      this.buckets.set(key, { remaining: 0, resetAt: untilMs, nextSlotAt: untilMs, heldUntil: untilMs });
    }
  }

  /** How long the server's word (budget spent) still holds `key`, in ms; 0 when it does not. */
  private heldMs(key: string): number {
    const b = this.buckets.get(key);
    if (!b || b.heldUntil === undefined) return 0;
    return Math.max(0, b.heldUntil - this.now());
  }

  /** Snapshot for diagnostics and tests. */
  snapshot(): { active: number; queued: number; maxConcurrency: number; buckets: Record<string, { limit?: number; remaining: number; resetInMs: number }> } {
    const now = this.now();
    const buckets: Record<string, { limit?: number; remaining: number; resetInMs: number }> = {};
    for (const [k, b] of this.buckets) {
      buckets[k] = { ...(b.limit !== undefined ? { limit: b.limit } : {}), remaining: b.remaining, resetInMs: Math.max(0, b.resetAt - now) };
    }
    return { active: this.active, queued: this.queue.length, maxConcurrency: this.maxConcurrency, buckets };
  }

  private slot(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.maxConcurrency && this.queue.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      if (signal) {
        w.signal = signal;
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
      this.queue.push(w);
    });
  }

  private drain(): void {
    while (this.active < this.maxConcurrency && this.queue.length > 0) {
      const w = this.queue.shift()!;
      if (w.signal && w.onAbort) w.signal.removeEventListener("abort", w.onAbort);
      this.active++;
      w.resolve();
    }
  }
}

function validConcurrency(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`maxConcurrency must be a positive integer, got ${n}`);
  return n;
}
