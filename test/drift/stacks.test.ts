/**
 * `soracom-sigfox drift` against REAL Pulumi stacks: three stacks of one project on a file://
 * backend, deployed by the real engine against the emulator, then changed out of band. The command
 * reads them with the Pulumi CLI (`pulumi stack ls --json`, `pulumi stack export`), without the
 * passphrase: it never decrypts anything.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { DriftReportSchema } from "../../src/drift";
import { engineEnv, openLocalStack } from "../../src/engine/workspace";
import { deviceProgram, repoRoot } from "../helpers/engine";
import { apiCallsWithoutAuth, emulatorClientEnv } from "../helpers/common";
import { emulatorEnv, pacOf, runDriftCommand } from "./helpers";

const TIMEOUT = 600_000;
const PASSPHRASE = "correct horse battery staple";

const STACK_DEVICES: Record<string, string[]> = { "prod-a": ["A0000001", "A0000002"], "prod-b": ["B0000001", "B0000002"], dev: ["C0000001"] };
const ALL = Object.values(STACK_DEVICES).flat();
const pacByDevice = new Map(ALL.map((id, i) => [id, pacOf(i + 1)]));
const UNMANAGED = "E0000001";

let emu: RunningEmulator;
let tmp: string;
let projectDir: string;
let driftEnv: NodeJS.ProcessEnv;
const stacks = new Map<string, automation.Stack>();

beforeAll(async () => {
  emu = await startEmulator({ seed: { devices: [...pacByDevice].map(([deviceId, pac]) => ({ deviceId, pac })) } });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-drift-stacks-"));
  const stateDir = path.join(tmp, "state");
  const pulumiHome = path.join(tmp, "home");
  const providerEnv = emulatorClientEnv(emu);
  for (const [name, devices] of Object.entries(STACK_DEVICES)) {
    const spec = {
      devices: Object.fromEntries(
        devices.map((deviceId) => [deviceId, { deviceId, registrationSecret: pacByDevice.get(deviceId), tags: { team: "iot", stack: name } }]),
      ),
    };
    const stack = await openLocalStack({
      projectName: "sigfox-drift",
      stackName: name,
      workDir: repoRoot,
      program: deviceProgram(spec),
      stateDir,
      pulumiHome,
      passphrase: PASSPHRASE,
      env: providerEnv,
    });
    await stack.up();
    stacks.set(name, stack);
  }
  await stacks.get("prod-a")!.workspace.selectStack("prod-a");
  // The inline programs' project file (with the backend URL) lives in the workspace directory.
  projectDir = path.join(pulumiHome, "workspace");
  expect(fs.existsSync(path.join(projectDir, "Pulumi.yaml"))).toBe(true);
  // No PULUMI_CONFIG_PASSPHRASE: drift must not need it.
  driftEnv = emulatorEnv(emu, { PULUMI_HOME: pulumiHome });
}, TIMEOUT);

afterAll(async () => {
  await emu?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

beforeEach(async () => {
  // Out of band: a tag edited on A0000001, B0000002 gone from the account, an unmanaged device.
  await emu.control.mutateDevice("A0000001", { tags: { team: "iot", stack: "prod-a", note: "by hand" } });
  await emu.control.removeDevice("B0000002").catch(() => undefined);
  await emu.control.seed({
    devices: [{ deviceId: UNMANAGED, pac: pacOf(99), ownerOperatorId: emu.credentials.operatorId, status: "ready", tags: { team: "iot" } }],
  });
  await emu.control.clearRequests();
});

describe("soracom-sigfox drift --stack", () => {
  it(
    "a glob compares every matching stack of the project: drifted, missing, unmanaged (a device of a stack not compared is unmanaged)",
    async () => {
      const r = await runDriftCommand(["--stack", "prod-*", "--format", "json"], projectDir, driftEnv);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(2);
      const report = DriftReportSchema.parse(JSON.parse(r.stdout));
      expect(report.summary).toEqual({ managed: 4, inSync: 2, drifted: 1, missing: 1, unmanaged: 2, ignored: 0 });
      expect(report.drifted).toEqual([{ deviceId: "A0000001", stack: "prod-a", fields: [{ path: "tags.note", expected: null, actual: "by hand" }] }]);
      expect(report.missing).toEqual([{ deviceId: "B0000002", stack: "prod-b", reason: "not_found" }]);
      expect(report.unmanaged.map((u) => u.deviceId)).toEqual(["C0000001", UNMANAGED]);
      expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 1, getSigfoxDevice: 1 });
      for (const pac of pacByDevice.values()) expect(r.stdout + r.stderr).not.toContain(pac);
    },
    TIMEOUT,
  );

  it(
    "several --stack flags; the default is the project's selected stack",
    async () => {
      const both = await runDriftCommand(["--stack", "prod-a", "--stack", "dev", "--format", "json"], projectDir, driftEnv);
      const report = DriftReportSchema.parse(JSON.parse(both.stdout));
      expect(report.summary).toMatchObject({ managed: 3, drifted: 1, missing: 0 });
      expect(report.unmanaged.map((u) => u.deviceId)).toEqual(["B0000001", UNMANAGED]);

      const selected = await runDriftCommand(["--format", "json", "--no-unmanaged"], projectDir, driftEnv);
      expect(selected.code).toBe(2);
      const only = DriftReportSchema.parse(JSON.parse(selected.stdout));
      expect(only.summary).toMatchObject({ managed: 2, drifted: 1 });
      expect(only.drifted[0]?.stack).toBe("prod-a");
    },
    TIMEOUT,
  );

  it(
    "exits 0 for a stack in sync (dev, unmanaged devices scoped out) and reads a saved stack export with --state-file",
    async () => {
      const dev = await runDriftCommand(["--stack", "dev", "--no-unmanaged"], projectDir, driftEnv);
      expect(dev.code).toBe(0);
      expect(dev.stdout).toContain("No drift. 1 managed: 1 in sync");

      const file = path.join(tmp, "prod-b.json");
      execFileSync("pulumi", ["stack", "export", "--stack", "prod-b", "--file", file], { cwd: projectDir, env: { ...driftEnv, ...engineEnv() } });
      const saved = await runDriftCommand(["--state-file", file, "--format", "json", "--no-unmanaged"], projectDir, driftEnv);
      const report = DriftReportSchema.parse(JSON.parse(saved.stdout));
      expect(report.missing).toEqual([{ deviceId: "B0000002", stack: file, reason: "not_found" }]);
      expect(saved.code).toBe(2);
    },
    TIMEOUT,
  );

  it(
    "exits 1 naming the stack, the backend and the fix, before any API call",
    async () => {
      const unknown = await runDriftCommand(["--stack", "nope"], projectDir, driftEnv);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("`pulumi stack export --stack nope` failed");
      expect(unknown.stderr).toContain(`backend file://${path.join(tmp, "state")}`);
      expect(unknown.stderr).toContain("no stack named 'nope' found");
      expect(unknown.stderr).toMatch(/Fix: check the stack name/);

      const noMatch = await runDriftCommand(["--stack", "staging-*"], projectDir, driftEnv);
      expect(noMatch.code).toBe(1);
      expect(noMatch.stderr).toMatch(/--stack staging-\* matches none of the stacks of the project .*: dev, prod-a, prod-b/);

      const noProject = await runDriftCommand([], tmp, driftEnv);
      expect(noProject.code).toBe(1);
      expect(noProject.stderr).toMatch(/`pulumi stack ls` failed in .*Fix: run drift in the Pulumi project's directory/);
      expect(await apiCallsWithoutAuth(emu)).toEqual({});
    },
    TIMEOUT,
  );
});
