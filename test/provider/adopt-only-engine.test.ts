/**
 * Adopt-only `SigfoxDevice` (no `registrationSecret`) on the REAL Pulumi engine (Automation API,
 * file:// backend, real CLI) and the emulator: a device registered to the operator is adopted with no
 * register call and no PAC input in the state; an unregistered device without a PAC fails with the
 * fix and nothing is created, in the stack or in the account.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { apiCallsWithoutAuth, emulatorStackConfig, SIGFOX_DEVICE_TYPE } from "../helpers/common";
import { createTestStack, deviceProgram, type TestStack } from "../helpers/engine";

const STEP_TIMEOUT = 240_000;
const GROUP = "33333333-3333-4333-8333-333333333333";
const REGISTERED = { deviceId: "AD0A", pac: "0A0B0C0D0E0F1A1B" };
const UNREGISTERED = { deviceId: "AD0B", pac: "1A1B1C1D1E1F2A2B" };

type Args = Record<string, unknown>;
const spec: { devices: Record<string, Args> } = { devices: {} };

let emu: RunningEmulator;
let h: TestStack;

const apiCalls = () => apiCallsWithoutAuth(emu);
/** The API calls that change something (every call but the reads). */
async function writeCalls(): Promise<Record<string, number>> {
  const { getSigfoxDevice: _get, listSigfoxDevices: _list, ...writes } = await apiCalls();
  return writes;
}
async function deviceResources(): Promise<{ urn: string; inputs: Record<string, unknown> }[]> {
  const state = JSON.parse(await h.exportState()) as { resources?: { urn: string; type: string; inputs: Record<string, unknown> }[] };
  return (state.resources ?? []).filter((r) => r.type === SIGFOX_DEVICE_TYPE);
}

beforeAll(async () => {
  emu = await startEmulator({ seed: { groups: [{ groupId: GROUP }] } });
  await emu.control.seed({
    devices: [
      { ...REGISTERED, ownerOperatorId: emu.credentials.operatorId, status: "active", tags: { site: "nagoya", old: "x" } },
      UNREGISTERED, // on the network, registered nowhere
    ],
  });
  h = await createTestStack({
    program: deviceProgram(spec),
    projectName: "sigfox-adopt-only",
    config: emulatorStackConfig(emu),
  });
}, STEP_TIMEOUT);
afterAll(async () => {
  await h?.cleanup();
  await emu?.close();
});

describe("adopt-only SigfoxDevice on the real engine", () => {
  it(
    "1. preview of a device without a PAC makes no API call",
    async () => {
      spec.devices = { sensor: { deviceId: REGISTERED.deviceId, tags: { site: "nagoya" }, groupId: GROUP } };
      await emu.control.clearRequests();
      expect((await h.preview()).changeSummary).toEqual({ create: 2 });
      expect(await apiCalls()).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "2. up adopts a device registered to the operator with zero register calls, and converges it",
    async () => {
      await emu.control.clearRequests();
      const mark = h.output.length;
      const up = await h.up();
      expect(up.summary.resourceChanges).toEqual({ create: 2 });
      const { getSigfoxDevice, listSigfoxDevices, ...writes } = await apiCalls();
      expect(writes).toEqual({ deleteSigfoxDeviceTag: 1, setSigfoxDeviceGroup: 1 }); // no registerSigfoxDevice
      expect((getSigfoxDevice ?? 0) + (listSigfoxDevices ?? 0)).toBeGreaterThanOrEqual(1);
      expect(h.output.slice(mark).join("")).toMatch(new RegExp(`SigfoxDevice ${REGISTERED.deviceId}: no PAC given; .*adopted it`));
      const [resource] = await deviceResources();
      expect(resource!.inputs).not.toHaveProperty("registrationSecret");
      const live = (await emu.control.state()).devices.find((d) => d.deviceId === REGISTERED.deviceId);
      expect(live).toMatchObject({ tags: { site: "nagoya" }, groupId: GROUP, status: "active" });

      await emu.control.clearRequests();
      expect((await h.preview({ refresh: true, expectNoChanges: true })).changeSummary).toEqual({ same: 2 });
    },
    STEP_TIMEOUT,
  );

  it(
    "3. an unregistered device without a PAC fails naming the device and the fix; nothing is created",
    async () => {
      spec.devices = { ...spec.devices, spare: { deviceId: UNREGISTERED.deviceId, tags: { site: "spare" } } };
      await emu.control.clearRequests();
      const error = await h.up().then(
        () => new Error("expected up to fail"),
        (e: Error) => e,
      );
      const text = `${error.message}\n${h.output.join("")}`;
      expect(text).toContain(
        `SigfoxDevice ${UNREGISTERED.deviceId}: cannot adopt: the device is not registered to this operator, and no registrationSecret (PAC) is given to register it. ` +
          "Fix: give its PAC (registrationSecret) so that it can be registered, or register it to this operator first and run `pulumi up` again. Nothing was created.",
      );
      expect(await writeCalls()).toEqual({});
      expect((await deviceResources()).map((r) => r.urn.split("::").pop())).toEqual(["sensor"]);
      const live = (await emu.control.state()).devices.find((d) => d.deviceId === UNREGISTERED.deviceId);
      expect(live?.ownerOperatorId ?? null).toBeNull();
    },
    STEP_TIMEOUT,
  );

  it(
    "4. giving it its PAC registers it on the next up",
    async () => {
      spec.devices = { ...spec.devices, spare: { deviceId: UNREGISTERED.deviceId, registrationSecret: UNREGISTERED.pac, tags: { site: "spare" } } };
      await emu.control.clearRequests();
      const up = await h.up();
      expect(up.summary.resourceChanges).toEqual({ create: 1, same: 2 });
      expect(await apiCalls()).toEqual({ registerSigfoxDevice: 1 });
      const text = (JSON.stringify(h.events) + h.output.join("")).toUpperCase();
      expect(text.includes(UNREGISTERED.pac)).toBe(false);
    },
    STEP_TIMEOUT,
  );
});
