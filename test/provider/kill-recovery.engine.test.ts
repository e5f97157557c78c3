/**
 * Issue 10, item 2: `kill -9` of a real `pulumi up` process in the middle of a fleet deployment, then
 * the recovery documented in the README ("Recovering from an interrupted `pulumi up`"):
 *
 *   pulumi cancel --yes                              # the killed run's stale lock (self-managed backend)
 *   pulumi refresh --yes --clear-pending-creates     # drops the creates the killed run left pending
 *   pulumi up --yes                                  # registers the rest, adopts what the killed run registered
 *
 * At several kill points (after N register calls reached the emulator), it proves: the provider the
 * killed run left behind stops by itself (no API call after it, no process left), and after the
 * recovery the exported state has no pending operation, no device is orphaned or registered twice,
 * and every device is in the declared state. The CLI runs as a child process in a project under
 * .tmp/ in the repository (so the program and the provider resolve the package as a user's would).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { auditFleet, stackDeviceIds } from "../../bench/src/scenario-faults";
import { benchDevices } from "../../bench/src/fixture";
import { engineEnv } from "../../src/engine/workspace";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import type { FleetFile } from "../../src/fleet/schema";
import { emulatorClientEnv } from "../helpers/common";
import { backendLockFiles, removeTornBlobAttributes, repoRoot } from "../helpers/engine";

const DEVICES = 24;
const KILL_AFTER_REGISTERS = [1, 9, 18];
const roots: string[] = [];
const emulators: RunningEmulator[] = [];

afterAll(async () => {
  for (const e of emulators) await e.close();
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

interface Project {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The file:// backend's directory. */
  state: string;
}

function makeProject(emulator: RunningEmulator, definition: FleetFile, label: string): Project {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true });
  const root = fs.mkdtempSync(path.join(repoRoot, ".tmp", `kill-${label}-`));
  roots.push(root);
  const dir = path.join(root, "project");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: kill-recovery\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
  fs.writeFileSync(
    path.join(dir, "index.js"),
    `"use strict";\nconst { SigfoxFleet } = require("pulumi-soracom-sigfox");\nconst fleet = new SigfoxFleet("fleet", { definition: require("path").join(__dirname, "fleet.yaml") });\nexports.deviceCount = fleet.deviceIds.length;\n`,
  );
  fs.writeFileSync(path.join(dir, "fleet.yaml"), JSON.stringify(definition));
  const env = {
    ...process.env,
    ...engineEnv(),
    PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
    PULUMI_HOME: path.join(root, "home"),
    PULUMI_CONFIG_PASSPHRASE: "kill recovery",
    ...emulatorClientEnv(emulator),
  };
  fs.mkdirSync(path.join(root, "state"));
  return { dir, env, state: path.join(root, "state") };
}

function start(p: Project, args: string[]): ChildProcess {
  return spawn("pulumi", [...args, "--stack", "ci", "--non-interactive"], { cwd: p.dir, env: p.env, stdio: ["ignore", "pipe", "pipe"] });
}

async function pulumi(p: Project, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = start(p, args);
  let out = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, out };
}

/** PIDs of dynamic-provider processes started in this project's directory (Linux /proc). */
function providerProcesses(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes("dynamic-provider") && fs.readlinkSync(`/proc/${entry}/cwd`) === dir) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function registersSeen(emulator: RunningEmulator): Promise<number> {
  return (await emulator.control.calls()).registerSigfoxDevice ?? 0;
}

describe("recovery after kill -9 of pulumi up", () => {
  it.each(KILL_AFTER_REGISTERS)(
    "killed after %i register calls: clean stack, no orphan, declared state",
    async (killAfter) => {
      const devices = benchDevices(DEVICES, "E");
      const definition: FleetFile = {
        version: 1,
        defaults: { tags: { project: "kill" } },
        devices: devices.map((d, i) => ({ deviceId: d.deviceId, pac: d.pac, tags: { n: String(i) }, ...(i % 2 === 0 ? { terminationEnabled: true } : {}) })),
      };
      const emulator = await startEmulator({ seed: { devices: devices.map((d) => ({ deviceId: d.deviceId, pac: d.pac })) } });
      emulators.push(emulator);
      const project = makeProject(emulator, definition, String(killAfter));
      const init = await pulumi(project, ["stack", "init"]);
      expect(init.code, init.out).toBe(0);

      // Slow registrations, so the kill lands with creates in flight.
      await emulator.control.injectFault({ operation: "registerSigfoxDevice", latencyMs: 400, probability: 1 });
      const up = start(project, ["up", "--yes", "--skip-preview"]);
      const exited = new Promise<void>((resolve) => up.on("close", () => resolve()));
      for (let i = 0; i < 600 && (await registersSeen(emulator)) < killAfter; i++) await sleep(100);
      expect(await registersSeen(emulator)).toBeGreaterThanOrEqual(killAfter);
      up.kill("SIGKILL");
      await exited;

      // The provider the killed run left behind stops by itself: within a few seconds no process is
      // left and no API call arrives any more (the recovery below would otherwise race with it).
      let left = providerProcesses(project.dir);
      for (let i = 0; i < 50 && left.length > 0; i++) {
        await sleep(200);
        left = providerProcesses(project.dir);
      }
      expect(left).toEqual([]);
      const settled = (await emulator.control.requests()).length;
      await sleep(2_000);
      expect((await emulator.control.requests()).length).toBe(settled);
      await emulator.control.clearFaults();

      // What the killed run left: a lock on the stack and pending creates (and, when the kill hit a
      // checkpoint write, an unreadable checkpoint: README step 0).
      expect(backendLockFiles(project.state).length).toBeGreaterThan(0);
      let before = await pulumi(project, ["stack", "export"]);
      if (/failed to load checkpoint/.test(before.out)) {
        expect(removeTornBlobAttributes(project.state).length, before.out).toBeGreaterThan(0);
        before = await pulumi(project, ["stack", "export"]);
      }
      expect(before.code, before.out).toBe(0);
      const pending = (JSON.parse(before.out) as { deployment: { pending_operations?: unknown[] } }).deployment.pending_operations ?? [];
      expect(pending.length).toBeGreaterThan(0);

      // The documented recovery.
      const cancel = await pulumi(project, ["cancel", "--yes"]);
      expect(cancel.code, cancel.out).toBe(0);
      const refresh = await pulumi(project, ["refresh", "--yes", "--clear-pending-creates"]);
      expect(refresh.code, refresh.out).toBe(0);
      const again = await pulumi(project, ["up", "--yes", "--skip-preview"]);
      expect(again.code, again.out).toBe(0);

      const exported = await pulumi(project, ["stack", "export"]);
      const deployment = (JSON.parse(exported.out) as { deployment: { resources?: { type: string; outputs?: unknown }[]; pending_operations?: unknown[] } })
        .deployment;
      expect(deployment.pending_operations ?? []).toEqual([]);
      const audit = await auditFleet(emulator, stackDeviceIds(deployment.resources ?? []), definition, await emulator.control.requests());
      expect(audit).toEqual({
        registered: DEVICES,
        missing: [],
        orphans: [],
        duplicateRegistrations: [],
        conflictingRegisters: expect.any(Number),
        notConverged: [],
      });

      // Nothing left to do, and no warning about pending operations.
      const preview = await pulumi(project, ["preview", "--expect-no-changes"]);
      expect(preview.code, preview.out).toBe(0);
      expect(preview.out).not.toMatch(/pending/i);
    },
    600_000,
  );
});
