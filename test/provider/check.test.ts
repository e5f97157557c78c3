/**
 * `check`: validation, normalization, defaults, preview unknowns — and no network, no secret echoed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { check, UNKNOWN } from "../../src/provider/sigfox-device";
import { setApiFactoryForTests } from "../../src/provider/config";

const PAC = "0123456789ABCDEF";
const GROUP = "7f3c1e2a-0b4d-4c6e-9f10-1234567890ab";
const valid = { deviceId: "1A2B3C", registrationSecret: PAC };

let apiCalls = 0;
beforeEach(() => {
  apiCalls = 0;
  setApiFactoryForTests(() => {
    apiCalls++;
    throw new Error("check must not create a client");
  });
});
afterEach(() => {
  expect(apiCalls).toBe(0);
  setApiFactoryForTests(undefined);
});

describe("check", () => {
  it("fills the defaults: no tags, protected, not deleted immediately", async () => {
    const r = await check({}, { ...valid, __provider: "text" });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual({ ...valid, tags: {}, terminationEnabled: false, deleteImmediately: false });
  });

  it("keeps every valid field as given, omits an absent group", async () => {
    const news = { ...valid, tags: { site: "tokyo", "floor 2/room": "東京" }, groupId: GROUP, terminationEnabled: true, deleteImmediately: true };
    const r = await check({}, news);
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual(news);
    const noGroup = await check({}, { ...valid, groupId: undefined });
    expect(noGroup.inputs).not.toHaveProperty("groupId");
  });

  it("accepts device IDs of 1 to 8 hex digits in either case", async () => {
    for (const deviceId of ["2C", "1a2b3c4d", "00000001"]) {
      expect((await check({}, { ...valid, deviceId })).failures).toEqual([]);
    }
  });

  it.each([
    ["deviceId", { deviceId: "123456789" }, /1 to 8 hexadecimal/],
    ["deviceId", { deviceId: "0x1A2B" }, /no "0x" prefix/],
    ["deviceId", { deviceId: 12 }, /must be a string/],
    ["deviceId", { deviceId: undefined }, /is required/],
    // The PAC's failures carry no property: the engine would print the (secret) value next to it.
    ["", { registrationSecret: "0123456789ABCDEZ" }, /^registrationSecret: .*exactly 16 hexadecimal/],
    ["tags", { tags: { "": "x" } }, /must not be empty/],
    ["tags", { tags: { "..": "x" } }, /"\." and "\.\." cannot be used/],
    ["tags", { tags: { ".": "x" } }, /"\." and "\.\." cannot be used/],
    ["tags", { tags: { site: "" } }, /remove the tag instead/],
    ["tags", { tags: { site: 3 } }, /must be strings/],
    ["tags", { tags: { ["n".repeat(129)]: "x" } }, /at most 128/],
    ["tags", { tags: { site: "v".repeat(1025) } }, /at most 1024/],
    ["tags", { tags: ["a"] }, /map of tag name to value/],
    ["groupId", { groupId: "not-a-uuid" }, /UUID/],
    ["groupId", { groupId: "" }, /omit it for no group/],
    ["terminationEnabled", { terminationEnabled: "yes" }, /true or false/],
    ["deleteImmediately", { deleteImmediately: 1 }, /true or false/],
    // Unknown properties are named in the reason, not as the property (the engine would print the value: it may be a PAC).
    ["", { terminationEnable: true }, /unknown property "terminationEnable": did you mean "terminationEnabled"\?/],
  ])("rejects a bad %s (property) with a fix in the message", async (property, patch, reason) => {
    const r = await check({}, { ...valid, ...patch });
    expect(r.failures).toHaveLength(1);
    expect(r.failures![0]!.property).toBe(property);
    expect(r.failures![0]!.reason).toMatch(reason);
  });

  it("never echoes the PAC, even a malformed one", async () => {
    const badPac = "DEADBEEFDEADBEEF00";
    const r = await check({}, { ...valid, registrationSecret: badPac });
    expect(JSON.stringify(r.failures)).not.toContain(badPac);
    expect(JSON.stringify(r.failures)).not.toMatch(/deadbeef/i);
  });

  it("reports every bad property at once", async () => {
    const r = await check({}, { deviceId: "zz", registrationSecret: "x", groupId: "g", terminationEnabled: "no" });
    expect(r.failures!.map((f) => f.property).sort()).toEqual(["", "deviceId", "groupId", "terminationEnabled"]);
  });

  it("tolerates preview unknowns in any field, whole or nested", async () => {
    const news = {
      deviceId: UNKNOWN,
      registrationSecret: UNKNOWN,
      tags: { site: UNKNOWN },
      groupId: UNKNOWN,
      terminationEnabled: UNKNOWN,
      deleteImmediately: UNKNOWN,
    };
    const r = await check({}, news);
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual(news);
    const wholeTags = await check({}, { ...valid, tags: UNKNOWN });
    expect(wholeTags.failures).toEqual([]);
    expect(wholeTags.inputs!.tags).toBe(UNKNOWN);
  });

  it("ignores seeded output-only keys and the host's __provider", async () => {
    const r = await check({}, { ...valid, status: null, lastSeen: undefined, __provider: "x" });
    expect(r.failures).toEqual([]);
  });

  it("returns JSON-clean inputs (no undefined anywhere)", async () => {
    const r = await check({}, { ...valid, groupId: undefined, tags: { a: "b" } });
    expect(JSON.parse(JSON.stringify(r.inputs))).toEqual(r.inputs);
    expect(Object.values(r.inputs as object)).not.toContain(undefined);
  });
});
