/** Pure unit tests of the client's building blocks: redaction, pagination, backoff, budget, limiter, endpoint. */
import { describe, expect, it, vi } from "vitest";
import {
  backoffDelay,
  collectAll,
  isSoracomApiError,
  nextKeyFromHeaders,
  nextKeyFromLink,
  normalizeEndpoint,
  paginate,
  RateLimiter,
  redact,
  redactValue,
  registerSecret,
  RetryBudget,
  SoracomApiError,
  userAgent,
  packageVersion,
  retryAfterMs,
} from "../../src/client";
import { readFileSync } from "node:fs";
import * as path from "node:path";

describe("redact", () => {
  it("removes registered secret values wherever they appear", () => {
    registerSecret("super-secret-value-123");
    expect(redact("echo: super-secret-value-123!")).toBe("echo: [REDACTED]!");
  });

  it("removes secret-looking JSON fields, headers and JWTs it has never seen", () => {
    const text = `{"authKeyId":"keyId-1","authKey":"abcd1234","password":"hunter22","registrationSecret":"0011223344556677"} x-soracom-token: tok123456 eyJhbGciOi.eyJzdWIiOi.sig`;
    const out = redact(text);
    expect(out).not.toContain("abcd1234");
    expect(out).not.toContain("hunter22");
    expect(out).not.toContain("0011223344556677");
    expect(out).not.toContain("tok123456");
    expect(out).not.toContain("eyJhbGciOi.eyJzdWIiOi");
    expect(out).toContain(`"authKeyId":"keyId-1"`);
  });

  it("redactValue replaces secret fields of objects deeply", () => {
    expect(redactValue({ a: { authKey: "k", email: "x@y" }, list: [{ token: "t" }] })).toEqual({
      a: { authKey: "[REDACTED]", email: "x@y" },
      list: [{ token: "[REDACTED]" }],
    });
  });
});

describe("SoracomApiError", () => {
  it("is recognised by its brand, not instanceof, and serialises without secrets", () => {
    const e = new SoracomApiError({ code: "http", operation: "getSigfoxDevice", message: "failed with authKey=abc-secret-1", secrets: ["abc-secret-1"], status: 500 });
    const foreign = Object.assign(Object.create(null) as object, { [Symbol.for("pulumi-soracom-sigfox/SoracomApiError")]: true });
    expect(isSoracomApiError(e)).toBe(true);
    expect(isSoracomApiError(foreign)).toBe(true);
    expect(isSoracomApiError(new Error("x"))).toBe(false);
    expect(JSON.stringify(e)).not.toContain("abc-secret-1");
    expect(e.stack).not.toContain("abc-secret-1");
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: "http", status: 500, operation: "getSigfoxDevice" });
  });
});

describe("pagination headers", () => {
  it("reads the cursor from a relative link with rel=next (quoted or not)", () => {
    expect(nextKeyFromLink("</v1/sigfox_devices?last_evaluated_key=1A2B>; rel=next")).toBe("1A2B");
    expect(nextKeyFromLink(`</v1/x?limit=2&last_evaluated_key=17000>; rel="next"`)).toBe("17000");
    expect(nextKeyFromLink(`</v1/x?last_evaluated_key=A>; rel=prev, </v1/x?last_evaluated_key=B>; rel=next`)).toBe("B");
    expect(nextKeyFromLink("</v1/x?last_evaluated_key=A>; rel=prev")).toBeUndefined();
    expect(nextKeyFromLink(undefined)).toBeUndefined();
  });

  it("prefers x-soracom-next-key over link", () => {
    expect(nextKeyFromHeaders({ "x-soracom-next-key": "K1", link: "</v1/x?last_evaluated_key=K2>; rel=next" })).toBe("K1");
    expect(nextKeyFromHeaders({ link: "</v1/x?last_evaluated_key=K2>; rel=next" })).toBe("K2");
    expect(nextKeyFromHeaders({})).toBeUndefined();
  });

  it("paginate follows cursors until a page has none and collectAll gathers every item", async () => {
    const pages: Record<string, { items: number[]; nextKey?: string }> = { start: { items: [1, 2], nextKey: "a" }, a: { items: [3], nextKey: "b" }, b: { items: [4] } };
    const cursors: Array<string | undefined> = [];
    const items = await collectAll(paginate("listSigfoxDevices", async (c) => {
      cursors.push(c);
      return pages[c ?? "start"]!;
    }));
    expect(items).toEqual([1, 2, 3, 4]);
    expect(cursors).toEqual([undefined, "a", "b"]);
  });

  it("paginate throws a response_validation error on a repeated cursor", async () => {
    let calls = 0;
    const it = paginate("getDataFromSigfoxDevice", async () => {
      calls++;
      return { items: [calls], nextKey: "x" };
    });
    await expect(collectAll(it)).rejects.toMatchObject({ code: "response_validation", operation: "getDataFromSigfoxDevice" });
    expect(calls).toBe(2);
  });
});

describe("backoff and retry budget", () => {
  it("full jitter stays below the capped exponential ceiling", () => {
    const s = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, s, () => 0.999)).toBeLessThan(100);
    expect(backoffDelay(3, s, () => 0.999)).toBeLessThan(400);
    expect(backoffDelay(3, s, () => 0.999)).toBeGreaterThanOrEqual(399);
    expect(backoffDelay(10, s, () => 0.999)).toBeLessThan(1000);
    expect(backoffDelay(10, s, () => 0)).toBe(0);
  });

  it("the retry budget runs out and refills over time", () => {
    let now = 0;
    const b = new RetryBudget({ capacity: 2, refillPerSecond: 1 }, () => now);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    now = 1000;
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
  });
});

