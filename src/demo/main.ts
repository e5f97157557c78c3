/**
 * `npm start`: the whole product in one command, with no Soracom account.
 *
 * 1. Start the embedded emulator, seeded with the sample fleet's device/PAC pairs, persisted under
 *    `.soracom-sigfox/` so a second run sees the same devices.
 * 2. Run the default program (fleet.yaml) through the Automation API against a local state directory.
 * 3. Show the fleet as the API sees it.
 * 4. Drift: change a device out of band in the emulator, run a read-only refresh preview that names
 *    the drifted fields, then an `up` that repairs it, and prove the stack is clean again.
 *
 * Exits non-zero on any failure.
 */
import * as path from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { SoracomClient, collectAll } from "../client";
import { emulatorClientEnv, startEmulator, type RunningEmulator } from "../emulator";
import { openLocalStack } from "../engine/workspace";
import { sampleFleetSeed } from "../fleet";
import { PACKAGE_ROOT } from "../package-paths";
import { fleetProgram } from "../program/fleet-program";
import { createProgress } from "./progress";
import { deviceTable, driftFromEvents } from "./report";

const DEMO_DIR = path.join(PACKAGE_ROOT, ".soracom-sigfox", "demo");
/** Demo-only passphrase for the local stack's secrets (PACs). Real stacks choose their own. */
const DEMO_PASSPHRASE = "soracom-sigfox-demo";

function heading(text: string): void {
  process.stdout.write(`\n== ${text}\n`);
}

async function main(): Promise<void> {
  heading("Starting the embedded Soracom Sigfox API emulator");
  const seed = sampleFleetSeed();
  const emulator = await startEmulator({
    stateFile: path.join(DEMO_DIR, "emulator-state.json"),
    seed: { devices: seed.devices, groups: seed.groups },
  });
  try {
    await runDemo(
      emulator,
      seed.devices.map((d) => d.deviceId),
    );
  } finally {
    await emulator.close();
  }
}

async function runDemo(emulator: RunningEmulator, deviceIds: string[]): Promise<void> {
  console.log(`  listening on ${emulator.url} (operator ${emulator.credentials.operatorId})`);
  console.log(`  ${deviceIds.length} sample devices are in its network registry, with their PACs`);

  // The provider process reads its endpoint and credentials at call time from the environment.
  const env = emulatorClientEnv(emulator);
  const stack = await openLocalStack({
    projectName: "soracom-sigfox-fleet",
    stackName: "demo",
    workDir: PACKAGE_ROOT,
    program: async () => fleetProgram({ baseDir: PACKAGE_ROOT }),
    stateDir: path.join(DEMO_DIR, "state"),
    pulumiHome: path.join(DEMO_DIR, "pulumi-home"),
    passphrase: DEMO_PASSPHRASE,
    env,
  });
  const client = new SoracomClient({ endpoint: emulator.url, credentials: emulator.credentials });

  heading("pulumi up: deploying fleet.yaml");
  await up(stack, "deploying");

  heading("The fleet, as the Soracom API reports it");
  console.log(deviceTable(await collectAll(client.sigfoxDevices())));

  const target = deviceIds[0]!;
  heading(`Drift: someone edits device ${target} by hand (console, soracom-cli, ...)`);
  const before = await client.getSigfoxDevice(target);
  await emulator.control.mutateDevice(target, {
    tags: { ...before.tags, site: "moved-by-hand", "added-by-hand": "yes" },
    groupId: null,
  });
  console.log(`  changed tag "site", added tag "added-by-hand" and removed the group, out of band`);

  heading("pulumi preview --refresh (read-only): what drifted?");
  const events: EngineEvent[] = [];
  const check = await stack.previewRefresh({ onEvent: (e) => events.push(e) });
  const drifts = driftFromEvents(events).filter((d) => d.fields.length > 0);
  if (drifts.length === 0) throw new Error("the refresh preview reported no drift after an out-of-band change");
  for (const drift of drifts) console.log(`  ${drift.device}: ${drift.fields.join(", ")}`);
  console.log(`  (nothing was written: ${JSON.stringify(check.changeSummary)})`);

  heading("pulumi up --refresh: repairing");
  await up(stack, "repairing", true);
  const repaired = await client.getSigfoxDevice(target);
  console.log(deviceTable([repaired]));

  heading("Verifying: a refresh preview now finds nothing to change");
  await stack.previewRefresh({ expectNoChanges: true });
  console.log("  no drift. Run `npm start` again: the first up reports no changes.");
}

async function up(stack: Stack, label: string, refresh = false): Promise<void> {
  const progress = createProgress(label);
  const result = await stack.up({ onEvent: (e) => progress.onEvent(e), refresh });
  const done = progress.finish();
  const changes = Object.entries(result.summary.resourceChanges ?? {})
    .filter(([op]) => op !== "same")
    .map(([op, n]) => `${n} ${op}`);
  const devices = Object.entries(done).map(([op, n]) => `${n} device ${op}`);
  console.log(`  ${changes.length === 0 ? "no changes" : changes.join(", ")}${devices.length ? ` (${devices.join(", ")})` : ""}`);
}

main().catch((error: unknown) => {
  console.error(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
