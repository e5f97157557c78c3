/**
 * What a fleet device costs in the checkpoint, against the REAL engine and the emulator: no stack
 * frames (its fleet records where the program declared it; src/resources/stack-capture.ts), and at
 * most 2,500 bytes of compact JSON with its PAC encrypted, while the fleet component keeps its own
 * position. Bytes, not seconds: the state of every device is written on every checkpoint.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { SIGFOX_DEVICE_TYPE } from "../../src/provider/type-token";
import { emulatorClientEnv } from "../helpers/common";
import { createTestStack, repoRoot, requireDist, type TestStack } from "../helpers/engine";

const DEVICES = [
  { deviceId: "5A5B5C01", pac: "F1F2F3F4F5F60001" },
  { deviceId: "5A5B5C02", pac: "F1F2F3F4F5F60002" },
  { deviceId: "5A5B5C03", pac: "F1F2F3F4F5F60003" },
];

const { SigfoxFleet } = requireDist(path.join(repoRoot, "dist/index.js")) as typeof import("../../src/index");

interface StateResource {
  type: string;
  urn: string;
  sourcePosition?: string;
  stackTrace?: unknown[];
  inputs?: Record<string, unknown>;
}

let emu: RunningEmulator;
let h: TestStack;

beforeAll(async () => {
  emu = await startEmulator({ seed: { devices: DEVICES } });
  h = await createTestStack({
    projectName: "state-shape",
    env: emulatorClientEnv(emu),
    program: async () => {
      const env = Object.fromEntries(DEVICES.map((d) => [`SORACOM_PAC_${d.deviceId}`, d.pac]));
      const fleet = new SigfoxFleet("fleet", {
        env,
        definition: { version: 1, defaults: { tags: { site: "osaka" }, terminationEnabled: true }, devices: DEVICES.map((d) => ({ deviceId: d.deviceId })) },
      });
      return { deviceCount: fleet.deviceIds.length };
    },
  });
}, 120_000);

afterAll(async () => {
  await h?.cleanup();
  await emu?.close();
});

describe("a fleet device in the checkpoint", () => {
  it("records no stack frames and stays within 2,500 bytes, its PAC encrypted; the fleet keeps its position", async () => {
    await h.up();
    const checkpoint = JSON.parse(fs.readFileSync(h.checkpointFile(), "utf8")) as { checkpoint: { latest: { resources: StateResource[] } } };
    const resources = checkpoint.checkpoint.latest.resources;
    const devices = resources.filter((r) => r.type === SIGFOX_DEVICE_TYPE);
    expect(devices).toHaveLength(DEVICES.length);
    for (const device of devices) {
      expect(device.stackTrace).toBeUndefined();
      expect(device.sourcePosition).toBeUndefined();
      expect(JSON.stringify(device.inputs?.registrationSecret)).toContain("ciphertext");
      expect(JSON.stringify(device).length).toBeLessThanOrEqual(2500);
    }
    const fleet = resources.find((r) => r.type === "soracom:index:SigfoxFleet");
    expect(fleet?.stackTrace?.length ?? 0).toBeGreaterThan(0);
  }, 240_000);
});