describe("RateLimiter", () => {
  it("lets requests through at once while the remaining budget is high", () => {
    const now = 0;
    const l = new RateLimiter({}, () => now);
    l.observe("k", { limit: 1000, remaining: 900, secondsBeforeRefresh: 60 });
    expect(l.reserve("k")).toBe(0);
    expect(l.snapshot().buckets.k?.remaining).toBe(899);
  });

  it("spreads a low remaining budget over the seconds left", () => {
    const now = 0;
    const l = new RateLimiter({ lowWatermarkMin: 10 }, () => now);
    l.observe("k", { limit: 100, remaining: 4, secondsBeforeRefresh: 8 });
    const delays = [l.reserve("k"), l.reserve("k"), l.reserve("k")];
    expect(delays[0]).toBe(0);
    expect(delays[1]).toBe(2000);
    expect(delays[2]).toBeGreaterThanOrEqual(4000);
  });

  it("books a burst of the whole remaining budget inside the current window", () => {
    const now = 0;
    const l = new RateLimiter({ lowWatermarkMin: 10 }, () => now);
    l.observe("k", { limit: 60, remaining: 10, secondsBeforeRefresh: 58 });
    const delays = Array.from({ length: 10 }, () => l.reserve("k"));
    expect(delays[0]).toBe(0);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!);
    // Every one of the 10 calls the server still accepts this window is used before the refresh.
    expect(Math.max(...delays)).toBeLessThan(58_000);
    expect(l.snapshot().buckets.k?.remaining).toBe(0);
    expect(l.reserve("k")).toBe(58_000);
  });

  it("a caller whose slot was booked before the server said the budget is spent waits for the refresh", async () => {
    vi.useFakeTimers();
    try {
      const l = new RateLimiter({ lowWatermarkMin: 10 });
      l.observe("k", { limit: 30, remaining: 3, secondsBeforeRefresh: 30 });
      const t0 = Date.now();
      const sentAt: number[] = [];
      const calls = [0, 1, 2].map(() => l.acquire("k").then((release) => {
          sentAt.push(Date.now() - t0);
          release();
        }));
      await vi.advanceTimersByTimeAsync(1);
      // Another process of the same operator used the rest of the window: the next response says 0.
      l.observe("k", { limit: 30, remaining: 0, secondsBeforeRefresh: 30 });
      await vi.advanceTimersByTimeAsync(31_000);
      await Promise.all(calls);
      expect(sentAt[0]).toBe(0);
      expect(sentAt.slice(1).every((t) => t >= 30_000)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("waits until the refresh when nothing remains, and forgets the window after it", () => {
    let now = 0;
    const l = new RateLimiter({}, () => now);
    l.observe("k", { remaining: 0, secondsBeforeRefresh: 5 });
    expect(l.reserve("k")).toBe(5000);
    now = 5000;
    expect(l.reserve("k")).toBe(0);
  });

  it("blockUntil after a 429 makes every caller of the bucket wait", () => {
    const now = 100;
    const l = new RateLimiter({}, () => now);
    l.blockUntil("k", 1100);
    expect(l.reserve("k")).toBe(1000);
    expect(l.reserve("other")).toBe(0);
  });

  it("caps concurrency and admits waiters when slots free up", async () => {
    const l = new RateLimiter({ maxConcurrency: 2 });
    const r1 = await l.acquire("k");
    const r2 = await l.acquire("k");
    let third = false;
    const p = l.acquire("k").then((r) => {
      third = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    expect(l.snapshot()).toMatchObject({ active: 2, queued: 1 });
    r1();
    (await p)();
    expect(third).toBe(true);
    r2();
    expect(l.snapshot()).toMatchObject({ active: 0, queued: 0 });
  });

  it("a waiting acquire rejects when its signal aborts", async () => {
    const l = new RateLimiter({ maxConcurrency: 1 });
    const r1 = await l.acquire("k");
    const ac = new AbortController();
    const p = l.acquire("k", { signal: ac.signal });
    ac.abort(new Error("stop"));
    await expect(p).rejects.toThrow("stop");
    r1();
    expect(l.snapshot()).toMatchObject({ active: 0, queued: 0 });
  });
});

describe("endpoint and user agent", () => {
  it("strips a trailing /v1 and slashes", () => {
    expect(normalizeEndpoint("https://api.soracom.io/v1/", "t")).toBe("https://api.soracom.io");
    expect(normalizeEndpoint("http://127.0.0.1:8080", "t")).toBe("http://127.0.0.1:8080");
    expect(normalizeEndpoint("http://proxy.local/soracom/v1", "t")).toBe("http://proxy.local/soracom");
    expect(() => normalizeEndpoint("ftp://x", "t")).toThrow(/http or https/);
    expect(() => normalizeEndpoint("not a url", "t")).toThrow(/not a URL/);
  });

  it("User-Agent carries the package.json version and the suffix", () => {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as { version: string };
    expect(packageVersion()).toBe(pkg.version);
    expect(userAgent()).toBe(`pulumi-soracom-sigfox/${pkg.version}`);
    expect(userAgent("my-script/2")).toBe(`pulumi-soracom-sigfox/${pkg.version} my-script/2`);
  });

  it("Retry-After accepts seconds and HTTP dates", () => {
    expect(retryAfterMs({ "retry-after": "3" }, 0)).toBe(3000);
    expect(retryAfterMs({ "retry-after": new Date(10_000).toUTCString() }, 4_000)).toBe(6000);
    expect(retryAfterMs({}, 0)).toBeUndefined();
  });
});
