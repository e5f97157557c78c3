/**
 * The ci-pipeline example's scheduled drift job, run for real: the example deployed as a local
 * program against the emulator, then the workflow's "Drift check" step script (read from the
 * workflow file) run with bash, with no PAC and no passphrase in its environment. Only `npx` is a
 * stand-in (it would install the package from the registry): a shim that runs this repository's CLI.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { emulatorClientEnv } from "../helpers/common";
import { createTestStack, repoRoot, type TestStack } from "../helpers/engine";

const TIMEOUT = 600_000;
const STACK = "ci-drift";
const exampleDir = path.join(repoRoot, "examples", "ci-pipeline");
const workflow = parse(fs.readFileSync(path.join(exampleDir, ".github/workflows/sigfox-fleet.yml"), "utf8")) as {
  jobs: Record<string, { steps: { name?: string; run?: string; uses?: string; if?: string; with?: Record<string, string> }[] }>;
};
const seed = JSON.parse(fs.readFileSync(path.join(exampleDir, "emulator-seed.json"), "utf8")) as {
  devices: { deviceId: string; pac: string }[];
  groups?: { groupId: string; name: string }[];
};

let emu: RunningEmulator;
let h: TestStack;
let tmp: string;

beforeAll(async () => {
  emu = await startEmulator({ seed: { devices: seed.devices, groups: seed.groups ?? [] } });
  h = await createTestStack({
    workDir: exampleDir,
    stackName: STACK,
    env: {
      ...emulatorClientEnv(emu),
      ...Object.fromEntries(seed.devices.map((d) => [`SORACOM_PAC_${d.deviceId}`, d.pac])),
    },
  });
  await h.up();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-ci-drift-"));
  fs.mkdirSync(path.join(tmp, "bin"));
  fs.writeFileSync(
    path.join(tmp, "bin", "npx"),
    `#!/bin/sh\n[ "$1" = "--no-install" ] && shift\n[ "$1" = "soracom-sigfox" ] || exit 127\nshift\nexec "${process.execPath}" "${path.join(repoRoot, "bin", "soracom-sigfox.js")}" "$@"\n`,
    { mode: 0o755 },
  );
}, TIMEOUT);

afterAll(async () => {
  await h?.cleanup();
  await emu?.close();
  fs.rmSync(path.join(exampleDir, "drift-report.md"), { force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the workflow's "Drift check" step as GitHub Actions would (bash -e), in the example's folder. */
async function runDriftStep(): Promise<{ code: number; stdout: string; summary: string; outputs: string }> {
  const step = workflow.jobs.drift!.steps.find((s) => s.name === "Drift check");
  expect(step?.run).toBeDefined();
  const summary = path.join(tmp, "summary.md");
  const outputs = path.join(tmp, "outputs");
  fs.writeFileSync(summary, "");
  fs.writeFileSync(outputs, "");
  const ws = h.stack.workspace as automation.LocalWorkspace;
  // The job's environment: the workflow's Soracom and Pulumi settings, no PAC, no passphrase.
  const env = {
    PATH: [path.join(tmp, "bin"), process.env.PATH].join(path.delimiter),
    HOME: process.env.HOME ?? "",
    PULUMI_CLI_DIR: process.env.PULUMI_CLI_DIR ?? "",
    PULUMI_HOME: ws.pulumiHome ?? "",
    PULUMI_BACKEND_URL: ws.envVars.PULUMI_BACKEND_URL ?? "",
    PULUMI_STACK: STACK,
    ...emulatorClientEnv(emu),
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: outputs,
  };
  const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile("bash", ["-e", "-c", step!.run!], { cwd: exampleDir, env }, (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }));
  });
  return { ...result, summary: fs.readFileSync(summary, "utf8"), outputs: fs.readFileSync(outputs, "utf8") };
}

describe("examples/ci-pipeline: the scheduled drift job", () => {
  it(
    "passes when the fleet is in sync, fails with exit 2 and a markdown job summary on drift, and uploads the report",
    async () => {
      const clean = await runDriftStep();
      expect(clean.outputs).toContain("exit-code=0");
      expect(clean.code).toBe(0);
      expect(clean.summary).toContain("## Sigfox drift: in sync");

      const [first] = seed.devices;
      const live = (await emu.control.state()).devices.find((d) => d.deviceId === first!.deviceId)!;
      await emu.control.mutateDevice(first!.deviceId, { tags: { ...live.tags, lot: "east" } });
      const drifted = await runDriftStep();
      expect(drifted.code).toBe(2);
      expect(drifted.outputs).toContain("exit-code=2");
      expect(drifted.stdout).toContain("::error title=Sigfox drift::drift found");
      expect(drifted.summary).toContain("## Sigfox drift: drift found");
      expect(drifted.summary).toMatch(new RegExp(`\\| drifted \\| \`${first!.deviceId}\` \\| ${STACK} \\| tags\\.lot \\| "north" \\| "east" \\|`));
      for (const d of seed.devices) expect(drifted.summary + drifted.stdout).not.toContain(d.pac);

      const upload = workflow.jobs.drift!.steps.find((s) => s.uses?.startsWith("actions/upload-artifact"));
      expect(upload).toMatchObject({ if: "always()", with: { path: "drift-report.md" } });
      expect(fs.existsSync(path.join(exampleDir, "drift-report.md"))).toBe(true);
    },
    TIMEOUT,
  );
});
