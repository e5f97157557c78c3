/**
 * Rate limits, retries and timeouts against the emulator's fault injection and rate-limit config:
 * 429 storms, 5xx, dropped connections (before/after the change), latency, cancellation, and the rule
 * that register/terminate/sendData are never replayed once the request may have reached the server.
 */
import { createServer } from "node:net";
import { beforeEach, describe, expect, it } from "vitest";
import { configureSharedLimits, sharedRateLimiter, SoracomClient } from "../../src/client";
import { clientFor, rejection, useEmulator } from "./helpers";

const OP = "OP0012345678";
const PAC = "0011223344556677";
const emu = useEmulator();

beforeEach(async () => {
  await emu.control.seed({
    devices: [
      { deviceId: "10", ownerOperatorId: OP, terminationEnabled: true },
      { deviceId: "20", pac: PAC },
    ],
  });
  // Authenticate before faults are injected, so faults hit the operation under test.
  await clientFor(emu).authenticate();
  await emu.control.clearRequests();
});

async function calls(op: string): Promise<number> {
  return ((await emu.control.calls()) as Record<string, number>)[op] ?? 0;
}

describe("429 and rate-limit headers", () => {
  it("waits after an injected 429 and retries until success", async () => {
    await emu.control.injectFault({ operation: "getSigfoxDevice", status: 429, count: 2 });
    const c = clientFor(emu);
    await expect(c.getSigfoxDevice("10")).resolves.toMatchObject({ device_id: "10" });
    expect(await calls("getSigfoxDevice")).toBe(3);
    expect(c.stats().rateLimited).toBe(2);
    expect(c.stats().retries).toBe(0); // 429s do not spend the retry budget
  });

  it("gives up with rate_limited after the bounded number of 429 retries", async () => {
    await emu.control.injectFault({ operation: "getSigfoxDevice", status: 429, probability: 1 });
    const c = clientFor(emu, { retry: { maxRateLimitRetries: 2 } });
    const e = await rejection(c.getSigfoxDevice("10"));
    expect(e).toMatchObject({ code: "rate_limited", status: 429, retryable: true, attempts: 3 });
    expect(await calls("getSigfoxDevice")).toBe(3);
  });

  it("a 429 is safe to retry for register: the request was refused, not applied", async () => {
    await emu.control.injectFault({ operation: "registerSigfoxDevice", status: 429, count: 1 });
    const c = clientFor(emu);
    await expect(c.registerSigfoxDevice("20", { registrationSecret: PAC })).resolves.toMatchObject({ status: "ready" });
    expect(await calls("registerSigfoxDevice")).toBe(2);
  });

  it("survives a 429 storm from the server's per-minute limit once the window refreshes", async () => {
    await emu.control.setRateLimits({ enabled: true, perOperation: { getSigfoxDevice: 3 } });
    const c = clientFor(emu, { retry: { maxRateLimitWaitMs: 40, maxRateLimitRetries: 50 } });
    const storm = Promise.all(Array.from({ length: 8 }, () => c.getSigfoxDevice("10")));
    // Let the storm hit the limit, then move the emulator's rate-limit window on until it is over.
    let done = false;
    void storm.then(
      () => (done = true),
      () => (done = true),
    );
    for (let i = 0; i < 100 && c.stats().rateLimited === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(c.stats().rateLimited).toBeGreaterThan(0);
    for (let i = 0; i < 20 && !done; i++) {
      await emu.control.advanceClock(60);
      await new Promise((r) => setTimeout(r, 60));
    }
    const devices = await storm;
    expect(devices).toHaveLength(8);
    const log = await emu.control.requests();
    const statuses = log.filter((r) => r.operation === "getSigfoxDevice").map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    expect(statuses.filter((s) => s === 429).length).toBe(c.stats().rateLimited);
  });

  it("the shared limiter learns the remaining budget from the headers", async () => {
    await emu.control.setRateLimits({ enabled: true, perOperation: { listSigfoxDevices: 5 } });
    const c = clientFor(emu);
    await c.listSigfoxDevices();
    const buckets = Object.entries(sharedRateLimiter().snapshot().buckets).filter(([k]) => k.endsWith("|listSigfoxDevices"));
    expect(buckets).toHaveLength(1);
    expect(buckets[0]![1]).toMatchObject({ limit: 5, remaining: 4 });
  });

  it("with a low remaining budget, requests are spread over the window instead of hitting 429", async () => {
    await emu.control.setRateLimits({ enabled: true, perOperation: { listSigfoxDevices: 4 } });
    const c = clientFor(emu, { retry: { maxRateLimitWaitMs: 30 } });
    await c.listSigfoxDevices(); // learn: remaining 3 of 4
    const started = Date.now();
    await c.listSigfoxDevices();
    await c.listSigfoxDevices();
    expect(c.stats().throttleWaitMs).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe("5xx and dropped connections", () => {
  it("retries a GET after 5xx with backoff and succeeds", async () => {
    await emu.control.injectFault({ operation: "getSigfoxDevice", status: 503, count: 2 });
    const c = clientFor(emu);
    await expect(c.getSigfoxDevice("10")).resolves.toMatchObject({ device_id: "10" });
    expect(await calls("getSigfoxDevice")).toBe(3);
    expect(c.stats().retries).toBe(2);
  });

  it("gives up on persistent 5xx after maxRetries with a retryable http error", async () => {
    await emu.control.injectFault({ operation: "getSigfoxDevice", status: 500, probability: 1 });
    const c = clientFor(emu, { retry: { maxRetries: 2 } });
    const e = await rejection(c.getSigfoxDevice("10"));
    expect(e).toMatchObject({ code: "http", status: 500, retryable: true, outcomeUnknown: false, attempts: 3 });
  });

  it.each(["before", "after"] as const)("retries a GET whose connection is dropped %s the handler", async (drop) => {
    await emu.control.injectFault({ operation: "getSigfoxDevice", drop, count: 1 });
    const c = clientFor(emu);
    await expect(c.getSigfoxDevice("10")).resolves.toMatchObject({ device_id: "10" });
    expect(await calls("getSigfoxDevice")).toBe(2);
  });

  it("does not replay register after a dropped connection; the device was registered and a GET reconciles", async () => {
    await emu.control.injectFault({ operation: "registerSigfoxDevice", drop: "after", count: 1 });
    const c = clientFor(emu);
    const e = await rejection(c.registerSigfoxDevice("20", { registrationSecret: PAC }));
    expect(e).toMatchObject({ code: "network", operation: "registerSigfoxDevice", outcomeUnknown: true, retryable: false, attempts: 1 });
    expect(await calls("registerSigfoxDevice")).toBe(1);
    await expect(c.getSigfoxDevice("20")).resolves.toMatchObject({ status: "ready" });
  });

  it("does not replay register after a drop before the handler either (the client cannot tell)", async () => {
    await emu.control.injectFault({ operation: "registerSigfoxDevice", drop: "before", count: 1 });
    const e = await rejection(clientFor(emu).registerSigfoxDevice("20", { registrationSecret: PAC }));
    expect(e).toMatchObject({ code: "network", outcomeUnknown: true });
    expect(await calls("registerSigfoxDevice")).toBe(1);
  });

  it.each([
    ["registerSigfoxDevice", (c: SoracomClient) => c.registerSigfoxDevice("20", { registrationSecret: PAC })],
    ["terminateSigfoxDevice", (c: SoracomClient) => c.terminateSigfoxDevice("10")],
    ["sendDataToSigfoxDevice", (c: SoracomClient) => c.sendDataToSigfoxDevice("10", "0102030405060708")],
  ] as const)("does not replay %s after a 5xx", async (op, call) => {
    await emu.control.injectFault({ operation: op, status: 502, count: 1 });
    const e = await rejection(call(clientFor(emu)));
    expect(e).toMatchObject({ code: "http", status: 502, outcomeUnknown: true, retryable: false, attempts: 1 });
    expect(await calls(op)).toBe(1);
  });

  it("replays idempotent writes (put tags) after a drop", async () => {
    await emu.control.injectFault({ operation: "putSigfoxDeviceTags", drop: "after", count: 1 });
    const c = clientFor(emu);
    await expect(c.putSigfoxDeviceTags("10", [{ tagName: "a", tagValue: "1" }])).resolves.toMatchObject({ tags: { a: "1" } });
    expect(await calls("putSigfoxDeviceTags")).toBe(2);
  });

  it("retries register after a connect error (nothing was sent) and reports a retryable network error", async () => {
    const port = await closedPort();
    const c = new SoracomClient({
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { apiKey: "api-x", token: "tok-x" },
      env: {},
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const e = await rejection(c.registerSigfoxDevice("20", { registrationSecret: PAC }));
    expect(e).toMatchObject({ code: "network", retryable: true, outcomeUnknown: false, attempts: 3 });
    expect(c.stats().requests.registerSigfoxDevice).toBe(3);
  });

  it("the process-wide retry budget stops retries when exhausted", async () => {
    configureSharedLimits({ retryBudget: { capacity: 1, refillPerSecond: 0 } });
    await emu.control.injectFault({ operation: "getSigfoxDevice", status: 503, probability: 1 });
    const c = clientFor(emu, { retry: { maxRetries: 5 } });
    const e1 = await rejection(c.getSigfoxDevice("10"));
    expect(e1.attempts).toBe(2);
    const e2 = await rejection(c.getSigfoxDevice("10"));
    expect(e2.attempts).toBe(1);
  });
});

describe("timeouts and cancellation", () => {
  it("a headers timeout on a GET is retried", async () => {
    await emu.control.injectFault({ operation: "getSigfoxDevice", latencyMs: 400, count: 1 });
    const c = clientFor(emu, { timeouts: { headersMs: 100 } });
    await expect(c.getSigfoxDevice("10")).resolves.toMatchObject({ device_id: "10" });
    expect(c.stats().requests.getSigfoxDevice).toBe(2);
  });

  it("a headers timeout on register is a timeout error with unknown outcome, not replayed", async () => {
    await emu.control.injectFault({ operation: "registerSigfoxDevice", latencyMs: 400, count: 1 });
    const c = clientFor(emu, { timeouts: { headersMs: 100 } });
    const e = await rejection(c.registerSigfoxDevice("20", { registrationSecret: PAC }));
    expect(e).toMatchObject({ code: "timeout", outcomeUnknown: true, attempts: 1 });
    expect(c.stats().requests.registerSigfoxDevice).toBe(1);
  });

  it("the whole-operation timeout bounds every attempt and wait", async () => {
    await emu.control.injectFault({ operation: "getSigfoxDevice", latencyMs: 2000, probability: 1 });
    const c = clientFor(emu, { timeouts: { operationMs: 150 } });
    const started = Date.now();
    const e = await rejection(c.getSigfoxDevice("10"));
    expect(e).toMatchObject({ code: "timeout", operation: "getSigfoxDevice" });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("an AbortSignal cancels the call with code aborted", async () => {
    await emu.control.injectFault({ operation: "getSigfoxDevice", latencyMs: 300, count: 1 });
    const ac = new AbortController();
    const p = clientFor(emu).getSigfoxDevice("10", { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    const e = await rejection(p);
    expect(e).toMatchObject({ code: "aborted", operation: "getSigfoxDevice", retryable: false });
  });

  it("an already aborted signal sends nothing", async () => {
    const c = clientFor(emu);
    const e = await rejection(c.listSigfoxDevices({}, { signal: AbortSignal.abort() }));
    expect(e.code).toBe("aborted");
    expect(await calls("listSigfoxDevices")).toBe(0);
  });
});

describe("concurrency cap", () => {
  it("never has more than maxConcurrency requests in flight", async () => {
    await emu.control.injectFault({ operation: "getSigfoxDevice", latencyMs: 40, probability: 1 });
    const c = clientFor(emu, { maxConcurrency: 2 });
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, sharedRateLimiter().snapshot().active)), 5);
    await Promise.all(Array.from({ length: 6 }, () => c.getSigfoxDevice("10")));
    clearInterval(timer);
    expect(peak).toBe(2);
    expect(sharedRateLimiter().concurrency).toBe(2);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
