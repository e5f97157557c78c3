/** Contract tests of authentication: the three credential forms, header checks, token expiry, isolation. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthResponse } from "../../src/api/schemas";
import { Api, controlOf, loginAs, ownedDevice, requireEmulator, startTarget, type Target } from "./harness";

let t: Target;

beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t.close());

describe("POST /v1/auth", () => {
  it("issues an API key and token for authKeyId/authKey", async () => {
    const api = new Api(t.url);
    const res = await api.login({ authKeyId: t.credentials.authKeyId, authKey: t.credentials.authKey });
    expect(res.status).toBe(200);
    const body = AuthResponse.parse(res.body);
    expect(body.apiKey).toMatch(/^api-/);
    expect(body.token.length).toBeGreaterThan(20);
    expect(body.userName).toBeUndefined();
  });

  it("issues a token for the root user's email/password", async (ctx) => {
    requireEmulator(ctx);
    const res = await new Api(t.url).login({ email: "emulator@example.com", password: "emulator-password" });
    expect(res.status).toBe(200);
    expect(res.body.operatorId).toBe(t.emulator!.credentials.operatorId);
  });

  it("issues a token for a SAM user (operatorId + camel-case userName + password) and returns userName", async (ctx) => {
    requireEmulator(ctx);
    const operatorId = t.emulator!.credentials.operatorId;
    const res = await new Api(t.url).login({ operatorId, userName: "emulator-user", password: "emulator-user-password" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ operatorId, userName: "emulator-user" });
  });

  it("answers 401 with {code, message} for wrong credentials in every form", async () => {
    const api = new Api(t.url);
    for (const body of [
      { authKeyId: t.credentials.authKeyId, authKey: "secret-wrong" },
      { email: "emulator@example.com", password: "wrong" },
      { operatorId: "OP0012345678", userName: "emulator-user", password: "wrong" },
    ]) {
      const res = await api.login(body);
      expect(res.status, JSON.stringify(Object.keys(body))).toBe(401);
      expect(res.body).toEqual({ code: expect.stringMatching(/^AUM/), message: expect.any(String) });
    }
  });

  it("refuses tokenTimeoutSeconds outside 180..172800 with 400", async () => {
    const api = new Api(t.url);
    for (const tokenTimeoutSeconds of [179, 172801]) {
      const res = await api.login({ authKeyId: t.credentials.authKeyId, authKey: t.credentials.authKey, tokenTimeoutSeconds });
      expect(res.status, String(tokenTimeoutSeconds)).toBe(400);
    }
  });

  it("refuses a body with no credential form with 400", async () => {
    const res = await new Api(t.url).login({});
    expect(res.status).toBe(400);
    expect(res.body.code).toBeTruthy();
  });
});

describe("auth headers", () => {
  it("answers 401 without X-Soracom-API-Key / X-Soracom-Token, or with a wrong pair", async () => {
    const api = await loginAs(t);
    expect((await api.get("/sigfox_devices", { anonymous: true })).status).toBe(401);
    expect((await api.get("/sigfox_devices", { anonymous: true, headers: { "X-Soracom-Token": api.token } })).status).toBe(401);
    const other = await loginAs(t);
    const mixed = await api.get("/sigfox_devices", { anonymous: true, headers: { "X-Soracom-API-Key": other.apiKey, "X-Soracom-Token": api.token } });
    expect(mixed.status).toBe(401);
    expect(mixed.body.code).toMatch(/^AUM/);
    expect((await api.get("/sigfox_devices")).status).toBe(200);
  });

  it("expires a token after tokenTimeoutSeconds of emulator time", async (ctx) => {
    const control = controlOf(t, ctx);
    const api = new Api(t.url);
    await api.login({ authKeyId: t.credentials.authKeyId, authKey: t.credentials.authKey, tokenTimeoutSeconds: 180 });
    const longLived = await loginAs(t);
    await control.advanceClock(179);
    expect((await api.get("/sigfox_devices")).status).toBe(200);
    await control.advanceClock(1);
    const expired = await api.get("/sigfox_devices");
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe("AUM0005");
    expect((await longLived.get("/sigfox_devices")).status).toBe(200);
  });

  it("defaults tokenTimeoutSeconds to 86400", async (ctx) => {
    const control = controlOf(t, ctx);
    const api = await loginAs(t);
    await control.advanceClock(86_399);
    expect((await api.get("/sigfox_devices")).status).toBe(200);
    await control.advanceClock(1);
    expect((await api.get("/sigfox_devices")).status).toBe(401);
  });
});

describe("operator isolation", () => {
  it("one operator never sees or changes another operator's devices", async (ctx) => {
    const control = controlOf(t, ctx);
    await control.seed({ operators: [{ operatorId: "OP0000000002", authKeys: [{ authKeyId: "keyId-two", authKey: "secret-two" }] }] });
    const mine = await ownedDevice(t, ctx, { terminationEnabled: true });
    const two = new Api(t.url);
    expect((await two.login({ authKeyId: "keyId-two", authKey: "secret-two" })).body.operatorId).toBe("OP0000000002");
    expect((await two.get(`/sigfox_devices/${mine.deviceId}`)).status).toBe(404);
    expect((await two.get(`/sigfox_devices`)).body).toEqual([]);
    expect((await two.post(`/sigfox_devices/${mine.deviceId}/terminate`)).status).toBe(404);
    expect((await two.call("PUT", `/sigfox_devices/${mine.deviceId}/tags`, { body: [{ tagName: "x", tagValue: "y" }] })).status).toBe(404);
    const api = await loginAs(t);
    expect((await api.get(`/sigfox_devices/${mine.deviceId}`)).body.status).toBe("ready");
  });
});
