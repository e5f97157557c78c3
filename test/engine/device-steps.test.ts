/**
 * The SigfoxDevice lifecycle as Terraform-style steps (test/helpers/engine.ts `runStep`) on the real
 * engine and the emulator: create → no drift → out-of-band change detected → update → disappears →
 * destroy. Each step is data (program, expected changes, expected API calls); after every apply the
 * harness proves an empty refreshing plan. The last tests prove the harness itself fails a step that
 * leaves drift behind or makes other calls than it says.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { emulatorStackConfig, setupOrFailEach } from "../helpers/common";
import { createTestStack, type DeviceSpec, deviceProgram, deviceSteps, runStep, type Step, type StepHarness } from "../helpers/engine";

const TIMEOUT = 240_000;
const A = { deviceId: "5A01", pac: "0123456789ABCDE1" };
const B = { deviceId: "5B02", pac: "0123456789ABCDE2" };

const spec: { devices: DeviceSpec } = { devices: {} };

let emu: RunningEmulator;
let pacDir: string;
let h: StepHarness<DeviceSpec>;
// A setup failure fails every step; it never skips them.
setupOrFailEach(async () => {
  emu = await startEmulator({ seed: { devices: [A, B] } });
  pacDir = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-steps-pacs-"));
  const stack = await createTestStack({
    program: deviceProgram(spec),
    projectName: "sigfox-device-steps",
    config: emulatorStackConfig(emu, { releasedPacDir: pacDir }),
  });
  h = deviceSteps(stack, spec, emu);
}, TIMEOUT);
afterAll(async () => {
  await h?.stack.cleanup();
  await emu?.close();
  if (pacDir) fs.rmSync(pacDir, { recursive: true, force: true });
});

async function live(deviceId: string) {
  return (await emu.control.state()).devices.find((d) => d.deviceId === deviceId);
}

const a = { deviceId: A.deviceId, registrationSecret: A.pac, tags: { site: "tokyo" }, terminationEnabled: true };
const b = { deviceId: B.deviceId, registrationSecret: B.pac, tags: { site: "osaka" }, terminationEnabled: true };

/** The program after the update step (and until the end). */
const updated = { a: { ...a, tags: { site: "tokyo", rack: "7" } }, b };

const lifecycle: Step<DeviceSpec>[] = [
  {
    name: "create: up registers both devices",
    program: { a, b },
    expectChanges: { create: 3 },
    expectCalls: { registerSigfoxDevice: 2, enableTerminationOnSigfoxDevice: 2 },
    check: async () => expect(await live(A.deviceId)).toMatchObject({ status: "ready", tags: { site: "tokyo" }, terminationEnabled: true }),
  },
  { name: "no drift: a refreshing plan reads each device once and changes nothing", operation: "plan", expectChanges: {}, expectCalls: { getSigfoxDevice: 2 } },
  {
    name: "out-of-band change detected: the plan shows one update",
    before: () => emu.control.mutateDevice(A.deviceId, { tags: { site: "kyoto" } }),
    operation: "plan",
    expectChanges: { update: 1 },
    expectCalls: { getSigfoxDevice: 2 },
  },
  {
    name: "update: up --refresh restores the tags and applies the program's new tag",
    program: updated,
    refresh: true,
    expectChanges: { update: 1 },
    expectCalls: { getSigfoxDevice: 2, putSigfoxDeviceTags: 1 },
    check: async () => expect((await live(A.deviceId))?.tags).toEqual({ site: "tokyo", rack: "7" }),
  },
  {
    name: "disappears: a device deleted out of band is dropped by the refresh and registered again",
    before: () => emu.control.removeDevice(B.deviceId),
    refresh: true,
    // The refresh drops it from the state (not a change of the update); the update registers it again.
    expectChanges: { create: 1 },
    expectCalls: { getSigfoxDevice: 2, registerSigfoxDevice: 1, enableTerminationOnSigfoxDevice: 1 },
    check: async () => expect(await live(B.deviceId)).toMatchObject({ status: "ready", tags: { site: "osaka" } }),
  },
];

