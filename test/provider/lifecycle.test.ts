/**
 * The provider's operations against the emulator over real HTTP through the real client (no engine):
 * exact API calls per operation, adoption, partial state, protection, released PACs, secrets.
 * The engine-level proof is engine.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { sigfoxDevice } from "../../src/provider";
import { changedFields } from "../../src/provider/sigfox-device";
import { setApiFactoryForTests } from "../../src/provider/config";
import { setConvergencePolicyForTests } from "../../src/provider/convergence";
import type { PartialStateError } from "../../src/provider/errors";
import { emulatorProviderConfig, rejection, emulatorClientEnv } from "../helpers/common";
import { PROVIDER_TEXT, providerKit } from "./provider-kit";

const GROUP_A = "11111111-1111-4111-8111-111111111111";
const GROUP_B = "22222222-2222-4222-8222-222222222222";
let emu: RunningEmulator;
let pacDir: string;
const { networkDevice, calls, checked } = providerKit(() => emu, 0x100000);

function expectJsonClean(v: unknown): void {
  expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  expect(JSON.stringify(v)).not.toContain("undefined");
}

beforeAll(async () => {
  emu = await startEmulator({ seed: { groups: [{ groupId: GROUP_A }, { groupId: GROUP_B }] } });
  pacDir = fs.mkdtempSync(path.join(os.tmpdir(), "released-pacs-"));
  setApiFactoryForTests(undefined);
  setConvergencePolicyForTests({ attempts: 3, baseDelayMs: 10, maxDelayMs: 50 });
  await sigfoxDevice.configure({ config: emulatorProviderConfig(emu, { releasedPacDir: pacDir }) });
});
afterAll(async () => {
  await emu?.close();
  fs.rmSync(pacDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await emu.control.clearFaults();
  await emu.control.clearRequests();
});

describe("create", () => {
  it("registers with the tags in the same call: one call, no read-back", async () => {
    const d = await networkDevice();
    const r = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { site: "tokyo" } }));
    expect(await calls()).toEqual({ registerSigfoxDevice: 1 });
    expect(r.id).toBe(d.deviceId);
    expect(r.outs).toMatchObject({
      deviceId: d.deviceId,
      tags: { site: "tokyo" },
      terminationEnabled: false,
      deleteImmediately: false,
      status: "ready",
      operatorId: emu.credentials.operatorId,
    });
    expect(r.outs).not.toHaveProperty("groupId");
    // The PAC is an input only: never an output (the SDK logs outputs in plain text at debug level).
    expect(r.outs).not.toHaveProperty("registrationSecret");
    expect(JSON.stringify(r)).not.toContain(d.pac);
    expectJsonClean(r.outs);
  });

  it("sets the group and enables termination only when declared: three calls", async () => {
    const d = await networkDevice();
    const r = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, groupId: GROUP_A, terminationEnabled: true }));
    expect(await calls()).toEqual({ registerSigfoxDevice: 1, setSigfoxDeviceGroup: 1, enableTerminationOnSigfoxDevice: 1 });
    expect(r.outs).toMatchObject({ groupId: GROUP_A, terminationEnabled: true, tags: {} });
  });

  it("adopts a device already in the operator's account and converges it (tag delta, group, flag)", async () => {
    const d = await networkDevice();
    await emu.control.seed({
      devices: [
        {
          deviceId: d.deviceId,
          pac: d.pac,
          ownerOperatorId: emu.credentials.operatorId,
          status: "ready",
          tags: { old: "x", keep: "1" },
          groupId: GROUP_B,
          terminationEnabled: true,
        },
      ],
    });
    await emu.control.clearRequests();
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const r = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { keep: "1", new: "2" }, groupId: GROUP_A }));
    const logged = stderr.mock.calls.map((c) => String(c[0])).join("");
    stderr.mockRestore();
    expect(logged).toMatch(/adopted/);
    expect(logged).not.toContain(d.pac);
    expect(await calls()).toEqual({
      registerSigfoxDevice: 1, // 409: already registered to this operator
      getSigfoxDevice: 1,
      deleteSigfoxDeviceTag: 1,
      putSigfoxDeviceTags: 1,
      setSigfoxDeviceGroup: 1,
      disableTerminationOnSigfoxDevice: 1,
    });
    expect(r.outs).toMatchObject({ tags: { keep: "1", new: "2" }, groupId: GROUP_A, terminationEnabled: false });
  });

  it("adopts after a registration whose response was lost (the device was registered)", async () => {
    const d = await networkDevice();
    await emu.control.injectFault({ operation: "registerSigfoxDevice", drop: "after" });
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const r = await sigfoxDevice
      .create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1" } }))
      .finally(() => stderr.mockRestore());
    expect(r.outs).toMatchObject({ tags: { a: "1" }, status: "ready" });
    const c = await calls();
    expect(c.registerSigfoxDevice).toBe(1); // never replayed
    expect(c.getSigfoxDevice).toBe(1);
  });

  it("fails cleanly, without the PAC in the message, when the PAC is wrong", async () => {
    const d = await networkDevice();
    const wrong = "ABCDEF0123456789";
    const err = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: wrong })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`SigfoxDevice ${d.deviceId}: registration failed`));
    expect((err as Error).message).not.toContain(wrong);
    expect((err as Error).message).not.toContain(d.pac);
    expect(err).not.toHaveProperty("id"); // nothing registered: nothing to record
  });

  it("does not adopt a device of the operator's stock (instock) whose registration failed", async () => {
    const d = await networkDevice();
    await emu.control.seed({ devices: [{ deviceId: d.deviceId, pac: d.pac, ownerOperatorId: emu.credentials.operatorId, status: "instock" }] });
    const err = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: "ABCDEF0123456789" })).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/registration failed: .*Invalid PAC/);
    const ok = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac }));
    expect(ok.outs).toMatchObject({ status: "ready" });
  });

  it("throws the partial-state error when a step after registration fails; update finishes it", async () => {
    const d = await networkDevice();
    // More failures than the provider's per-device budget of retries (each of its attempts is 4 client calls).
    await emu.control.injectFault({ operation: "setSigfoxDeviceGroup", status: 500, count: 100 });
    const inputs = await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1" }, groupId: GROUP_A, terminationEnabled: true });
    const err = (await sigfoxDevice.create(inputs).catch((e: unknown) => e)) as PartialStateError;
    expect(err.id).toBe(d.deviceId);
    expect(err.reasons[0]).toMatch(/registered, but setting the group .* failed.*run `pulumi up` again/);
    expect(err.reasons[0]).not.toContain(d.pac);
    expect(err.properties).toMatchObject({ __provider: PROVIDER_TEXT, deviceId: d.deviceId, tags: { a: "1" }, terminationEnabled: false, status: "ready" });
    expect(err.properties).not.toHaveProperty("groupId");
    expect(err.properties).not.toHaveProperty("registrationSecret");
    expect(JSON.stringify(err.properties)).not.toContain(d.pac);
    expectJsonClean(err.properties);

    await emu.control.clearFaults();
    await emu.control.clearRequests();
    const u = await sigfoxDevice.update(d.deviceId, err.properties, inputs);
    expect(await calls()).toEqual({ setSigfoxDeviceGroup: 1, enableTerminationOnSigfoxDevice: 1 });
    expect(u.outs).toMatchObject({ groupId: GROUP_A, terminationEnabled: true, tags: { a: "1" } });
    expect(u.outs).not.toHaveProperty("registrationSecret");
  });
});

describe("read", () => {
  it("returns the live state as outputs and refreshed inputs (deleteImmediately kept, no PAC)", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1" }, deleteImmediately: true }));
    await emu.control.mutateDevice(d.deviceId, { tags: { a: "2" }, groupId: GROUP_B, terminationEnabled: true });
    await emu.control.clearRequests();
    const r = await sigfoxDevice.read(d.deviceId, { ...c.outs, __provider: PROVIDER_TEXT });
    expect(await calls()).toEqual({ getSigfoxDevice: 1 });
    expect(r.id).toBe(d.deviceId);
    expect(r.props).toMatchObject({ tags: { a: "2" }, groupId: GROUP_B, terminationEnabled: true, deleteImmediately: true });
    expect(r.props).not.toHaveProperty("registrationSecret");
    // The provider cannot know the PAC here (the host passes only the outputs): the refreshed inputs lack it.
    expect(r.inputs).toEqual({ deviceId: d.deviceId, tags: { a: "2" }, groupId: GROUP_B, terminationEnabled: true, deleteImmediately: true });
    // The program's inputs (with the PAC) against the refreshed outputs: drift on the managed fields only.
    expect(
      changedFields(
        r.props as Record<string, unknown>,
        await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1" }, deleteImmediately: true }),
      ),
    ).toEqual(["tags", "groupId", "terminationEnabled"]);
    expectJsonClean(r);
  });

  it("drops a PAC that outputs written by an earlier version still hold", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac }));
    const legacy = { ...c.outs, registrationSecret: d.pac, __provider: PROVIDER_TEXT };
    const r = await sigfoxDevice.read(d.deviceId, legacy);
    expect(JSON.stringify(r)).not.toContain(d.pac);
    await emu.control.clearRequests();
    const u = await sigfoxDevice.update(d.deviceId, legacy, await checked({ deviceId: d.deviceId, registrationSecret: d.pac, deleteImmediately: true }));
    expect(await calls()).toEqual({});
    expect(u.outs).toMatchObject({ deviceId: d.deviceId, deleteImmediately: true, status: "ready" });
    expect(JSON.stringify(u)).not.toContain(d.pac);
  });

  it("reports lastSeen and the active status after the device has sent a message; no drift from them", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac }));
    expect(c.outs).not.toHaveProperty("lastSeen");
    await emu.control.uplink(d.deviceId, { data: "0102", rssi: -118, snr: 12 });
    const r = await sigfoxDevice.read(d.deviceId, c.outs);
    expect(r.props).toMatchObject({ status: "active", lastSeen: { rssi: -118, snr: 12 } });
    expect((r.props as { lastSeen: { time: string } }).lastSeen.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    // No drift: no refreshed inputs (the engine keeps the stored ones), and no change against the program.
    expect(r.inputs).toBeUndefined();
    expect((await sigfoxDevice.diff(d.deviceId, r.props, await checked({ deviceId: d.deviceId, registrationSecret: d.pac }))).changes).toBe(false);
    expectJsonClean(r);
  });

  it("reports a device deleted out of band, or terminated, as gone (empty id)", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, terminationEnabled: true }));
    await emu.control.mutateDevice(d.deviceId, { status: "terminated" });
    expect((await sigfoxDevice.read(d.deviceId, c.outs)).id).toBe("");
    await emu.control.removeDevice(d.deviceId);
    expect((await sigfoxDevice.read(d.deviceId, c.outs)).id).toBe("");
  });
});

describe("update", () => {
  it("makes exactly the calls of the delta: one PUT for new/changed tags, one DELETE per removed tag, group, flag", async () => {
    const d = await networkDevice();
    const first = await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1", b: "2", c: "3" }, groupId: GROUP_A });
    const c = await sigfoxDevice.create(first);
    await emu.control.clearRequests();
    const next = await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1", b: "20", d: "4" }, terminationEnabled: true });
    const u = await sigfoxDevice.update(d.deviceId, c.outs, next);
    expect(await calls()).toEqual({ deleteSigfoxDeviceTag: 1, putSigfoxDeviceTags: 1, unsetSigfoxDeviceGroup: 1, enableTerminationOnSigfoxDevice: 1 });
    expect(u.outs).toMatchObject({ tags: { a: "1", b: "20", d: "4" }, terminationEnabled: true });
    expect(u.outs).not.toHaveProperty("groupId");
    const requests = await emu.control.requests();
    expect(requests.map((r) => `${r.method} ${r.path.replace(/^\/v1\/sigfox_devices\/[^/]+/, "")}`)).toEqual([
      "DELETE /tags/c",
      "PUT /tags",
      "POST /unset_group",
      "POST /enable_termination",
    ]);
  });

  it("reads the device back once when a tag deletion was the last call", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1", "b c/d": "2" } }));
    await emu.control.clearRequests();
    const u = await sigfoxDevice.update(d.deviceId, c.outs, await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1" } }));
    expect(await calls()).toEqual({ deleteSigfoxDeviceTag: 1, getSigfoxDevice: 1 });
    expect((await emu.control.requests())[0]!.path).toMatch(/\/tags\/b%20c%2Fd$/);
    expect(u.outs).toMatchObject({ tags: { a: "1" } });
  });

  it("records deleteImmediately without any API call; a new PAC next to it is neither used nor recorded", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac }));
    await emu.control.clearRequests();
    const news = await checked({ deviceId: d.deviceId, registrationSecret: "FEDCBA9876543210", deleteImmediately: true });
    const u = await sigfoxDevice.update(d.deviceId, { ...c.outs, __provider: PROVIDER_TEXT }, news);
    expect(await calls()).toEqual({});
    expect(u.outs).toMatchObject({ deviceId: d.deviceId, deleteImmediately: true, status: "ready" });
    expect(u.outs).not.toHaveProperty("registrationSecret");
    expect(u.outs).not.toHaveProperty("__provider");
  });

  it("a PAC change alone is no change (no update): diff says so, with no API call", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1" } }));
    await emu.control.clearRequests();
    const news = await checked({ deviceId: d.deviceId, registrationSecret: "FEDCBA9876543210", tags: { a: "1" } });
    expect(await sigfoxDevice.diff(d.deviceId, { ...c.outs, __provider: PROVIDER_TEXT }, news)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await calls()).toEqual({});
  });
});

describe("delete", () => {
  it("refuses while termination protection is on, with no API call", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac }));
    await emu.control.clearRequests();
    const err = await sigfoxDevice.delete(d.deviceId, c.outs).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/termination protection is on.*terminationEnabled: true.*pulumi up/);
    expect(await calls()).toEqual({});
  });

  it("terminates (one call); a device already gone is success", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, terminationEnabled: true }));
    await emu.control.clearRequests();
    await sigfoxDevice.delete(d.deviceId, c.outs);
    expect(await calls()).toEqual({ terminateSigfoxDevice: 1 });
    const state = await emu.control.state();
    expect(state.devices.find((x) => x.deviceId === d.deviceId)?.status).toBe("terminated");
    await emu.control.clearRequests();
    await sigfoxDevice.delete(d.deviceId, c.outs); // terminated already: 409 then GET shows terminated
    expect(await calls()).toEqual({ terminateSigfoxDevice: 1, getSigfoxDevice: 1 });
    await emu.control.removeDevice(d.deviceId);
    await emu.control.clearRequests();
    await sigfoxDevice.delete(d.deviceId, c.outs); // 404
    expect(await calls()).toEqual({ terminateSigfoxDevice: 1 });
  });

  it("deletes immediately and writes the released PAC to a 0600 file, logging only its path", async () => {
    const d = await networkDevice();
    const c = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, terminationEnabled: true, deleteImmediately: true }));
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    await sigfoxDevice.delete(d.deviceId, c.outs);
    const logged = stderr.mock.calls.map((x) => String(x[0])).join("");
    stderr.mockRestore();
    const live = (await emu.control.state()).devices.find((x) => x.deviceId === d.deviceId)!;
    expect(live.ownerOperatorId).toBeNull();
    const file = path.join(pacDir, emu.credentials.operatorId, `${d.deviceId}.json`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const record = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
    expect(record).toMatchObject({ deviceId: d.deviceId, operatorId: emu.credentials.operatorId, registrationSecret: live.pac });
    expect(logged).toContain(file);
    expect(logged).not.toContain(live.pac);
  });
});

describe("configuration", () => {
  it("without stack config, credentials and endpoint come from the environment (the client's resolution)", async () => {
    const saved = { ...process.env };
    const credentials = emulatorClientEnv(emu);
    Object.assign(process.env, credentials);
    try {
      await sigfoxDevice.configure({ config: {} });
      const d = await networkDevice();
      const r = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac }));
      expect(r.outs).toMatchObject({ status: "ready", operatorId: emu.credentials.operatorId });
    } finally {
      for (const k of Object.keys(credentials)) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      await sigfoxDevice.configure({ config: emulatorProviderConfig(emu, { releasedPacDir: pacDir }) });
    }
  });

  it("a bad configuration never breaks configure, and fails API operations with a clear message", async () => {
    try {
      await sigfoxDevice.configure({ config: { "soracom:authKeyId": "keyId-only" } });
      const err = await rejection<Error>(sigfoxDevice.read("1A2B", { deviceId: "1A2B" }));
      expect(err.message).toMatch(/soracom:authKeyId and soracom:authKey must be set together/);
      // check and diff never need the configuration
      expect((await sigfoxDevice.check({}, { deviceId: "1A2B", registrationSecret: "0123456789ABCDEF" })).failures).toEqual([]);
    } finally {
      await sigfoxDevice.configure({ config: emulatorProviderConfig(emu, { releasedPacDir: pacDir }) });
    }
  });
});
