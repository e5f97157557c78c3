/** The injected 429 and the rate limiter's own 429 look the same to a client: status, code, and rate-limit headers. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginAs, requireEmulator, startTarget, type Api, type Target } from "./harness";

const rateHeaders = (h: Headers) =>
  Object.fromEntries([...h.entries()].filter(([name]) => name.startsWith("x-soracom-ratelimit-") || name === "retry-after").map(([name]) => [name, name]));

describe("429 answers", () => {
  let t: Target;
  let api: Api;
  beforeAll(async () => {
    t = await startTarget();
    api = await loginAs(t);
  });
  afterAll(() => t.close());

  it("an injected 429 carries the same headers, code and remaining 0 as the limiter's 429", async (ctx) => {
    requireEmulator(ctx);
    await t.control!.setRateLimits({ enabled: true, perOperation: { listSigfoxDevices: 1 } });
    expect((await api.get("/sigfox_devices")).status).toBe(200);
    const limited = await api.get("/sigfox_devices");
    expect(limited.status).toBe(429);

    await t.control!.setRateLimits({ enabled: true, perOperation: { listSigfoxDevices: 5 } });
    await t.control!.injectFault({ operation: "listSigfoxDevices", status: 429 });
    const injected = await api.get("/sigfox_devices");
    expect(injected.status).toBe(429);

    expect(injected.body.code).toBe(limited.body.code);
    expect(rateHeaders(injected.headers)).toEqual(rateHeaders(limited.headers));
    for (const res of [limited, injected]) {
      expect(res.headers.get("x-soracom-ratelimit-remaining")).toBe("0");
      expect(Number(res.headers.get("x-soracom-ratelimit-seconds-before-refresh"))).toBeGreaterThanOrEqual(1);
    }
    expect(limited.headers.get("x-soracom-ratelimit-limit")).toBe("1");
    expect(injected.headers.get("x-soracom-ratelimit-limit")).toBe("5");
  });
});
