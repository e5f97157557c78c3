/**
 * Counters of what a client did: per-operation calls, HTTP requests and failures, retries, re-auths,
 * 429s, throttling, and body bytes sent/received.
 */
import type { ApiOperation } from "../api/schemas";

/** A snapshot of a client's counters (see {@link SoracomClient.stats}). */
export interface SoracomClientStats {
  /** Method invocations per operation; `auth` counts `/auth` exchanges this client started. */
  calls: Partial<Record<ApiOperation, number>>;
  /** HTTP requests sent per operation, including retries and replays. */
  requests: Partial<Record<ApiOperation, number>>;
  /** Operations that ended in an error, per operation. */
  failures: Partial<Record<ApiOperation, number>>;
  /** Retries after 5xx / network errors / timeouts. */
  retries: number;
  /** Re-authentications after a 401. */
  reauthentications: number;
  /** 429 responses received. */
  rateLimited: number;
  /** Total time spent waiting for the rate limiter (ms). */
  throttleWaitMs: number;
  /** Request body bytes sent. */
  bytesSent: number;
  /** Response body bytes received. */
  bytesReceived: number;
}

/** Mutable counters behind {@link SoracomClientStats}. */
export class StatsRecorder {
  private s: SoracomClientStats = StatsRecorder.empty();

  static empty(): SoracomClientStats {
    return { calls: {}, requests: {}, failures: {}, retries: 0, reauthentications: 0, rateLimited: 0, throttleWaitMs: 0, bytesSent: 0, bytesReceived: 0 };
  }

  call(op: ApiOperation): void {
    this.s.calls[op] = (this.s.calls[op] ?? 0) + 1;
  }
  request(op: ApiOperation, bytesSent: number): void {
    this.s.requests[op] = (this.s.requests[op] ?? 0) + 1;
    this.s.bytesSent += bytesSent;
  }
  failure(op: ApiOperation): void {
    this.s.failures[op] = (this.s.failures[op] ?? 0) + 1;
  }
  received(bytes: number): void {
    this.s.bytesReceived += bytes;
  }
  add(field: "retries" | "reauthentications" | "rateLimited" | "throttleWaitMs", n = 1): void {
    this.s[field] += n;
  }
  snapshot(): SoracomClientStats {
    return { ...this.s, calls: { ...this.s.calls }, requests: { ...this.s.requests }, failures: { ...this.s.failures } };
  }
  reset(): void {
    this.s = StatsRecorder.empty();
  }
}
