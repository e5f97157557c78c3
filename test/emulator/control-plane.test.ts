/**
 * The control plane: seed/reset/state, drift and disappearance, faults, request log, call counts and
 * rate limits. These need the emulator, so every test skips in remote contract mode.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorControl } from "../../src/emulator";
import { Api, GROUP_A, loginAs, randomDevice, requireEmulator, startTarget, type Target } from "./harness";

let t: Target;
let control: EmulatorControl;
let api: Api;
let operatorId: string;

beforeAll(async () => {
  t = await startTarget();
});
beforeEach(async (ctx) => {
  requireEmulator(ctx);
  control = t.control!;
  operatorId = t.emulator!.credentials.operatorId;
  await control.reset();
  await control.setRateLimits({ enabled: false });
  api = await loginAs(t);
});
afterAll(() => t.close());

async function owned(extra: Record<string, unknown> = {}) {
  const d = randomDevice();
  await control.seed({ devices: [{ ...d, ownerOperatorId: operatorId, ...extra }] });
  return d;
}

describe("seed, state and reset", () => {
  it("seeding a device without a PAC generates one, visible in the state dump", async () => {
    const seeded = await control.seed({ devices: [{ deviceId: "ABC1" }] });
    expect(seeded.devices[0]).toMatchObject({ deviceId: "ABC1", ownerOperatorId: null, status: "instock" });
    const pac = seeded.devices[0]!.pac;
    expect(pac).toMatch(/^[0-9A-F]{16}$/);
    const state = await control.state();
    expect(state.devices.find((d) => d.deviceId === "ABC1")?.pac).toBe(pac);
    expect((await api.post("/sigfox_devices/ABC1/register", { body: { registrationSecret: pac } })).status).toBe(200);
  });

  it("refuses a seed that names an unknown operator, with 400 and a code", async () => {
    await expect(control.seed({ devices: [{ deviceId: "ABC2", ownerOperatorId: "OP_NOBODY" }] })).rejects.toMatchObject({ status: 400, code: "EMU0003" });
  });

  it("the state dump never shows operators' auth keys, passwords or tokens", async () => {
    const text = JSON.stringify(await control.state());
    expect(text).not.toContain(t.credentials.authKey);
    expect(text).not.toContain("emulator-password");
    expect(text).not.toContain(api.token);
    expect(text).not.toContain(api.apiKey);
  });

  it("reset empties devices, groups and extra operators; the default operator and its tokens stay", async () => {
    await control.seed({
      operators: [{ operatorId: "OP0000000009", authKeys: [{ authKeyId: "keyId-9", authKey: "secret-9" }] }],
      groups: [{ groupId: GROUP_A }],
    });
    await owned();
    await control.reset();
    const state = await control.state();
    expect(state.devices).toEqual([]);
    expect(state.groups).toEqual([]);
    expect(state.operators.map((o) => o.operatorId)).toEqual([operatorId]);
    expect((await api.get("/sigfox_devices")).body).toEqual([]);
    expect((await new Api(t.url).login({ authKeyId: "keyId-9", authKey: "secret-9" })).status).toBe(401);
  });
});

describe("drift and disappearance", () => {
  it("PATCH changes tags, group and protection out of band, and the API shows it", async () => {
    const d = await owned({ tags: { a: "1" } });
    const before = (await api.get(`/sigfox_devices/${d.deviceId}`)).body;
    await control.advanceClock(1);
    await control.mutateDevice(d.deviceId, { tags: { b: "2" }, groupId: GROUP_A, terminationEnabled: true });
    const after = (await api.get(`/sigfox_devices/${d.deviceId}`)).body;
    expect(after).toMatchObject({ tags: { b: "2" }, groupId: GROUP_A, terminationEnabled: true });
    expect(Date.parse(after.lastModifiedTime)).toBeGreaterThan(Date.parse(before.lastModifiedTime));
    await control.mutateDevice(d.deviceId, { groupId: null });
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).body.groupId).toBeUndefined();
  });

  it("DELETE makes the device disappear from the account; it can be registered again with its PAC", async () => {
    const d = await owned();
    expect(await control.removeDevice(d.deviceId)).toEqual({ deviceId: d.deviceId, pac: d.pac });
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).status).toBe(404);
    expect((await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac } })).status).toBe(200);
  });

  it("DELETE ?forget=true removes the device from the network too", async () => {
    const d = await owned();
    await control.removeDevice(d.deviceId, { forget: true });
    expect((await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac } })).status).toBe(404);
    await expect(control.uplink(d.deviceId)).rejects.toMatchObject({ status: 404 });
  });

  it("an uplink from a device nobody registered is refused with 409", async () => {
    await control.seed({ devices: [{ deviceId: "FEED" }] });
    await expect(control.uplink("FEED")).rejects.toMatchObject({ status: 409 });
  });
});

describe("fault injection", () => {
  it("a status fault answers that status with {code, message} for `count` calls, without touching state", async () => {
    const d = await owned();
    await control.injectFault({ operation: "putSigfoxDeviceTags", status: 503, count: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await api.call("PUT", `/sigfox_devices/${d.deviceId}/tags`, { body: [{ tagName: "a", tagValue: "b" }] });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ code: expect.any(String), message: expect.any(String) });
    }
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).body.tags).toEqual({});
    const third = await api.call("PUT", `/sigfox_devices/${d.deviceId}/tags`, { body: [{ tagName: "a", tagValue: "b" }] });
    expect(third.status).toBe(200);
    expect(await control.faults()).toEqual([]);
  });

  it("an injected 429 carries a code and rate-limit headers with nothing remaining", async () => {
    await control.injectFault({ operation: "listSigfoxDevices", status: 429 });
    const res = await api.get("/sigfox_devices");
    expect(res.status).toBe(429);
    expect(res.body.code).toBe("COM0003");
    expect(res.headers.get("x-soracom-ratelimit-remaining")).toBe("0");
    expect(Number(res.headers.get("x-soracom-ratelimit-seconds-before-refresh"))).toBeGreaterThan(0);
  });

  it("drop=before destroys the connection without a response and without committing", async () => {
    const d = randomDevice();
    await control.seed({ devices: [d] });
    await control.injectFault({ operation: "registerSigfoxDevice", drop: "before" });
    await expect(api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac } })).rejects.toThrow();
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).status).toBe(404);
  });

  it("drop=after commits the change, then destroys the connection without a response", async () => {
    const d = randomDevice();
    await control.seed({ devices: [d] });
    await control.injectFault({ operation: "registerSigfoxDevice", drop: "after" });
    await expect(api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac } })).rejects.toThrow();
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).body.status).toBe("ready");
    const log = await control.requests();
    expect(log.find((e) => e.operation === "registerSigfoxDevice")).toMatchObject({ status: null, fault: "drop:after" });
  });

  it("latency delays the response by at least latencyMs", async () => {
    await control.injectFault({ operation: "listSigfoxDevices", latencyMs: 300 });
    const started = Date.now();
    const res = await api.get("/sigfox_devices");
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("probability 0 never fires, probability 1 always fires, operation '*' matches every operation", async () => {
    await control.injectFault({ operation: "listSigfoxDevices", status: 500, probability: 0 });
    for (let i = 0; i < 5; i++) expect((await api.get("/sigfox_devices")).status).toBe(200);
    await control.clearFaults();
    await control.injectFault({ operation: "*", status: 502, probability: 1 });
    expect((await api.get("/sigfox_devices")).status).toBe(502);
    expect((await api.get("/sigfox_devices/1234")).status).toBe(502);
    expect((await new Api(t.url).login({ authKeyId: "x", authKey: "y" })).status).toBe(502);
    await control.clearFaults();
    expect((await api.get("/sigfox_devices")).status).toBe(200);
  });

  it("refuses a fault with nothing to inject", async () => {
    await expect(control.injectFault({ operation: "auth" } as never)).rejects.toMatchObject({ status: 400 });
  });
});

describe("request log and call counts", () => {
  it("logs method, path, operation and status, and never a token, API key, auth key or PAC", async () => {
    await control.clearRequests();
    const fresh = await loginAs(t);
    const d = randomDevice();
    await control.seed({ devices: [d] });
    await fresh.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac, tags: { a: "1" } } });
    await fresh.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: "0000000000000000" } });
    await fresh.get(`/sigfox_devices/${d.deviceId}`);
    const log = await control.requests();
    expect(log.map((e) => [e.method, e.path, e.operation, e.status])).toEqual([
      ["POST", "/v1/auth", "auth", 200],
      ["POST", `/v1/sigfox_devices/${d.deviceId}/register`, "registerSigfoxDevice", 200],
      ["POST", `/v1/sigfox_devices/${d.deviceId}/register`, "registerSigfoxDevice", 409],
      ["GET", `/v1/sigfox_devices/${d.deviceId}`, "getSigfoxDevice", 200],
    ]);
    expect(log[1]!.operatorId).toBe(operatorId);
    const text = JSON.stringify(log);
    for (const secret of [fresh.token, fresh.apiKey, t.credentials.authKey, d.pac]) expect(text).not.toContain(secret);
  });

  it("counts every API request by operationId, including auth and refused calls", async () => {
    await control.clearRequests();
    const fresh = await loginAs(t);
    await fresh.get("/sigfox_devices");
    await fresh.get("/sigfox_devices", { anonymous: true });
    await fresh.get("/sigfox_devices/FFFF");
    await fresh.post("/sigfox_devices/FFFF/unset_group");
    expect(await control.calls()).toEqual({ auth: 1, listSigfoxDevices: 2, getSigfoxDevice: 1, unsetSigfoxDeviceGroup: 1 });
    await control.clearRequests();
    expect(await control.calls()).toEqual({});
  });

  it("answers unknown API paths with 404 {code, message}, logs them without an operation and does not count them", async () => {
    await control.clearRequests();
    const res = await api.get("/sigfox_things");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: expect.any(String), message: expect.any(String) });
    // The rate-limit headers are on every API response, errors for unknown paths included.
    expect(res.headers.get("x-soracom-ratelimit-limit")).not.toBeNull();
    expect(res.headers.get("x-soracom-ratelimit-remaining")).not.toBeNull();
    expect(res.headers.get("x-soracom-ratelimit-seconds-before-refresh")).not.toBeNull();
    expect(await control.calls()).toEqual({});
    expect((await control.requests()).map((e) => [e.path, e.operation, e.status])).toEqual([["/v1/sigfox_things", null, 404]]);
  });
});

describe("rate limits", () => {
  it("are off by default but every response still carries the three headers with a large limit", async () => {
    for (const res of [await api.get("/sigfox_devices"), await api.get("/sigfox_devices/FFFF"), await api.get("/sigfox_devices", { anonymous: true })]) {
      expect(Number(res.headers.get("x-soracom-ratelimit-limit"))).toBeGreaterThanOrEqual(100_000);
      expect(res.headers.get("x-soracom-ratelimit-remaining")).not.toBeNull();
      expect(res.headers.get("x-soracom-ratelimit-seconds-before-refresh")).not.toBeNull();
    }
  });

  it("when enabled, answer 429 {code, message} past the per-minute limit of an operation, until the window refreshes", async () => {
    // Start at the beginning of a minute so the window cannot roll over mid-test.
    const { nowMs } = await control.clock();
    await control.advanceClock((60_000 - (nowMs % 60_000)) / 1000);
    api = await loginAs(t);
    await control.setRateLimits({ enabled: true, limitPerMinute: 3 });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api.get("/sigfox_devices");
      expect(res.status).toBe(200);
      expect(res.headers.get("x-soracom-ratelimit-limit")).toBe("3");
      remaining.push(res.headers.get("x-soracom-ratelimit-remaining")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await api.get("/sigfox_devices");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ code: "COM0003", message: expect.any(String) });
    const wait = Number(limited.headers.get("x-soracom-ratelimit-seconds-before-refresh"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // Another operation has its own window.
    expect((await api.get("/sigfox_devices/FFFF")).status).toBe(404);
    await control.advanceClock(wait);
    expect((await api.get("/sigfox_devices")).status).toBe(200);
  });

  it("perOperation overrides the default limit, and limits are per operator", async () => {
    const { nowMs } = await control.clock();
    await control.advanceClock((60_000 - (nowMs % 60_000)) / 1000);
    api = await loginAs(t);
    await control.seed({ operators: [{ operatorId: "OP0000000003", authKeys: [{ authKeyId: "keyId-3", authKey: "secret-3" }] }] });
    const other = new Api(t.url);
    await other.login({ authKeyId: "keyId-3", authKey: "secret-3" });
    await control.setRateLimits({ enabled: true, limitPerMinute: 100, perOperation: { getSigfoxDevice: 1 } });
    expect((await api.get("/sigfox_devices/FFFF")).status).toBe(404);
    expect((await api.get("/sigfox_devices/FFFF")).status).toBe(429);
    expect((await other.get("/sigfox_devices/FFFF")).status).toBe(404);
    expect((await api.get("/sigfox_devices")).status).toBe(200);
  });
});
