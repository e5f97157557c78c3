/** Contract tests of the device operations: register, get, tags, groups, termination, downlink. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiSigfoxDevice } from "../../src/api/schemas";
import { type Api, controlOf, GROUP_A, GROUP_B, loginAs, networkDevice, ownedDevice, requireEmulator, startTarget, type Target } from "./harness";

let t: Target;
let api: Api;

beforeAll(async () => {
  t = await startTarget();
  api = await loginAs(t);
  await t.control?.seed({ groups: [{ groupId: GROUP_A }, { groupId: GROUP_B }] });
});
afterAll(() => t.close());

const isoPattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe("registerSigfoxDevice", () => {
  it("moves a network device into the operator's account as ready, with the tag map of the body", async (ctx) => {
    const d = await networkDevice(t, ctx);
    const res = await api.post(`/sigfox_devices/${d.deviceId}/register`, {
      body: { registrationSecret: d.pac, tags: { name: "sensor 1", "site/floor": "3F" } },
    });
    expect(res.status).toBe(200);
    const device = ApiSigfoxDevice.parse(res.body);
    expect(device).toMatchObject({
      device_id: d.deviceId,
      operatorId: api.operatorId,
      status: "ready",
      tags: { name: "sensor 1", "site/floor": "3F" },
      terminationEnabled: false,
    });
    expect(device.lastModifiedTime).toMatch(isoPattern);
    const get = await api.get(`/sigfox_devices/${d.deviceId}`);
    expect(get.status).toBe(200);
    expect(get.body).toEqual(res.body);
  });

  it("answers 400 'PAC code is missing' when registrationSecret is absent", async (ctx) => {
    const d = await networkDevice(t, ctx);
    const res = await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { tags: {} } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("PAC code is missing");
    expect(res.body.code).toMatch(/^[A-Z]{3}\d{4}$/);
  });

  it("refuses a wrong PAC with a 4xx and a code, and leaves the device unregistered", async (ctx) => {
    const d = await networkDevice(t, ctx);
    const wrong = d.pac.startsWith("0") ? `1${d.pac.slice(1)}` : `0${d.pac.slice(1)}`;
    const before = await api.get(`/sigfox_devices/${d.deviceId}`);
    if (t.control) expect(before.status).toBe(404);
    const res = await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: wrong } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.code).toBeTruthy();
    if (t.control) expect(res.body.code).toBe("SFX0002");
    const after = await api.get(`/sigfox_devices/${d.deviceId}`);
    expect(after.status).toBe(before.status);
    expect(after.body).toEqual(before.body);
  });

  it("answers 404 with a code for a device the network does not know", async () => {
    const res = await api.post(`/sigfox_devices/FFFFFFFE/register`, { body: { registrationSecret: "0123456789ABCDEF" } });
    expect(res.status).toBe(404);
    expect(res.body.code).toBeTruthy();
  });

  it("answers 409 when the operator registers a device it already owns", async (ctx) => {
    const d = await ownedDevice(t, ctx);
    const res = await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("SFX0004");
  });

  it("answers 409 for a device registered to another operator, which stays invisible to this one", async (ctx) => {
    const control = controlOf(t, ctx);
    const d = { deviceId: "0BADF00D", pac: "00112233445566AA" };
    await control.seed({
      operators: [{ operatorId: "OP0099999999", authKeys: [{ authKeyId: "keyId-other", authKey: "secret-other" }] }],
      devices: [{ ...d, ownerOperatorId: "OP0099999999" }],
    });
    const res = await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("SFX0005");
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).status).toBe(404);
  });

  it("registers an instock device of the operator's own stock with its PAC (given in lower case)", async (ctx) => {
    const d = await ownedDevice(t, ctx, { status: "instock" });
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).body.status).toBe("instock");
    const res = await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac.toLowerCase() } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ready");
  });

  it("finds a device whatever the case of its hex ID, and returns the ID as stored", async (ctx) => {
    const d = await ownedDevice(t, ctx);
    const res = await api.get(`/sigfox_devices/${d.deviceId.toLowerCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.device_id).toBe(d.deviceId);
  });
});

describe("every device operation", () => {
  const unknown = "FFFFFFF0";
  const calls: [string, string, string, unknown?][] = [
    ["getSigfoxDevice", "GET", ""],
    ["getDataFromSigfoxDevice", "GET", "/data"],
    ["sendDataToSigfoxDevice", "POST", "/data", { data: "0102030405060708" }],
    ["disableTerminationOnSigfoxDevice", "POST", "/disable_termination"],
    ["enableTerminationOnSigfoxDevice", "POST", "/enable_termination"],
    ["setSigfoxDeviceGroup", "POST", "/set_group", { groupId: GROUP_A }],
    ["unsetSigfoxDeviceGroup", "POST", "/unset_group"],
    ["putSigfoxDeviceTags", "PUT", "/tags", [{ tagName: "a", tagValue: "b" }]],
    ["deleteSigfoxDeviceTag", "DELETE", "/tags/a"],
    ["terminateSigfoxDevice", "POST", "/terminate"],
  ];
  it.each(calls)("%s answers 404 {code, message} for a device not in the account", async (_op, method, suffix, body) => {
    const res = await api.call(method, `/sigfox_devices/${unknown}${suffix}`, body === undefined ? {} : { body });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: expect.any(String), message: expect.any(String) });
  });

  it.each(calls)("%s answers 401 without auth headers", async (_op, method, suffix, body) => {
    const res = await api.call(method, `/sigfox_devices/${unknown}${suffix}`, { anonymous: true, ...(body === undefined ? {} : { body }) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBeTruthy();
  });
});

describe("request bodies", () => {
  it("a body that is not JSON is 400 with a message that does not quote the body", async (ctx) => {
    const d = await networkDevice(t, ctx);
    const res = await api.post(`/sigfox_devices/${d.deviceId}/register`, { rawBody: `{"registrationSecret":"${d.pac}"` });
    expect(res.status).toBe(400);
    expect(res.body.code).toBeTruthy();
    expect(res.text).not.toContain(d.pac);
  });

  it("a wrong PAC is never echoed in the error", async (ctx) => {
    const d = await networkDevice(t, ctx);
    const res = await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: "FEDCBA9876543210" } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toContain("FEDCBA9876543210");
    expect(res.text).not.toContain(d.pac);
  });
});

describe("getSigfoxDevice", () => {
  it("answers 404 with {code, message} for an unknown device", async () => {
    const res = await api.get(`/sigfox_devices/FFFFFFFF`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: expect.any(String), message: expect.any(String) });
  });

  it("X-Soracom-Lang: ja answers the same code with a Japanese message", async () => {
    const en = await api.get(`/sigfox_devices/FFFFFFFF`, { headers: { "X-Soracom-Lang": "en" } });
    const ja = await api.get(`/sigfox_devices/FFFFFFFF`, { headers: { "X-Soracom-Lang": "ja" } });
    expect(ja.status).toBe(404);
    expect(ja.body.code).toBe(en.body.code);
    expect(ja.body.message).not.toBe(en.body.message);
    expect(ja.body.message).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    expect(en.body.message).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe("tags", () => {
  it("PUT upserts a list of {tagName, tagValue} and keeps other tags", async (ctx) => {
    const d = await ownedDevice(t, ctx, { tags: { keep: "me", change: "old" } });
    const res = await api.call("PUT", `/sigfox_devices/${d.deviceId}/tags`, {
      body: [
        { tagName: "change", tagValue: "new" },
        { tagName: "added", tagValue: "1" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.tags).toEqual({ keep: "me", change: "new", added: "1" });
  });

  it("PUT refuses a body that is not a tag list with 400", async (ctx) => {
    const d = await ownedDevice(t, ctx);
    const res = await api.call("PUT", `/sigfox_devices/${d.deviceId}/tags`, { body: { name: "value" } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBeTruthy();
  });

  it("DELETE removes one tag named with spaces, slashes, percent signs and non-ASCII (percent-encoded)", async (ctx) => {
    const names = ["floor / room", "a/b/c", "温度", "100% sure", "plain"];
    const d = await ownedDevice(t, ctx, { tags: Object.fromEntries(names.map((n) => [n, "v"])) });
    for (const [i, name] of names.entries()) {
      const res = await api.call("DELETE", `/sigfox_devices/${d.deviceId}/tags/${encodeURIComponent(name)}`);
      expect(res.status, name).toBe(204);
      const left = (await api.get(`/sigfox_devices/${d.deviceId}`)).body.tags;
      expect(Object.keys(left).sort()).toEqual(names.slice(i + 1).sort());
    }
  });

  it("refuses an empty tag name with 400 in PUT and in register alike (undocumented: it could never be deleted)", async (ctx) => {
    requireEmulator(ctx);
    const owned = await ownedDevice(t, ctx);
    const put = await api.call("PUT", `/sigfox_devices/${owned.deviceId}/tags`, { body: [{ tagName: "", tagValue: "v" }] });
    expect([put.status, put.body.code]).toEqual([400, "COM0001"]);
    const d = await networkDevice(t, ctx);
    const reg = await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac, tags: { "": "v" } } });
    expect([reg.status, reg.body.code]).toEqual([400, "COM0001"]);
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).status).toBe(404);
  });

  it("DELETE answers 404 for a tag the device does not have, and for an unknown device", async (ctx) => {
    const d = await ownedDevice(t, ctx, { tags: { a: "1" } });
    const missingTag = await api.call("DELETE", `/sigfox_devices/${d.deviceId}/tags/b`);
    expect(missingTag.status).toBe(404);
    expect(missingTag.body.code).toBe("SFX0008");
    const missingDevice = await api.call("DELETE", `/sigfox_devices/FFFFFFFF/tags/a`);
    expect(missingDevice.status).toBe(404);
  });
});

describe("groups", () => {
  it("set_group puts the device in a group and unset_group removes it", async (ctx) => {
    const d = await ownedDevice(t, ctx);
    const set = await api.post(`/sigfox_devices/${d.deviceId}/set_group`, { body: { groupId: GROUP_A } });
    expect(set.status).toBe(200);
    expect(set.body.groupId).toBe(GROUP_A);
    const moved = await api.post(`/sigfox_devices/${d.deviceId}/set_group`, { body: { groupId: GROUP_B } });
    expect(moved.body.groupId).toBe(GROUP_B);
    const unset = await api.post(`/sigfox_devices/${d.deviceId}/unset_group`);
    expect(unset.status).toBe(200);
    expect(unset.body.groupId).toBeUndefined();
  });

  it("set_group refuses a missing groupId with 400 and an unknown group with 404", async (ctx) => {
    const d = await ownedDevice(t, ctx);
    const missing = await api.post(`/sigfox_devices/${d.deviceId}/set_group`, { body: {} });
    expect(missing.status).toBe(400);
    const unknown = await api.post(`/sigfox_devices/${d.deviceId}/set_group`, { body: { groupId: "00000000-0000-4000-8000-000000000000" } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("SFX0010");
  });
});

describe("termination", () => {
  it("a new device is protected: terminate is refused with a code until enable_termination", async (ctx) => {
    const d = await ownedDevice(t, ctx);
    const refused = await api.post(`/sigfox_devices/${d.deviceId}/terminate`);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("SFX0007");
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).body.status).toBe("ready");

    const enabled = await api.post(`/sigfox_devices/${d.deviceId}/enable_termination`);
    expect(enabled.status).toBe(200);
    expect(enabled.body.terminationEnabled).toBe(true);
    const disabled = await api.post(`/sigfox_devices/${d.deviceId}/disable_termination`);
    expect(disabled.body.terminationEnabled).toBe(false);
    expect((await api.post(`/sigfox_devices/${d.deviceId}/terminate`)).status).toBe(400);
  });

  it("terminate keeps the device visible as terminated for 24 hours of emulator time, then it is gone", async (ctx) => {
    const control = controlOf(t, ctx);
    const d = await ownedDevice(t, ctx, { terminationEnabled: true });
    const res = await api.post(`/sigfox_devices/${d.deviceId}/terminate`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("terminated");
    expect(res.body.registrationSecret).toBeUndefined();
    await control.advanceClock(23 * 3600);
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).body.status).toBe("terminated");
    const again = await api.post(`/sigfox_devices/${d.deviceId}/terminate`);
    expect(again.status).toBe(409);
    const tags = await api.call("PUT", `/sigfox_devices/${d.deviceId}/tags`, { body: [{ tagName: "a", tagValue: "b" }] });
    expect(tags.status).toBe(409);
    await control.advanceClock(3600);
    // A day has passed: the token issued at the start (default timeout 86400 s) has expired too.
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).status).toBe(401);
    api = await loginAs(t);
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).status).toBe(404);
    const listed = (await api.get(`/sigfox_devices`)).body as { device_id: string }[];
    expect(listed.map((x) => x.device_id)).not.toContain(d.deviceId);
  });

  it("delete_immediately=true deletes at once and returns a fresh PAC that registers the device again", async (ctx) => {
    const d = await ownedDevice(t, ctx, { terminationEnabled: true, tags: { a: "1" } });
    const res = await api.post(`/sigfox_devices/${d.deviceId}/terminate`, { query: { delete_immediately: true } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("terminated");
    const newPac: string = res.body.registrationSecret;
    expect(newPac).toMatch(/^[0-9A-F]{16}$/);
    expect(newPac).not.toBe(d.pac);
    expect((await api.get(`/sigfox_devices/${d.deviceId}`)).status).toBe(404);
    const old = await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: d.pac } });
    expect(old.status).toBe(400);
    const again = await api.post(`/sigfox_devices/${d.deviceId}/register`, { body: { registrationSecret: newPac } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "ready", tags: {}, terminationEnabled: false });
  });
});

describe("downlink and uplink", () => {
  it("sendData answers 202; a newer message replaces the pending one; the next uplink delivers it", async (ctx) => {
    const control = controlOf(t, ctx);
    const d = await ownedDevice(t, ctx);
    expect((await api.post(`/sigfox_devices/${d.deviceId}/data`, { body: { data: "0102030405060708" } })).status).toBe(202);
    expect((await api.post(`/sigfox_devices/${d.deviceId}/data`, { body: { data: "AABBCCDDEEFF0011" } })).status).toBe(202);
    const up = await control.uplink(d.deviceId, { data: "cafe" });
    expect(up.deliveredDownlink).toBe("aabbccddeeff0011");
    const up2 = await control.uplink(d.deviceId, {});
    expect(up2.deliveredDownlink).toBeNull();
  });

  it("sendData refuses data that is not 16 hex characters with 400", async (ctx) => {
    const d = await ownedDevice(t, ctx);
    for (const data of ["01020304", "0102030405060708AA", "zz02030405060708", undefined]) {
      const res = await api.post(`/sigfox_devices/${d.deviceId}/data`, { body: data === undefined ? {} : { data } });
      expect(res.status, String(data)).toBe(400);
      expect(res.body.code).toBe("SFX0009");
    }
    expect((await api.post(`/sigfox_devices/FFFFFFFF/data`, { body: { data: "0102030405060708" } })).status).toBe(404);
  });

  it("an uplink makes the device active with lastSeen and a Harvest entry with the Sigfox JSON content", async (ctx) => {
    const control = controlOf(t, ctx);
    const d = await ownedDevice(t, ctx);
    const before = (await api.get(`/sigfox_devices/${d.deviceId}`)).body;
    await control.advanceClock(5);
    await control.uplink(d.deviceId, { data: "0102030405060708", rssi: -118, snr: 9 });
    const device = (await api.get(`/sigfox_devices/${d.deviceId}`)).body;
    expect(device.status).toBe("active");
    expect(device.lastSeen).toEqual({ time: expect.stringMatching(isoPattern), rssi: -118, snr: 9 });
    expect(Date.parse(device.lastModifiedTime)).toBeGreaterThan(Date.parse(before.lastModifiedTime));

    const data = await api.get(`/sigfox_devices/${d.deviceId}/data`);
    expect(data.status).toBe(200);
    expect(data.body).toHaveLength(1);
    const entry = data.body[0];
    expect(entry).toMatchObject({ contentType: "application/json", resourceType: "SigfoxDevice", resourceId: d.deviceId });
    expect(Date.parse(device.lastSeen.time)).toBe(entry.time);
    const content = JSON.parse(entry.content);
    expect(content).toEqual({
      device: d.deviceId,
      time: String(Math.floor(entry.time / 1000)),
      data: "0102030405060708",
      seqNumber: 0,
      lqi: "Good",
      operatorName: "SIGFOX_Japan_KCCS",
      countryCode: "392",
    });
  });
});

describe("lastModifiedTime", () => {
  it("moves forward on every change made through the API", async (ctx) => {
    const control = controlOf(t, ctx);
    const d = await ownedDevice(t, ctx, { tags: { x: "1" } });
    let last = Date.parse((await api.get(`/sigfox_devices/${d.deviceId}`)).body.lastModifiedTime);
    const changes: [string, string, unknown?][] = [
      ["PUT", "/tags", [{ tagName: "a", tagValue: "b" }]],
      ["DELETE", "/tags/x"],
      ["POST", "/set_group", { groupId: GROUP_A }],
      ["POST", "/unset_group"],
      ["POST", "/enable_termination"],
      ["POST", "/disable_termination"],
    ];
    for (const [method, suffix, body] of changes) {
      await control.advanceClock(1);
      await api.call(method, `/sigfox_devices/${d.deviceId}${suffix}`, body === undefined ? {} : { body });
      const now = Date.parse((await api.get(`/sigfox_devices/${d.deviceId}`)).body.lastModifiedTime);
      expect(now, `${method} ${suffix}`).toBeGreaterThan(last);
      last = now;
    }
  });
});
