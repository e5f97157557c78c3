/**
 * Undocumented choices of the emulator, pinned (docs/emulator.md, "Undocumented behaviour"): request
 * bodies are JSON whatever the content type says, invalid UTF-8 is replaced, a cursor that is no device
 * ID is still a cursor, HEAD is answered like GET, OPTIONS is 404.
 */
import { describe, expect, it } from "vitest";
import { ownedDevice, requireEmulator, useLoggedInTarget } from "./harness";

describe("undocumented choices", () => {
  const s = useLoggedInTarget();

  const send = (method: string, path: string, body: string | Blob | Buffer | undefined, headers: Record<string, string> = {}) =>
    fetch(`${s.t.url}/v1${path}`, { method, headers: { "x-soracom-api-key": s.api.apiKey, "x-soracom-token": s.api.token, ...headers }, ...(body !== undefined ? { body } : {}) });

  it("a text/plain body, or one without a content type, is read as JSON", async (ctx) => {
    const d = await ownedDevice(s.t, ctx);
    const body = JSON.stringify([{ tagName: "ct", tagValue: "plain" }]);
    expect((await send("PUT", `/sigfox_devices/${d.deviceId}/tags`, body, { "content-type": "text/plain" })).status).toBe(200);
    const none = new Blob([JSON.stringify([{ tagName: "ct2", tagValue: "none" }])]); // a Blob without a type sends no content-type
    expect((await send("PUT", `/sigfox_devices/${d.deviceId}/tags`, none)).status).toBe(200);
    expect((await s.api.get(`/sigfox_devices/${d.deviceId}`)).body.tags).toEqual({ ct: "plain", ct2: "none" });
  });

  it("invalid UTF-8 in a body is replaced by U+FFFD, not refused", async (ctx) => {
    const d = await ownedDevice(s.t, ctx);
    const bytes = Buffer.concat([Buffer.from('[{"tagName":"u","tagValue":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}]')]);
    const res = await send("PUT", `/sigfox_devices/${d.deviceId}/tags`, bytes, { "content-type": "application/json" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { tags: Record<string, string> }).tags["u"]).toBe("a\uFFFD\uFFFDb");
  });

  it("a last_evaluated_key that is no device ID is still an exclusive cursor (IDs sorting after it)", async (ctx) => {
    requireEmulator(ctx);
    await s.t.control!.reset();
    const op = s.t.emulator!.credentials.operatorId;
    await s.t.control!.seed({ devices: ["0A", "1B", "2C"].map((deviceId) => ({ deviceId, ownerOperatorId: op })) });
    const ids = async (key: string) => ((await s.api.get("/sigfox_devices", { query: { last_evaluated_key: key } })).body as { device_id: string }[]).map((d) => d.device_id);
    expect(await ids("not-an-id")).toEqual([]);
    expect(await ids("!")).toEqual(["0A", "1B", "2C"]);
    expect(await ids("1")).toEqual(["1B", "2C"]);
  });

  it("HEAD is answered like GET (same status and headers, no body), counted as the GET operation", async (ctx) => {
    requireEmulator(ctx);
    const d = await ownedDevice(s.t, ctx);
    await s.t.control!.clearRequests();
    const head = await send("HEAD", `/sigfox_devices/${d.deviceId}`, undefined);
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toContain("application/json");
    expect(head.headers.get("x-soracom-ratelimit-limit")).not.toBeNull();
    expect(await head.text()).toBe("");
    expect((await send("HEAD", "/sigfox_devices/FFFFFFFF", undefined)).status).toBe(404);
    expect((await s.t.control!.calls()).getSigfoxDevice).toBe(2);
  });

  it("OPTIONS is 404 COM0002 (no CORS preflight: the API is not for browsers)", async () => {
    const res = await send("OPTIONS", "/sigfox_devices", undefined, { origin: "http://example.com", "access-control-request-method": "GET" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe("COM0002");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
