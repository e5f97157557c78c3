/**
 * Every example is its own Pulumi project. Here each one runs as a LOCAL program (its Pulumi.yaml,
 * through the language host, as `pulumi up` in that folder would) against the emulator seeded with
 * the example's devices: preview plans the creates, up registers them, a second preview is empty,
 * and a refresh preview finds no drift.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { emulatorClientEnv } from "../helpers/common";
import { createTestStack, repoRoot, type TestStack } from "../helpers/engine";

interface ExampleSeed {
  devices: { deviceId: string; pac: string }[];
  groups?: { groupId: string; name: string }[];
}

const EXAMPLES = ["single-device", "fleet-from-csv", "ci-pipeline"] as const;
const STACK = "ci-emulator";

describe.each(EXAMPLES)("example %s deploys against the emulator", (example) => {
  const dir = path.join(repoRoot, "examples", example);
  const seed = JSON.parse(fs.readFileSync(path.join(dir, "emulator-seed.json"), "utf8")) as ExampleSeed;
  let emulator: RunningEmulator | undefined;
  let harness: TestStack | undefined;

  afterAll(async () => {
    await harness?.cleanup();
    await emulator?.close();
  });

  it("previews, deploys, and is clean on the next preview and refresh", async () => {
    emulator = await startEmulator({ seed: { devices: seed.devices, groups: seed.groups ?? [] } });
    const pacs = Object.fromEntries(seed.devices.map((d) => [`SORACOM_PAC_${d.deviceId}`, d.pac]));
    harness = await createTestStack({
      workDir: dir,
      stackName: STACK,
      env: {
        ...emulatorClientEnv(emulator),
        // fleet-from-csv reads its PACs from this CSV when set (the sample CSV otherwise).
        ...pacs,
      },
    });

    const preview = await harness.preview();
    const devicesPlanned = harness.stepEvents().filter((e) => e.metadata.type.endsWith(":SigfoxDevice") && e.metadata.op === "create").length;
    expect(devicesPlanned).toBe(seed.devices.length);
    expect(preview.changeSummary.create).toBeGreaterThanOrEqual(seed.devices.length);
    expect(await emulator.control.calls()).not.toHaveProperty("registerSigfoxDevice");

    const up = await harness.up();
    expect(up.summary.result).toBe("succeeded");
    const state = await emulator.control.state();
    const registered = JSON.stringify(state);
    for (const device of seed.devices) expect(registered).toContain(device.deviceId);
    const calls = await emulator.control.calls();
    expect(calls.registerSigfoxDevice).toBe(seed.devices.length);

    const again = await harness.preview();
    expect(Object.keys(again.changeSummary).filter((op) => op !== "same")).toEqual([]);
    const drift = await harness.previewRefresh();
    expect(Object.keys(drift.changeSummary).filter((op) => op !== "same")).toEqual([]);

    // Secrets never reach the engine's output in plain text.
    const printed = harness.output.join("");
    for (const device of seed.devices) expect(printed).not.toContain(device.pac);
    const persisted = harness.persistedText();
    expect(persisted).toContain("ciphertext");
    for (const device of seed.devices) expect(persisted).not.toContain(device.pac);
    expect(persisted).not.toContain(emulator.credentials.authKey);
  });
});
