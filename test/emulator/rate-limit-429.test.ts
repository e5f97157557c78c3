/** The injected 429 and the rate limiter's own 429 look the same to a client: status, code, and rate-limit headers. */
import { describe, expect, it } from "vitest";
import { requireEmulator, useLoggedInTarget } from "./harness";

const rateHeaders = (h: Headers) =>
  Object.fromEntries([...h.entries()].filter(([name]) => name.startsWith("x-soracom-ratelimit-") || name === "retry-after").map(([name]) => [name, name]));

describe("429 answers", () => {
  const s = useLoggedInTarget();

  it("an injected 429 carries the same headers, code and remaining 0 as the limiter's 429", async (ctx) => {
    requireEmulator(ctx);
    await s.t.control!.setRateLimits({ enabled: true, perOperation: { listSigfoxDevices: 1 } });
    expect((await s.api.get("/sigfox_devices")).status).toBe(200);
    const limited = await s.api.get("/sigfox_devices");
    expect(limited.status).toBe(429);

    await s.t.control!.setRateLimits({ enabled: true, perOperation: { listSigfoxDevices: 5 } });
    await s.t.control!.injectFault({ operation: "listSigfoxDevices", status: 429 });
    const injected = await s.api.get("/sigfox_devices");
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
