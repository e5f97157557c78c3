/**
 * `diff`: managed fields of the old outputs against the new inputs; `changes` always a boolean. The
 * PAC is never an output and never compared.
 */
import { describe, expect, it } from "vitest";
import { planDelta } from "../../src/provider/delta";
import { diff, UNKNOWN } from "../../src/provider/sigfox-device";

const PAC = "0123456789ABCDEF";
const GROUP = "7f3c1e2a-0b4d-4c6e-9f10-1234567890ab";
const outputs = {
  __provider: "old provider text",
  deviceId: "1A2B3C",
  tags: { site: "tokyo" },
  groupId: GROUP,
  terminationEnabled: false,
  deleteImmediately: false,
  status: "ready",
  operatorId: "OP0012345678",
  lastModifiedTime: "2026-01-01T00:00:00.000Z",
  lastSeen: { time: "2026-01-01T00:00:00.000Z", rssi: -120, snr: 10 },
};
const inputs = {
  __provider: "new provider text",
  deviceId: "1A2B3C",
  registrationSecret: PAC,
  tags: { site: "tokyo" },
  groupId: GROUP,
  terminationEnabled: false,
  deleteImmediately: false,
};

describe("diff", () => {
  it("reports no change when only __provider and server-computed fields differ", async () => {
    const r = await diff("1A2B3C", outputs, inputs);
    expect(r).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("replaces (delete before create) when the device ID changes", async () => {
    const r = await diff("1A2B3C", outputs, { ...inputs, deviceId: "FFFF" });
    expect(r).toEqual({ changes: true, replaces: ["deviceId"], deleteBeforeReplace: true });
  });

  it("treats a case-only device ID change as the same device (an update that records it)", async () => {
    const r = await diff("1A2B3C", outputs, { ...inputs, deviceId: "1a2b3c" });
    expect(r).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it.each([
    ["a changed tag", { tags: { site: "osaka" } }],
    ["an added tag", { tags: { site: "tokyo", floor: "2" } }],
    ["a removed tag", { tags: {} }],
    ["a new group", { groupId: "00000000-0000-4000-8000-000000000000" }],
    ["a removed group", { groupId: undefined }],
    ["the termination flag", { terminationEnabled: true }],
    ["deleteImmediately", { deleteImmediately: true }],
  ])("updates in place for %s", async (_what, patch) => {
    const r = await diff("1A2B3C", outputs, { ...inputs, ...patch });
    expect(r).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("ignores the PAC: a changed, unknown or missing PAC alone is no change", async () => {
    for (const registrationSecret of ["FEDCBA9876543210", UNKNOWN, undefined]) {
      expect(await diff("1A2B3C", outputs, { ...inputs, registrationSecret })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    }
    // Outputs written by earlier versions still hold the PAC: a different one in the program is no change either.
    expect((await diff("1A2B3C", { ...outputs, registrationSecret: PAC }, { ...inputs, registrationSecret: "FEDCBA9876543210" })).changes).toBe(false);
    // The PAC does not hide a real change next to it.
    expect(await diff("1A2B3C", outputs, { ...inputs, registrationSecret: UNKNOWN, tags: {} })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("compares group IDs case-insensitively and treats absent/null/empty alike", async () => {
    expect((await diff("1A2B3C", outputs, { ...inputs, groupId: GROUP.toUpperCase() })).changes).toBe(false);
    const noGroup = { ...outputs, groupId: undefined };
    expect((await diff("1A2B3C", noGroup, { ...inputs, groupId: undefined })).changes).toBe(false);
    expect((await diff("1A2B3C", { ...noGroup, groupId: "" }, { ...inputs, groupId: undefined })).changes).toBe(false);
  });

  it("tolerates outputs of older versions missing fields (defaults apply)", async () => {
    const old = { deviceId: "1A2B3C" };
    const r = await diff("1A2B3C", old, { ...inputs, tags: {}, groupId: undefined });
    expect(r.changes).toBe(false);
  });

  it("treats unknowns as changes; an unknown device ID as a replacement", async () => {
    expect((await diff("1A2B3C", outputs, { ...inputs, tags: UNKNOWN })).changes).toBe(true);
    expect((await diff("1A2B3C", outputs, { ...inputs, tags: { site: UNKNOWN } })).changes).toBe(true);
    expect((await diff("1A2B3C", outputs, { ...inputs, groupId: UNKNOWN })).changes).toBe(true);
    expect((await diff("1A2B3C", outputs, { ...inputs, deviceId: UNKNOWN })).replaces).toEqual(["deviceId"]);
  });

  it("always returns a boolean `changes`", async () => {
    for (const news of [inputs, {}, { ...inputs, tags: null }]) {
      expect(typeof (await diff("x", outputs, news as Record<string, unknown>)).changes).toBe("boolean");
    }
  });
});

describe("planDelta", () => {
  it("puts new and changed tags in one call, deletes removed ones one by one, only what changed", () => {
    const plan = planDelta(
      { tags: { a: "1", b: "2", gone: "x", "also gone": "y" }, groupId: GROUP, terminationEnabled: false },
      { tags: { a: "1", b: "3", c: "4" }, terminationEnabled: true },
    );
    expect(plan.tags.remove).toEqual(["gone", "also gone"]);
    expect(plan.tags.put).toEqual([
      { tagName: "b", tagValue: "3" },
      { tagName: "c", tagValue: "4" },
    ]);
    expect(plan.group).toBe("unset");
    expect(plan.termination).toBe(true);
  });

  it("plans nothing for an unchanged state", () => {
    const s = { tags: { a: "1" }, groupId: GROUP, terminationEnabled: true };
    expect(planDelta(s, { ...s, groupId: GROUP.toUpperCase() })).toEqual({ tags: { remove: [], put: [] }, group: undefined, termination: undefined });
  });
});
