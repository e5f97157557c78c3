/**
 * `soracom-sigfox fleet reshard --from 2 --to 3` on the real engine and the emulator: every device
 * moves to its new shard stack with no API call at all (no terminate, no register), the PACs stay
 * encrypted in the new stacks' state, and `fleet up --shards 3` afterwards changes nothing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { shardOfDevice } from "../../src/fleet/shard";
import type { ReshardSummary } from "../../src/shards/reshard";
import type { FleetRunSummary } from "../../src/shards/run";
import { apiCalls, devices, fleetEnv, pulumiHome, runFleet, shardProject, type ShardProject } from "./helpers";

const STEP_TIMEOUT = 400_000;
const FLEET = devices(30, 0x7d000000);
const inShard = (index: number, count: number) => FLEET.filter((d) => shardOfDevice(d.deviceId, count) === index).length;

let emu: RunningEmulator;
let project: ShardProject;
let env: Record<string, string>;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "shards-reshard-state-"));
const home = pulumiHome();

beforeAll(async () => {
  emu = await startEmulator({ seed: { devices: FLEET, groups: [] } });
  project = shardProject("shards-reshard");
  project.writeFleet(FLEET);
  env = fleetEnv(emu, project, `file://${stateDir}`, home);
});

afterAll(async () => {
  await emu?.close();
  project?.cleanup();
  for (const dir of [stateDir, home]) fs.rmSync(dir, { recursive: true, force: true });
});

function persistedState(): string {
  const texts: string[] = [];
  const walk = (p: string): void => {
    for (const entry of fs.readdirSync(p, { withFileTypes: true })) {
      const full = path.join(p, entry.name);
      if (entry.isDirectory()) walk(full);
      else texts.push(fs.readFileSync(full, "latin1"));
    }
  };
  walk(stateDir);
  for (const f of fs.readdirSync(project.dir)) if (f.startsWith("Pulumi.")) texts.push(fs.readFileSync(path.join(project.dir, f), "utf8"));
  return texts.join("\n");
}

describe("fleet reshard 2 -> 3", () => {
  it(
    "deploys the fleet as 2 shards",
    async () => {
      const run = await runFleet(["up", "--shards", "2"], env, project.dir);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(await apiCalls(emu)).toEqual({ registerSigfoxDevice: FLEET.length });
    },
    STEP_TIMEOUT,
  );

  it(
    "moves every device to its stack of 3 shards without a single API call, and removes the old stacks",
    async () => {
      await emu.control.clearRequests();
      const run = await runFleet(["reshard", "--from", "2", "--to", "3", "--format", "json"], env, project.dir);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as ReshardSummary;
      expect(summary).toEqual({
        from: 2,
        to: 3,
        moved: FLEET.length,
        devicesPerStack: { "fleet-1of3": inShard(1, 3), "fleet-2of3": inShard(2, 3), "fleet-3of3": inShard(3, 3) },
        removedStacks: ["fleet-1of2", "fleet-2of2"],
      });
      expect(await emu.control.calls()).toEqual({});
      expect((await emu.control.state()).devices.filter((d) => d.status === "ready")).toHaveLength(FLEET.length);
      // The PACs went through the move decrypted in memory only: on disk they are encrypted.
      const state = persistedState();
      expect(state).toContain(FLEET[0]!.deviceId);
      for (const d of FLEET) expect(state).not.toContain(d.pac);
    },
    STEP_TIMEOUT,
  );

  it(
    "after the reshard, fleet up --shards 3 changes nothing and calls the API not once",
    async () => {
      await emu.control.clearRequests();
      const run = await runFleet(["up", "--shards", "3", "--parallel", "3", "--format", "json"], env, project.dir);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as FleetRunSummary;
      expect(summary.results.map((r) => r.changes)).toEqual([1, 2, 3].map((i) => ({ same: inShard(i, 3) + 2 })));
      expect(await apiCalls(emu)).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "a second reshard from 2 fails clearly: the stacks of 2 shards are gone (exit 1, nothing touched)",
    async () => {
      const run = await runFleet(["reshard", "--from", "2", "--to", "3"], env, project.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/--from 2: stacks fleet-1of2, fleet-2of2 not found in this backend\. Fix: give the shard count/);
      const usage = await runFleet(["reshard", "--from", "3"], env, project.dir);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("reshard needs --to: e.g. --from 2 --to 3");
    },
    STEP_TIMEOUT,
  );
});
