/**
 * `productCertificationId` (2026 API revision) on `SigfoxDevice`: `check` validates it, `create`
 * sends it with the registration, and changing it later is no change (no update, no API call), like
 * the PAC. The engine steps run the REAL Pulumi engine against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { check, diff, INPUT_NAMES } from "../../src/provider/sigfox-device";
import { apiCallsWithoutAuth, emulatorStackConfig } from "../helpers/common";
import { createTestStack, deviceProgram, type TestStack } from "../helpers/engine";

const STEP_TIMEOUT = 240_000;
const DEVICE = { deviceId: "5C0E01", pac: "0123456789ABCDEF" };
const CERTIFICATION = "P_0006_7A5B_01";

describe("check and diff (no network)", () => {
  const valid = { deviceId: DEVICE.deviceId, registrationSecret: DEVICE.pac };

  it("keeps a valid productCertificationId and omits an absent one", async () => {
    const r = await check({}, { ...valid, productCertificationId: CERTIFICATION });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toMatchObject({ productCertificationId: CERTIFICATION });
    expect((await check({}, valid)).inputs).not.toHaveProperty("productCertificationId");
    expect(INPUT_NAMES).toContain("productCertificationId");
  });

  it.each([
    ["", /must not be empty: omit it instead/],
    ["p".repeat(65), /at most 64 characters/],
    [42, /must be a string/],
  ])("refuses %j naming the field and the fix", async (value, reason) => {
    const r = await check({}, { ...valid, productCertificationId: value });
    expect(r.failures).toEqual([{ property: "productCertificationId", reason: expect.stringMatching(reason) }]);
  });

  it("a changed productCertificationId is no change (registration-only, like the PAC)", async () => {
    const olds = { deviceId: DEVICE.deviceId, tags: {}, terminationEnabled: false, deleteImmediately: false };
    const news = { ...valid, tags: {}, terminationEnabled: false, deleteImmediately: false, productCertificationId: "P_OTHER" };
    const r = await diff(DEVICE.deviceId, olds, news);
    expect(r.changes).toBe(false);
  });
});

type Args = Record<string, unknown>;
const spec: { devices: Record<string, Args> } = { devices: {} };

describe("on the real engine", () => {
  let emu: RunningEmulator;
  let h: TestStack;

  beforeAll(async () => {
    emu = await startEmulator({ seed: { devices: [DEVICE] } });
    h = await createTestStack({ program: deviceProgram(spec), projectName: "sigfox-product-certification", config: emulatorStackConfig(emu) });
  }, STEP_TIMEOUT);
  afterAll(async () => {
    await h?.cleanup();
    await emu?.close();
  });

  const calls = () => apiCallsWithoutAuth(emu);
  const live = async () => (await emu.control.state()).devices.find((d) => d.deviceId === DEVICE.deviceId)!;

  it(
    "up registers the device with its productCertificationId, and the emulator saw it",
    async () => {
      spec.devices = { dev: { deviceId: DEVICE.deviceId, registrationSecret: DEVICE.pac, productCertificationId: CERTIFICATION, terminationEnabled: true } };
      await emu.control.clearRequests();
      await h.up();
      expect(await calls()).toEqual({ registerSigfoxDevice: 1, enableTerminationOnSigfoxDevice: 1 });
      expect(await live()).toMatchObject({ ownerOperatorId: emu.credentials.operatorId, status: "ready", productCertificationId: CERTIFICATION });
    },
    STEP_TIMEOUT,
  );

  it(
    "changing it afterwards is no update and no API call",
    async () => {
      spec.devices = { dev: { deviceId: DEVICE.deviceId, registrationSecret: DEVICE.pac, productCertificationId: "P_0006_7A5B_02", terminationEnabled: true } };
      await emu.control.clearRequests();
      const result = await h.up();
      expect(result.summary.resourceChanges).toEqual({ same: 2 });
      expect(await calls()).toEqual({});
      expect((await live()).productCertificationId).toBe(CERTIFICATION);
    },
    STEP_TIMEOUT,
  );
});
