/**
 * Per-minute rate limits, per operator and operation (auth: per source IP, like the real `/auth`),
 * in fixed one-minute windows on the emulator clock.
 *
 * Off by default; even then every response carries the `X-Soracom-Ratelimit-*` headers (with a large
 * limit), because clients that adapt to those headers must see them on every response.
 */
import type { RateLimitConfig } from "./schemas";

export const DEFAULT_LIMIT_PER_MINUTE = 1000;
/** The limit advertised while limits are off: large, so adaptive clients never throttle. */
export const UNLIMITED_ADVERTISED_LIMIT = 1_000_000;
const WINDOW_MS = 60_000;

export interface RateLimitVerdict {
  limit: number;
  remaining: number;
  secondsBeforeRefresh: number;
  exceeded: boolean;
}

export class RateLimiter {
  private config: RateLimitConfig;
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(config?: Partial<RateLimitConfig>) {
    this.config = { enabled: false, ...config };
  }

  configure(config: RateLimitConfig): void {
    this.config = { ...config };
    this.windows.clear();
  }

  getConfig(): RateLimitConfig & { limitPerMinute: number } {
    return { ...this.config, limitPerMinute: this.config.limitPerMinute ?? DEFAULT_LIMIT_PER_MINUTE };
  }

  clearWindows(): void {
    this.windows.clear();
  }

  private limitFor(operation: string): number {
    if (!this.config.enabled) return UNLIMITED_ADVERTISED_LIMIT;
    return this.config.perOperation?.[operation] ?? this.config.limitPerMinute ?? DEFAULT_LIMIT_PER_MINUTE;
  }

  /** Counts one call by `subject` (operator or IP) to `operation` at `now`, unless it exceeds the limit. */
  take(subject: string, operation: string, now: number): RateLimitVerdict {
    const limit = this.limitFor(operation);
    const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    const key = `${subject}\u0000${operation}`;
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.windows.set(key, window);
    }
    const secondsBeforeRefresh = Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000));
    if (this.config.enabled && window.count >= limit) {
      return { limit, remaining: 0, secondsBeforeRefresh, exceeded: true };
    }
    window.count += 1;
    return { limit, remaining: Math.max(0, limit - window.count), secondsBeforeRefresh, exceeded: false };
  }

  /** Headers for a response that was not counted (e.g. rejected before the operator was known). */
  peek(operation: string, now: number): RateLimitVerdict {
    const limit = this.limitFor(operation);
    const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    return { limit, remaining: limit, secondsBeforeRefresh: Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000)), exceeded: false };
  }
}