const destroy: Step<DeviceSpec> = {
  name: "destroy: every device is terminated and nothing is left in the state",
  operation: "destroy",
  expectChanges: { delete: 3 },
  expectCalls: { terminateSigfoxDevice: 2 },
  check: async () => expect((await live(A.deviceId))?.status).toBe("terminated"),
};

describe("SigfoxDevice lifecycle as steps", () => {
  for (const step of lifecycle) it(step.name, () => runStep(h, step), TIMEOUT);
});

describe("the step harness fails a step that is wrong", () => {
  it(
    "a step whose API calls differ fails, naming the step and the calls",
    async () => {
      const wrong: Step<DeviceSpec> = { name: "plan with wrong calls", operation: "plan", expectChanges: {}, expectCalls: { getSigfoxDevice: 5 } };
      await expect(runStep(h, wrong)).rejects.toThrow('step "plan with wrong calls": made the API calls {"getSigfoxDevice":2}, expected {"getSigfoxDevice":5}');
    },
    TIMEOUT,
  );

  it(
    "an apply that leaves drift behind fails its empty-plan check",
    async () => {
      // Changed behind the engine's back; `up` without a refresh does not read the API, so the state keeps the old tags.
      const drifting: Step<DeviceSpec> = {
        name: "apply with drift left",
        before: () => emu.control.mutateDevice(A.deviceId, { tags: { site: "nara" } }),
        expectChanges: {},
        expectCalls: {},
      };
      await expect(runStep(h, drifting)).rejects.toThrow(/no changes were expected but changes were proposed|expect.?no.?changes/i);
      // And the same step with a refresh converges, so the failure above was the drift and nothing else.
      await runStep(h, {
        ...drifting,
        name: "apply with refresh",
        before: undefined,
        refresh: true,
        expectChanges: { update: 1 },
        expectCalls: { getSigfoxDevice: 2, putSigfoxDeviceTags: 1 },
      });
    },
    TIMEOUT,
  );
});

describe("the step harness fails what a step does not say", () => {
  it(
    "a step expected to fail that succeeds, and a count of unchanged resources that differs",
    async () => {
      await expect(runStep(h, { name: "preview expected to fail", operation: "preview", expectError: /refused/ })).rejects.toThrow(
        'step "preview expected to fail": succeeded with the changes {"same":3}, expected "an error matching /refused/"',
      );
      await expect(runStep(h, { name: "preview of 2 unchanged", operation: "preview", expectChanges: { same: 2 }, expectCalls: {} })).rejects.toThrow(
        'step "preview of 2 unchanged": changed {"same":3}, expected {"same":2}',
      );
      // The same steps, stated right, pass.
      await runStep(h, { name: "preview of 3 unchanged", operation: "preview", expectChanges: { same: 3 }, expectCalls: {} });
    },
    TIMEOUT,
  );

  it(
    "a step that fails with another error than it says fails, naming the error",
    async () => {
      const bad = { ...updated, a: { ...updated.a, groupId: "not-a-group" } };
      await expect(
        runStep(h, { name: "bad group", program: bad, operation: "preview", expectError: /tag names must not be empty/, expectCalls: {} }),
      ).rejects.toThrow(/step "bad group": failed with .*, expected "an error matching \/tag names must not be empty\/"/s);
      await runStep(h, { name: "bad group, said", operation: "preview", expectError: /groupId must be a Soracom group ID/, expectCalls: {} });
      await runStep(h, { name: "good program again", program: updated, operation: "preview", expectChanges: { same: 3 }, expectCalls: {} });
    },
    TIMEOUT,
  );
});

describe("SigfoxDevice lifecycle as steps (end)", () => {
  it(destroy.name, () => runStep(h, destroy), TIMEOUT);
});
