/**
 * Adopt-only devices: `SigfoxDevice` without a PAC (`registrationSecret` absent), through the
 * provider's operations against the emulator over real HTTP (no engine; the engine-level proof is
 * adopt-only-engine.test.ts). `create` adopts a device registered to this operator with no register
 * call, and fails with the fix, creating nothing, for any other device.
 */
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { apiCallsWithoutAuth } from "../helpers/common";
import { sigfoxDevice } from "../../src/provider";
import { setApiFactoryForTests } from "../../src/provider/config";

const GROUP_A = "11111111-1111-4111-8111-111111111111";
const PROVIDER_TEXT = "exports.handler = () => shim; // stands in for the serialized shim";

let emu: RunningEmulator;
let seq = 0;
const nextId = () => (0x300000 + ++seq).toString(16).toUpperCase();

const calls = () => apiCallsWithoutAuth(emu);

/**
 * The write calls since the last clear, and how many reads (the look-up goes through `lookupDevice`:
 * one GET per device today, list pages once the device directory is list-backed).
 */
async function callsByKind(): Promise<{ writes: Record<string, number>; reads: number }> {
  const { getSigfoxDevice, listSigfoxDevices, ...writes } = await calls();
  return { writes, reads: (getSigfoxDevice ?? 0) + (listSigfoxDevices ?? 0) };
}

async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await sigfoxDevice.check({}, news);
  expect(r.failures).toEqual([]);
  return { ...(r.inputs as Record<string, unknown>), __provider: PROVIDER_TEXT };
}

/** Runs `create`, capturing the provider's log lines; returns the error thrown, if any. */
async function createCapturing(inputs: Record<string, unknown>): Promise<{ r?: pulumi.dynamic.CreateResult; error?: Error; logged: string }> {
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const result = await sigfoxDevice.create(inputs).then(
      (r) => ({ r }),
      (error: Error) => ({ error }),
    );
    return { ...result, logged: stderr.mock.calls.map((c) => String(c[0])).join("") };
  } finally {
    stderr.mockRestore();
  }
}

beforeAll(async () => {
  emu = await startEmulator({ seed: { groups: [{ groupId: GROUP_A }] } });
  setApiFactoryForTests(undefined);
  await sigfoxDevice.configure({
    config: { "soracom:endpoint": emu.url, "soracom:authKeyId": emu.credentials.authKeyId, "soracom:authKey": emu.credentials.authKey },
  });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(async () => {
  await emu.control.clearRequests();
});

describe("check without a PAC", () => {
  it("accepts a device with no registrationSecret and adds none (makes no API call)", async () => {
    const r = await sigfoxDevice.check({}, { deviceId: "1A2B", tags: { site: "tokyo" } });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual({ deviceId: "1A2B", tags: { site: "tokyo" }, terminationEnabled: false, deleteImmediately: false });
    const nulled = await sigfoxDevice.check({}, { deviceId: "1A2B", registrationSecret: null });
    expect(nulled.failures).toEqual([]);
    expect(nulled.inputs).not.toHaveProperty("registrationSecret");
    expect(await calls()).toEqual({});
  });

  it("still rejects a malformed PAC when one is given", async () => {
    const r = await sigfoxDevice.check({}, { deviceId: "1A2B", registrationSecret: "NOT-A-PAC" });
    expect(r.failures).toEqual([{ property: "", reason: expect.stringMatching(/^registrationSecret: .*exactly 16 hexadecimal/) }]);
  });
});

describe("create without a PAC", () => {
  it("adopts a device registered to this operator and converges it, with no register call", async () => {
    const deviceId = nextId();
    await emu.control.seed({
      devices: [{ deviceId, ownerOperatorId: emu.credentials.operatorId, status: "active", tags: { old: "x", keep: "1" }, terminationEnabled: true }],
    });
    await emu.control.clearRequests();
    const { r, error, logged } = await createCapturing(await checked({ deviceId, tags: { keep: "1", new: "2" }, groupId: GROUP_A }));
    expect(error).toBeUndefined();
    expect(logged).toMatch(new RegExp(`SigfoxDevice ${deviceId}: no PAC given; .*adopted it`));
    const { writes, reads } = await callsByKind();
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(writes).toEqual({
      deleteSigfoxDeviceTag: 1,
      putSigfoxDeviceTags: 1,
      setSigfoxDeviceGroup: 1,
      disableTerminationOnSigfoxDevice: 1,
    });
    expect(r!.id).toBe(deviceId);
    expect(r!.outs).toMatchObject({ deviceId, tags: { keep: "1", new: "2" }, groupId: GROUP_A, terminationEnabled: false, status: "active" });
    expect(r!.outs).not.toHaveProperty("registrationSecret");
  });

  it("adopts a device already in the declared state with no write call at all", async () => {
    const deviceId = nextId();
    await emu.control.seed({ devices: [{ deviceId, ownerOperatorId: emu.credentials.operatorId, status: "ready", tags: { site: "kobe" }, groupId: GROUP_A }] });
    await emu.control.clearRequests();
    const { r, error } = await createCapturing(await checked({ deviceId, tags: { site: "kobe" }, groupId: GROUP_A }));
    expect(error).toBeUndefined();
    expect((await callsByKind()).writes).toEqual({});
    expect(r!.outs).toMatchObject({ tags: { site: "kobe" }, groupId: GROUP_A, terminationEnabled: false, status: "ready" });
  });

  it("fails for a device not registered to this operator, naming the device and the fix, and creates nothing", async () => {
    const deviceId = nextId();
    await emu.control.seed({ devices: [{ deviceId }] }); // on the network, registered nowhere
    await emu.control.clearRequests();
    const { r, error } = await createCapturing(await checked({ deviceId, tags: { a: "1" } }));
    expect(r).toBeUndefined();
    expect(error!.message).toBe(
      `SigfoxDevice ${deviceId}: cannot adopt: the device is not registered to this operator, and no registrationSecret (PAC) is given to register it. ` +
        "Fix: give its PAC (registrationSecret) so that it can be registered, or register it to this operator first and run `pulumi up` again. Nothing was created.",
    );
    expect(error).not.toHaveProperty("id"); // no partial state: the engine records nothing
    expect((await callsByKind()).writes).toEqual({});
    const live = (await emu.control.state()).devices.find((d) => d.deviceId === deviceId);
    expect(live?.ownerOperatorId ?? null).toBeNull();
  });

  it.each([
    ["instock", /in this operator's stock but not registered/],
    ["terminated", /is terminated/],
  ] as const)("does not adopt a %s device", async (status, reason) => {
    const deviceId = nextId();
    await emu.control.seed({ devices: [{ deviceId, ownerOperatorId: emu.credentials.operatorId, status }] });
    await emu.control.clearRequests();
    const { error } = await createCapturing(await checked({ deviceId }));
    expect(error!.message).toMatch(reason);
    expect(error!.message).toMatch(/Fix: give its PAC \(registrationSecret\)/);
    expect((await callsByKind()).writes).toEqual({});
  });

  it("with a PAC, registers as before (the PAC is still used when given)", async () => {
    const deviceId = nextId();
    const pac = "0A1B2C3D4E5F6071";
    await emu.control.seed({ devices: [{ deviceId, pac }] });
    await emu.control.clearRequests();
    const { r } = await createCapturing(await checked({ deviceId, registrationSecret: pac }));
    expect(await calls()).toEqual({ registerSigfoxDevice: 1 });
    expect(r!.outs).toMatchObject({ status: "ready" });
  });
});
