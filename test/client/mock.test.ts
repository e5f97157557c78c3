/**
 * Edge cases the emulator cannot produce, with undici's MockAgent: malformed responses, Retry-After
 * and Seconds-Before-Refresh timing, a server that repeats a cursor, a token rejected even after
 * re-authentication, and a logger object.
 */
import { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectAll, isSoracomApiError, resetSharedClientState, SoracomClient, type SoracomClientOptions } from "../../src/client";
import { rejection } from "./helpers";

const ORIGIN = "http://mock.soracom.test";
let agent: MockAgent;

beforeEach(async () => {
  await resetSharedClientState();
  agent = new MockAgent();
  agent.disableNetConnect();
});
afterEach(async () => {
  try {
    // Every reply a test set up was asked for: the client made exactly the requests the test expects.
    agent.assertNoPendingInterceptors();
  } finally {
    await agent.close();
  }
});

function client(options: SoracomClientOptions = {}): SoracomClient {
  return new SoracomClient({
    endpoint: ORIGIN,
    credentials: { authKeyId: "keyId-m", authKey: "secret-m-key" },
    dispatcher: agent,
    env: {},
    retry: { baseDelayMs: 1, maxDelayMs: 2, maxRateLimitWaitMs: 5_000 },
    ...options,
  });
}

function mockAuth(times = 1): void {
  agent
    .get(ORIGIN)
    .intercept({ path: "/v1/auth", method: "POST" })
    .reply(200, { apiKey: "api-m", token: "tok-m-123456", operatorId: "OP9" })
    .times(times);
}

describe("response validation", () => {
  it("a device missing device_id is a response_validation error naming the field", async () => {
    mockAuth();
    agent.get(ORIGIN).intercept({ path: "/v1/sigfox_devices/1A", method: "GET" }).reply(200, { status: "ready" });
    const e = await rejection(client().getSigfoxDevice("1A"));
    expect(isSoracomApiError(e)).toBe(true);
    expect(e).toMatchObject({ code: "response_validation", operation: "getSigfoxDevice", status: 200 });
    expect(e.message).toContain("device_id");
  });

  it("an unknown status enum value is a response_validation error", async () => {
    mockAuth();
    agent.get(ORIGIN).intercept({ path: "/v1/sigfox_devices/1A", method: "GET" }).reply(200, { device_id: "1A", status: "exploded" });
    expect((await rejection(client().getSigfoxDevice("1A"))).code).toBe("response_validation");
  });

  it("a non-JSON 200 body is a response_validation error", async () => {
    mockAuth();
    agent.get(ORIGIN).intercept({ path: "/v1/sigfox_devices", method: "GET" }).reply(200, "<html>gateway</html>");
    const e = await rejection(client().listSigfoxDevices());
    expect(e).toMatchObject({ code: "response_validation" });
    expect(e.message).toMatch(/not valid JSON/);
  });

  it("an /auth response without a token is a response_validation error of auth", async () => {
    agent.get(ORIGIN).intercept({ path: "/v1/auth", method: "POST" }).reply(200, { apiKey: "api-x", operatorId: "OP9" });
    expect(await rejection(client().authenticate())).toMatchObject({ code: "response_validation", operation: "auth" });
  });

  it("extra fields the API adds later pass through", async () => {
    mockAuth();
    agent.get(ORIGIN).intercept({ path: "/v1/sigfox_devices/1A", method: "GET" }).reply(200, { device_id: "1A", newField: 1 });
    expect(await client().getSigfoxDevice("1A")).toEqual({ device_id: "1A", newField: 1 });
  });
});

describe("server wait hints", () => {
  it("honours Retry-After on 429 before retrying", async () => {
    mockAuth();
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: "/v1/sigfox_devices/1A", method: "GET" }).reply(429, { code: "COM0003", message: "slow down" }, { headers: { "retry-after": "1", "x-soracom-ratelimit-seconds-before-refresh": "30" } });
    pool.intercept({ path: "/v1/sigfox_devices/1A", method: "GET" }).reply(200, { device_id: "1A" });
    const started = Date.now();
    await expect(client().getSigfoxDevice("1A")).resolves.toEqual({ device_id: "1A" });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(3000);
  });

  it("uses X-Soracom-Ratelimit-Seconds-Before-Refresh when there is no Retry-After, bounded by maxRateLimitWaitMs", async () => {
    mockAuth();
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: "/v1/sigfox_devices/1A", method: "GET" }).reply(429, {}, { headers: { "x-soracom-ratelimit-remaining": "0", "x-soracom-ratelimit-seconds-before-refresh": "60" } });
    pool.intercept({ path: "/v1/sigfox_devices/1A", method: "GET" }).reply(200, { device_id: "1A" });
    const started = Date.now();
    await client({ retry: { maxRateLimitWaitMs: 300 } }).getSigfoxDevice("1A");
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(1500);
  });
});

