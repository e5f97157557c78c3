/**
 * The process-wide limiter's concurrency cap follows the rate limit the server advertises
 * (X-Soracom-Ratelimit-Limit) unless `maxConcurrency` fixes it: 8 before anything is known, then
 * max(10, 10% of the tightest limit), at most 32.
 */
import { describe, expect, it } from "vitest";
import { ADAPTIVE_MAX_CONCURRENCY, DEFAULT_MAX_CONCURRENCY, RateLimiter, sharedRateLimiter } from "../../src/client";
import { clientFor, useEmulator } from "./helpers";

const window = (limit: number) => ({ limit, remaining: limit - 1, secondsBeforeRefresh: 30 });

describe("RateLimiter adaptive concurrency", () => {
  it("starts at 8 and follows the tightest advertised limit, between 10 and 32", () => {
    const l = new RateLimiter();
    expect(l.adaptive).toBe(true);
    expect(l.concurrency).toBe(DEFAULT_MAX_CONCURRENCY);
    l.observe("register", window(1_000_000));
    expect(l.concurrency).toBe(ADAPTIVE_MAX_CONCURRENCY);
    l.observe("get", window(300));
    expect(l.concurrency).toBe(30);
    l.observe("put-tags", window(30));
    expect(l.concurrency).toBe(10);
  });

  it("admits waiting callers when the cap grows", async () => {
    const l = new RateLimiter();
    const releases = await Promise.all(Array.from({ length: 8 }, () => l.acquire("k")));
    let ninth = false;
    const pending = l.acquire("k").then((release) => {
      ninth = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(ninth).toBe(false);
    l.observe("k", window(1000));
    const release = await pending;
    expect(ninth).toBe(true);
    for (const r of [...releases, release]) r();
  });

  it("stays where maxConcurrency (option or setMaxConcurrency) puts it", () => {
    const fixed = new RateLimiter({ maxConcurrency: 4 });
    fixed.observe("k", window(1_000_000));
    expect(fixed.adaptive).toBe(false);
    expect(fixed.concurrency).toBe(4);
    const later = new RateLimiter();
    later.setMaxConcurrency(3);
    later.observe("k", window(1_000_000));
    expect(later.concurrency).toBe(3);
  });
});

describe("against the emulator", () => {
  const emu = useEmulator();

  it("a client without maxConcurrency opens up to 32 once the server advertises a large limit", async () => {
    const c = clientFor(emu);
    expect(sharedRateLimiter().concurrency).toBe(DEFAULT_MAX_CONCURRENCY);
    await c.listSigfoxDevices({});
    expect(sharedRateLimiter().concurrency).toBe(ADAPTIVE_MAX_CONCURRENCY);
  });

  it("puts as many requests on the wire as the cap lets through: the connection pool is no second, lower cap", async () => {
    const c = clientFor(emu);
    await c.listSigfoxDevices({});
    expect(sharedRateLimiter().concurrency).toBe(ADAPTIVE_MAX_CONCURRENCY);
    await emu.control.clearRequests();
    await emu.control.injectFault({ operation: "getSigfoxDevice", latencyMs: 400, probability: 1 });
    const ids = Array.from({ length: ADAPTIVE_MAX_CONCURRENCY + 8 }, (_, i) => `ABCD${String(i).padStart(4, "0")}`);
    await Promise.allSettled(ids.map((id) => c.getSigfoxDevice(id)));
    const gets = (await emu.control.requests()).filter((r) => r.operation === "getSigfoxDevice");
    expect(gets).toHaveLength(ids.length);
    // The most requests the server was answering at one moment (arrival to arrival + duration).
    const edges = gets.flatMap((r) => [
      { at: Date.parse(r.time), d: 1 },
      { at: Date.parse(r.time) + (r.durationMs ?? 0), d: -1 },
    ]);
    edges.sort((a, b) => a.at - b.at || a.d - b.d);
    let open = 0;
    let most = 0;
    for (const e of edges) most = Math.max(most, (open += e.d));
    expect(most).toBe(ADAPTIVE_MAX_CONCURRENCY);
  });

  it("and comes down to 10% of a tight per-minute limit", async () => {
    await emu.control.setRateLimits({ enabled: true, limitPerMinute: 200 });
    const c = clientFor(emu);
    await c.listSigfoxDevices({});
    expect(sharedRateLimiter().concurrency).toBe(20);
  });
});
