/**
 * The CI scenario of a sharded fleet on a real PostgreSQL backend (scripts/postgres.sh; never a
 * mock): 4 shards x 250 devices deployed with `soracom-sigfox fleet up`, at least 2 stacks at once,
 * then an unchanged `up` per shard that changes nothing and calls the API not once, then one
 * `soracom-sigfox drift --stack 'ci-*'` report over the 4 stacks. Also proves that listing the 4
 * stacks does not deadlock on a 2-core runner (engineEnv's GOMAXPROCS).
 *
 * Kept fast: PULUMI_SKIP_CHECKPOINTS (a re-run create adopts, see README "Scale") and a high
 * engine --parallel.
 */
import * as fs from "node:fs";
import * as automation from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userEngine } from "../../src/engine/workspace";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { shardOfDevice } from "../../src/fleet/shard";
import type { FleetRunSummary } from "../../src/shards/run";
import { DriftReportSchema } from "../../src/drift";
import { emulatorEnv, runDriftCommand } from "../drift/helpers";
import { apiCallsWithoutAuth, SIGFOX_DEVICE_TYPE } from "../helpers/common";
import { devices, fleetEnv, postgresBackend, pulumiHome, runFleetJson, shardProject, type ShardProject } from "./helpers";

const STEP_TIMEOUT = 900_000;
const SHARDS = 4;
const FLEET = devices(SHARDS * 250, 0x6c000000);
const inShard = (index: number) => FLEET.filter((d) => shardOfDevice(d.deviceId, SHARDS) === index).length;

let emu: RunningEmulator;
let project: ShardProject;
let backend: ReturnType<typeof postgresBackend>;
let env: Record<string, string>;
const home = pulumiHome();

beforeAll(async () => {
  backend = postgresBackend(`shards_ci_${process.pid}`);
  emu = await startEmulator({ seed: { devices: FLEET, groups: [] } });
  project = shardProject("shards-ci");
  project.writeFleet(FLEET);
  env = { ...fleetEnv(emu, project, backend.url, home), PULUMI_SKIP_CHECKPOINTS: "true" };
}, 120_000);

afterAll(async () => {
  await emu?.close();
  project?.cleanup();
  backend?.drop();
  fs.rmSync(home, { recursive: true, force: true });
});

describe("sharded fleet on PostgreSQL: 4 shards x 250 devices", () => {
  it(
    "fleet up deploys every shard, at least 2 at once; every device is registered once, in its shard's stack",
    async () => {
      expect(backend.url).toMatch(/^postgres:\/\/pulumi@127\.0\.0\.1:\d+\/shards_ci_\d+/);
      await emu.control.clearRequests();
      const { summary } = await runFleetJson<FleetRunSummary>(
        ["up", "--shards", String(SHARDS), "--parallel", "2", "--engine-parallel", "64", "--stack-prefix", "ci", "--format", "json"],
        env,
        project.dir,
      );
      expect(summary.maxShardsAtOnce).toBeGreaterThanOrEqual(2);
      expect(summary.results.map((r) => [r.stack, r.state, r.devicesDone, r.devicesTotal])).toEqual(
        [1, 2, 3, 4].map((i) => [`ci-${i}of4`, "succeeded", inShard(i), inShard(i)]),
      );
      expect(await apiCallsWithoutAuth(emu)).toEqual({ registerSigfoxDevice: FLEET.length });
    },
    STEP_TIMEOUT,
  );

  it(
    "the 4 stacks are in the PostgreSQL backend, and listing them does not deadlock on 2 cores",
    async () => {
      const engine = await userEngine({ ...process.env, ...env });
      const ws = await automation.LocalWorkspace.create({ workDir: project.dir, pulumiCommand: engine.command, envVars: engine.envVars });
      // Without GOMAXPROCS >= 16 (engineEnv), `pulumi stack ls` here hangs forever on a 2-core machine.
      const stacks = await ws.listStacks();
      expect(stacks.map((s) => s.name).sort()).toEqual(["ci-1of4", "ci-2of4", "ci-3of4", "ci-4of4"]);
      const owners = new Map<string, string>();
      for (const name of stacks.map((s) => s.name)) {
        const deployment = (await ws.exportStack(name)).deployment as { resources?: { urn: string; type: string }[] };
        for (const r of deployment.resources ?? []) {
          if (r.type !== SIGFOX_DEVICE_TYPE) continue;
          const id = r.urn.slice(r.urn.lastIndexOf("::") + 2);
          expect(owners.has(id), `${id} in two stacks`).toBe(false);
          owners.set(id, name);
        }
      }
      expect(owners.size).toBe(FLEET.length);
      for (const d of FLEET) expect(owners.get(d.deviceId)).toBe(`ci-${shardOfDevice(d.deviceId, SHARDS)}of4`);
    },
    STEP_TIMEOUT,
  );

  it(
    "an unchanged up per shard changes nothing and makes no API call",
    async () => {
      await emu.control.clearRequests();
      const { summary } = await runFleetJson<FleetRunSummary>(
        ["up", "--shards", String(SHARDS), "--parallel", "4", "--engine-parallel", "64", "--stack-prefix", "ci", "--format", "json"],
        env,
        project.dir,
      );
      expect(summary.results.map((r) => r.changes)).toEqual([1, 2, 3, 4].map((i) => ({ same: inShard(i) + 2 })));
      expect(await apiCallsWithoutAuth(emu)).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "one drift report reads the 4 shard stacks from PostgreSQL: in sync, then exactly the device changed by hand",
    async () => {
      // What a scheduled drift job has: the backend and the API credentials; no passphrase, no PAC.
      const driftEnv = emulatorEnv(emu, { PULUMI_BACKEND_URL: backend.url, PULUMI_HOME: home });
      await emu.control.clearRequests();
      const clean = await runDriftCommand(["--stack", "ci-*", "--format", "json"], project.dir, driftEnv);
      expect(clean.code, clean.stderr).toBe(0);
      expect(DriftReportSchema.parse(JSON.parse(clean.stdout)).summary).toEqual({
        managed: FLEET.length,
        inSync: FLEET.length,
        drifted: 0,
        missing: 0,
        unmanaged: 0,
        ignored: 0,
      });
      // The whole account read with list pages only: 1,000 devices, 10 calls.
      expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: Math.ceil(FLEET.length / 100) });

      const target = FLEET[7]!.deviceId;
      const live = await emu.control.mutateDevice(target, {});
      await emu.control.mutateDevice(target, { terminationEnabled: live.terminationEnabled !== true });
      const drifted = await runDriftCommand(["--stack", "ci-*", "--format", "json"], project.dir, driftEnv);
      expect(drifted.code, drifted.stderr).toBe(2);
      const report = DriftReportSchema.parse(JSON.parse(drifted.stdout));
      expect(report.summary).toMatchObject({ managed: FLEET.length, inSync: FLEET.length - 1, drifted: 1 });
      expect(report.drifted).toEqual([
        {
          deviceId: target,
          stack: `ci-${shardOfDevice(target, SHARDS)}of4`,
          fields: [{ path: "terminationEnabled", expected: live.terminationEnabled === true, actual: live.terminationEnabled !== true }],
        },
      ]);
    },
    STEP_TIMEOUT,
  );
});