describe("pagination guards", () => {
  it("throws when the server returns the same cursor twice", async () => {
    mockAuth();
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: "/v1/sigfox_devices", method: "GET" }).reply(200, [{ device_id: "1" }], { headers: { "x-soracom-next-key": "K" } });
    pool.intercept({ path: "/v1/sigfox_devices?last_evaluated_key=K", method: "GET" }).reply(200, [{ device_id: "2" }], { headers: { "x-soracom-next-key": "K" } });
    const e = await rejection(collectAll(client().sigfoxDevices()));
    expect(e).toMatchObject({ code: "response_validation", operation: "listSigfoxDevices" });
    expect(e.message).toMatch(/cursor "K" twice/);
  });
});

describe("re-authentication", () => {
  it("re-authenticates exactly once: a second 401 is an auth error", async () => {
    mockAuth(2);
    agent.get(ORIGIN).intercept({ path: "/v1/sigfox_devices/1A", method: "GET" }).reply(401, { code: "AUM0001", message: "Token is required" }).times(2);
    const c = client();
    const e = await rejection(c.getSigfoxDevice("1A"));
    expect(e).toMatchObject({ code: "auth", status: 401, soracomCode: "AUM0001", attempts: 2 });
    expect(c.stats().calls.auth).toBe(2);
    expect(c.stats().reauthentications).toBe(1);
  });
});

describe("redaction of server echoes", () => {
  it("a server message echoing the PAC or the token is redacted in every field", async () => {
    mockAuth();
    const pac = "0F1E2D3C4B5A6978";
    agent
      .get(ORIGIN)
      .intercept({ path: "/v1/sigfox_devices/1A/register", method: "POST" })
      .reply(400, { code: "SFX0001", message: `Invalid PAC ${pac} for token tok-m-123456` });
    const lines: string[] = [];
    const e = await rejection(client({ logger: (l) => lines.push(l) }).registerSigfoxDevice("1A", { registrationSecret: pac }));
    expect(e).toMatchObject({ code: "validation", status: 400, soracomCode: "SFX0001" });
    expect(e.soracomMessage).toBe("Invalid PAC [REDACTED] for token [REDACTED]");
    for (const text of [e.message, e.stack, JSON.stringify(e), ...lines]) {
      expect(text).not.toContain(pac);
      expect(text).not.toContain("tok-m-123456");
    }
  });
});

describe("logger", () => {
  it("accepts an object with debug() and receives method, path, status, duration and attempt", async () => {
    mockAuth();
    agent.get(ORIGIN).intercept({ path: "/v1/sigfox_devices/1A", method: "GET" }).reply(200, { device_id: "1A" });
    const lines: string[] = [];
    await client({ logger: { debug: (l) => lines.push(l) } }).getSigfoxDevice("1A");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^soracom getSigfoxDevice GET \/v1\/sigfox_devices\/1A -> 200 in \d+ms attempt=1$/);
  });
});

describe("argument validation", () => {
  it("refuses bad arguments before sending anything", async () => {
    const c = client();
    expect(await rejection(c.getSigfoxDevice(""))).toMatchObject({ code: "validation", attempts: 0 });
    expect(await rejection(c.getDataFromSigfoxDevice("1A", { limit: 1001 }))).toMatchObject({ code: "validation" });
    expect(await rejection(c.registerSigfoxDevice("1A", { registrationSecret: "" }))).toMatchObject({ code: "validation" });
    expect(await rejection(c.listSigfoxDevices({ tagValueMatchMode: "fuzzy" as "exact" }))).toMatchObject({ code: "validation" });
    expect(c.stats().requests).toEqual({});
  });

  it("an out-of-range tokenTimeoutSeconds is a config error", async () => {
    expect(await rejection(client({ tokenTimeoutSeconds: 60 }).authenticate())).toMatchObject({ code: "config" });
  });
});
