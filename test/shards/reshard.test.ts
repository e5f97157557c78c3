/**
 * `soracom-sigfox fleet reshard --from 2 --to 3` on the real engine and the emulator: every device
 * moves to its new shard stack with no API call at all (no terminate, no register), the PACs stay
 * encrypted in the new stacks' state, and `fleet up --shards 3` afterwards changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardOfDevice } from "../../src/fleet/shard";
import type { ReshardSummary } from "../../src/shards/reshard";
import type { FleetRunSummary } from "../../src/shards/run";
import { apiCallsWithoutAuth } from "../helpers/common";
import { devices, type FileBackendShards, openFileBackendShards, runFleet, runFleetJson } from "./helpers";

const STEP_TIMEOUT = 400_000;
const FLEET = devices(30, 0x7d000000);
const inShard = (index: number, count: number) => FLEET.filter((d) => shardOfDevice(d.deviceId, count) === index).length;

let shards: FileBackendShards;

beforeAll(async () => {
  shards = await openFileBackendShards("shards-reshard", FLEET);
});

afterAll(async () => {
  await shards?.close();
});

describe("fleet reshard 2 -> 3", () => {
  it(
    "deploys the fleet as 2 shards",
    async () => {
      const run = await runFleet(["up", "--shards", "2"], shards.env, shards.project.dir);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(await apiCallsWithoutAuth(shards.emu)).toEqual({ registerSigfoxDevice: FLEET.length });
    },
    STEP_TIMEOUT,
  );

  it(
    "moves every device to its stack of 3 shards without a single API call, and removes the old stacks",
    async () => {
      await shards.emu.control.clearRequests();
      const { summary } = await runFleetJson<ReshardSummary>(["reshard", "--from", "2", "--to", "3", "--format", "json"], shards.env, shards.project.dir);
      expect(summary).toEqual({
        from: 2,
        to: 3,
        moved: FLEET.length,
        devicesPerStack: { "fleet-1of3": inShard(1, 3), "fleet-2of3": inShard(2, 3), "fleet-3of3": inShard(3, 3) },
        removedStacks: ["fleet-1of2", "fleet-2of2"],
      });
      expect(await shards.emu.control.calls()).toEqual({});
      expect((await shards.emu.control.state()).devices.filter((d) => d.status === "ready")).toHaveLength(FLEET.length);
      // The PACs went through the move decrypted in memory only: on disk they are encrypted.
      const state = shards.persistedText();
      expect(state).toContain(FLEET[0]!.deviceId);
      for (const d of FLEET) expect(state).not.toContain(d.pac);
    },
    STEP_TIMEOUT,
  );

  it(
    "after the reshard, fleet up --shards 3 changes nothing and calls the API not once",
    async () => {
      await shards.emu.control.clearRequests();
      const { summary } = await runFleetJson<FleetRunSummary>(["up", "--shards", "3", "--parallel", "3", "--format", "json"], shards.env, shards.project.dir);
      expect(summary.results.map((r) => r.changes)).toEqual([1, 2, 3].map((i) => ({ same: inShard(i, 3) + 2 })));
      expect(await apiCallsWithoutAuth(shards.emu)).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "a second reshard from 2 fails clearly: the stacks of 2 shards are gone (exit 1, nothing touched)",
    async () => {
      const run = await runFleet(["reshard", "--from", "2", "--to", "3"], shards.env, shards.project.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/--from 2: stacks fleet-1of2, fleet-2of2 not found in this backend\. Fix: give the shard count/);
      const usage = await runFleet(["reshard", "--from", "3"], shards.env, shards.project.dir);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("reshard needs --to: e.g. --from 2 --to 3");
    },
    STEP_TIMEOUT,
  );
});
