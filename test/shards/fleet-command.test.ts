/**
 * `soracom-sigfox fleet up|preview --shards 3` against the emulator and the real engine (a
 * `file://` backend here; the PostgreSQL scenario is ci-postgres.test.ts): exit codes, the summary,
 * a failing shard named with its error while the others deploy, and usage errors before any work.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { shardOfDevice } from "../../src/fleet/shard";
import { otherShardCounts } from "../../src/shards/stacks";
import type { FleetRunSummary } from "../../src/shards/run";
import { apiCalls, devices, fleetEnv, pulumiHome, runFleet, shardProject, type ShardProject } from "./helpers";

const STEP_TIMEOUT = 400_000;
const FLEET = devices(12);
/** A device of shard 2 of 3 that the emulator does not know: its register fails, so shard 2 fails. */
const UNKNOWN = devices(400, 0x5b000000).find((d) => shardOfDevice(d.deviceId, 3) === 2)!;

let emu: RunningEmulator;
let project: ShardProject;
let env: Record<string, string>;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "shards-state-"));
const home = pulumiHome();

beforeAll(async () => {
  emu = await startEmulator({ seed: { devices: FLEET, groups: [] } });
  project = shardProject("shards-cmd");
  project.writeFleet([...FLEET, UNKNOWN]);
  env = fleetEnv(emu, project, `file://${stateDir}`, home);
});

afterAll(async () => {
  await emu?.close();
  project?.cleanup();
  for (const dir of [stateDir, home]) fs.rmSync(dir, { recursive: true, force: true });
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
      const run = await runFleet(args, env, project.dir);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe("");
    }
    expect(await emu.control.calls()).toEqual({});
    const help = await runFleet(["--help"], env, project.dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes: 0 every shard succeeded.*, 1 at least one shard failed/);
  });

  it(
    "up with a failing shard: exit 1, that shard named with its error, the other shards deployed",
    async () => {
      await emu.control.clearRequests();
      const run = await runFleet(["up", "--shards", "3", "--parallel", "3", "--format", "json"], env, project.dir);
      expect(run.code, run.stderr).toBe(1);
      const summary = JSON.parse(run.stdout) as FleetRunSummary;
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
      const calls = await emu.control.calls();
      expect(calls.registerSigfoxDevice).toBe(FLEET.length + 1);
      expect((await emu.control.state()).devices.filter((d) => d.status === "ready")).toHaveLength(FLEET.length);
      // One progress display on stderr; no PAC anywhere in the output.
      expect(run.stderr).toMatch(/fleet up: 3\/3 shards done \| 1\/3 ok \d+\/\d+ \| 2\/3 FAILED \| 3\/3 ok/);
      for (const d of [...FLEET, UNKNOWN]) expect(run.stdout + run.stderr).not.toContain(d.pac);
    },
    STEP_TIMEOUT,
  );

  it(
    "once the cause is fixed, up succeeds on every shard (exit 0) and only the missing device is registered",
    async () => {
      await emu.control.seed({ devices: [UNKNOWN], groups: [] });
      await emu.control.clearRequests();
      const run = await runFleet(["up", "--shards", "3", "--parallel", "2"], env, project.dir);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^fleet up: 3 shards, 3 succeeded, 0 failed \(2 at a time, engine --parallel \d+\)/);
      expect(run.stdout).toMatch(/fleet-2of3 {2}2\/3 {2}ok/);
      const calls = await emu.control.calls();
      expect(calls.registerSigfoxDevice).toBe(1);
    },
    STEP_TIMEOUT,
  );

  it(
    "preview of the deployed shards: exit 0, every device unchanged, no API call",
    async () => {
      await emu.control.clearRequests();
      const run = await runFleet(["preview", "--shards", "3", "--format", "json"], env, project.dir);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as FleetRunSummary;
      expect(summary.results.map((r) => r.changes)).toEqual([1, 2, 3].map((i) => ({ same: inShard(i) + 2 })));
      expect(await apiCalls(emu)).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "refuses to run another shard count while stacks of this fleet exist with K=3 (exit 1, reshard first, no API call)",
    async () => {
      expect(otherShardCounts(["fleet-1of3", "acme/fleet-2of3", "fleet-1of2", "other-1of5", "fleet-x"], "fleet", 3)).toEqual([2]);
      await emu.control.clearRequests();
      const run = await runFleet(["up", "--shards", "2"], env, project.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("stacks fleet-<i>of3 exist: this fleet is deployed as 3 shard stacks, not 2.");
      expect(run.stderr).toContain("Fix: `soracom-sigfox fleet reshard --from 3 --to 2` first, or pass --shards 3.");
      expect(run.stdout).toBe("");
      expect(await emu.control.calls()).toEqual({});
    },
    STEP_TIMEOUT,
  );
});
