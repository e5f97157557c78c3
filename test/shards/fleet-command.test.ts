/**
 * `soracom-sigfox fleet up|preview --shards 3` against the emulator and the real engine (a
 * `file://` backend here; the PostgreSQL scenario is ci-postgres.test.ts): exit codes, the summary,
 * a failing shard named with its error while the others deploy, and usage errors before any work.
 */
import * as os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardOfDevice } from "../../src/fleet/shard";
import { otherShardCounts } from "../../src/shards/stacks";
import type { FleetRunSummary } from "../../src/shards/run";
import { apiCallsWithoutAuth } from "../helpers/common";
import { devices, type FileBackendShards, openFileBackendShards, runFleet, runFleetJson } from "./helpers";

const STEP_TIMEOUT = 400_000;
const FLEET = devices(12);
/** A device of shard 2 of 3 that the emulator does not know: its register fails, so shard 2 fails. */
const UNKNOWN = devices(400, 0x5b000000).find((d) => shardOfDevice(d.deviceId, 3) === 2)!;

let shards: FileBackendShards;

beforeAll(async () => {
  shards = await openFileBackendShards("shards-cmd", FLEET, [...FLEET, UNKNOWN]);
});

afterAll(async () => {
  await shards?.close();
});

const inShard = (index: number) => [...FLEET, UNKNOWN].filter((d) => shardOfDevice(d.deviceId, 3) === index).length;

describe("soracom-sigfox fleet", () => {
  it("refuses bad usage with exit 2, naming the flag and the fix, before running anything", async () => {
    const cases: [string[], RegExp][] = [
      [["up"], /--shards K is required/],
      [["up", "--shards", "0"], /--shards 0: must be at least 1/],
      [["up", "--shards", "two"], /--shards two: must be a whole number/],
      [["deploy", "--shards", "2"], /unknown operation "deploy": use one of up, preview, refresh/],
      [["up", "--shards", "2", "--parallel", "0"], /--parallel 0: must be at least 1/],
      [["up", "--shards", "2", "--stack-prefix", "a b"], /--stack-prefix "a b": use letters/],
      [["up", "--shards", "2", "--format", "xml"], /--format xml: use text or json/],
      [["up", "--shards", "2", "--cwd", os.tmpdir()], /holds no Pulumi.yaml: point --cwd at the fleet's Pulumi project folder/],
    ];
    for (const [args, message] of cases) {
      const run = await runFleet(args, shards.env, shards.project.dir);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe("");
    }
    expect(await shards.emu.control.calls()).toEqual({});
    const help = await runFleet(["--help"], shards.env, shards.project.dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes: 0 every shard succeeded.*, 1 at least one shard failed/);
  });

  it(
    "up with a failing shard: exit 1, that shard named with its error, the other shards deployed",
    async () => {
      await shards.emu.control.clearRequests();
      const { run, summary } = await runFleetJson<FleetRunSummary>(
        ["up", "--shards", "3", "--parallel", "3", "--format", "json"],
        shards.env,
        shards.project.dir,
        1,
      );
      expect(summary).toMatchObject({ operation: "up", shards: 3, succeeded: 2, failed: 1 });
      expect(summary.results.map((r) => [r.stack, r.shard, r.state])).toEqual([
        ["fleet-1of3", "1/3", "succeeded"],
        ["fleet-2of3", "2/3", "failed"],
        ["fleet-3of3", "3/3", "succeeded"],
      ]);
      for (const index of [1, 3]) {
        const result = summary.results[index - 1]!;
        expect(result.devicesTotal).toBe(inShard(index));
        expect(result.devicesDone).toBe(inShard(index));
        expect(result.changes).toEqual({ create: inShard(index) + 2 }); // + the stack and the fleet component
      }
      expect(summary.results[1]!.error).toContain(UNKNOWN.deviceId);
      expect(summary.results[1]!.devicesTotal).toBe(inShard(2));
      // Every known device got registered, in whichever shard; the unknown one was tried once.
      const calls = await shards.emu.control.calls();
      expect(calls.registerSigfoxDevice).toBe(FLEET.length + 1);
      expect((await shards.emu.control.state()).devices.filter((d) => d.status === "ready")).toHaveLength(FLEET.length);
      // One progress display on stderr; no PAC anywhere in the output.
      expect(run.stderr).toMatch(/fleet up: 3\/3 shards done \| 1\/3 ok \d+\/\d+ \| 2\/3 FAILED \| 3\/3 ok/);
      for (const d of [...FLEET, UNKNOWN]) expect(run.stdout + run.stderr).not.toContain(d.pac);
    },
    STEP_TIMEOUT,
  );

  it(
    "once the cause is fixed, up succeeds on every shard (exit 0) and only the missing device is registered",
    async () => {
      await shards.emu.control.seed({ devices: [UNKNOWN], groups: [] });
      await shards.emu.control.clearRequests();
      const run = await runFleet(["up", "--shards", "3", "--parallel", "2"], shards.env, shards.project.dir);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^fleet up: 3 shards, 3 succeeded, 0 failed \(2 at a time, engine --parallel \d+\)/);
      expect(run.stdout).toMatch(/fleet-2of3 {2}2\/3 {2}ok/);
      const calls = await shards.emu.control.calls();
      expect(calls.registerSigfoxDevice).toBe(1);
    },
    STEP_TIMEOUT,
  );

  it(
    "preview of the deployed shards: exit 0, every device unchanged, no API call",
    async () => {
      await shards.emu.control.clearRequests();
      const { summary } = await runFleetJson<FleetRunSummary>(["preview", "--shards", "3", "--format", "json"], shards.env, shards.project.dir);
      expect(summary.results.map((r) => r.changes)).toEqual([1, 2, 3].map((i) => ({ same: inShard(i) + 2 })));
      expect(await apiCallsWithoutAuth(shards.emu)).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "refuses to run another shard count while stacks of this fleet exist with K=3 (exit 1, reshard first, no API call)",
    async () => {
      expect(otherShardCounts(["fleet-1of3", "acme/fleet-2of3", "fleet-1of2", "other-1of5", "fleet-x"], "fleet", 3)).toEqual([2]);
      await shards.emu.control.clearRequests();
      const run = await runFleet(["up", "--shards", "2"], shards.env, shards.project.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("stacks fleet-<i>of3 exist: this fleet is deployed as 3 shard stacks, not 2.");
      expect(run.stderr).toContain("Fix: `soracom-sigfox fleet reshard --from 3 --to 2` first, or pass --shards 3.");
      expect(run.stdout).toBe("");
      expect(await shards.emu.control.calls()).toEqual({});
    },
    STEP_TIMEOUT,
  );
});
