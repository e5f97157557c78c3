/**
 * Fleets at scale, as the Pulumi CLI runs them (program, CLI and provider each in its own process):
 *
 * - `memory`: one stack of N devices, `up` then `preview --refresh`, with the default program
 *   (SigfoxFleet) and with the same program where each device is a no-op dynamic resource (the
 *   floor of any dynamic resource). Per step: the program's own peak memory (resident and V8 heap),
 *   the peak of every other process, seconds and API calls; after `up`, the state bytes of one
 *   device and of the whole checkpoint per device.
 * - `shards`: N devices as one stack against K shard stacks of N/K run P at a time with
 *   `runShards` (what `soracom-sigfox fleet up --shards K --parallel P` runs). Per layout: seconds,
 *   peak memory per process and of all of them together, state bytes written, API calls.
 *
 * Every stack uses the lean checkpoint mode (PULUMI_SKIP_CHECKPOINTS + gzip): with the default mode
 * a 10,000-device stack rewrites ~570 GiB of state (see the fleet scenario's extrapolation).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { emulatorClientEnv, startEmulator, type RunningEmulator } from "#src/emulator/index";
import { openLocalStack } from "#src/engine/workspace";
import { DEFAULT_ENGINE_PARALLEL, runShards } from "#src/shards/run";
import { SIGFOX_DEVICE_TYPE } from "#src/provider/type-token";
import { benchDevices, networkSeed, type BenchDevice } from "./fixture";
import { watchProcessMemory, type ProcessMemoryPeaks } from "./process-memory";
import { CHECKPOINT_MODES } from "./scenario-engine";
import { findCheckpoint } from "./state-watch";
import { loadAverage } from "./system";
import { gunzipSync } from "node:zlib";

const PASSPHRASE = "benchmark-passphrase";
/** The compiled program (dist-bench/programs/scale-program.js), loaded by each temp project. */
const PROGRAM_MODULE = path.join(__dirname, "programs", "scale-program.js");
const REPO_ROOT = path.resolve(__dirname, "..");

export interface ScaleStepResult {
  step: string;
  seconds: number;
  apiCalls: Record<string, number>;
  memory: ProcessMemoryPeaks;
  /** The program process's own report (memory scenario only). */
  program?: { peakRssMiB: number; peakHeapMiB: number };
  load1: number;
}

export interface MemoryRunResult {
  variant: "fleet" | "noop";
  devices: number;
  steps: ScaleStepResult[];
  /** Compact JSON bytes of one device resource in the checkpoint after `up`. */
  deviceStateBytes: number;
  /** Compact JSON bytes of the whole checkpoint after `up`, divided by the devices. */
  checkpointBytesPerDevice: number;
  ok: boolean;
  error?: string;
}

export interface ShardLayoutResult {
  devices: number;
  shards: number;
  parallel: number;
  seconds: number;
  apiCalls: Record<string, number>;
  memory: ProcessMemoryPeaks;
  /** Bytes the backend wrote (every file under the state directory, after minus before). */
  stateBytesWritten: number;
  succeeded: number;
  ok: boolean;
  error?: string;
  load1: number;
}

/** A throwaway Pulumi project whose program is the scale program, and the fleet file it deploys. */
function scaleProject(dir: string, devices: BenchDevice[]): string {
  const project = path.join(dir, "project");
  fs.mkdirSync(path.join(project, "node_modules", "@pulumi"), { recursive: true });
  // The language host looks for the SDK next to the program.
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi"), path.join(project, "node_modules", "@pulumi", "pulumi"));
  // The provider process loads the serialized shim's `require("pulumi-soracom-sigfox/provider")`
  // from the project, as in a user's project with the package installed.
  fs.symlinkSync(REPO_ROOT, path.join(project, "node_modules", "pulumi-soracom-sigfox"));
  fs.writeFileSync(path.join(project, "index.js"), `module.exports = require(${JSON.stringify(PROGRAM_MODULE)});\n`);
  fs.writeFileSync(path.join(project, "package.json"), `${JSON.stringify({ name: "sigfox-scale", main: "index.js" })}\n`);
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: sigfox-scale\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
  // PACs in a CSV beside the file, as a real fleet keeps them (inline PACs would warn per device).
  fs.writeFileSync(path.join(project, "pacs.csv"), `deviceId,pac\n${devices.map((d) => `${d.deviceId},${d.pac}`).join("\n")}\n`);
  const lines = [
    "version: 1",
    "pacsCsv: pacs.csv",
    "defaults:",
    "  tags: {project: bench, rev: '1'}",
    "  terminationEnabled: true",
    "devices:",
    ...devices.map((d, i) => `  - {deviceId: ${d.deviceId}, tags: {site: site-${i % 10}}}`),
  ];
  fs.writeFileSync(path.join(project, "fleet.yaml"), `${lines.join("\n")}\n`);
  return project;
}

function engineEnvFor(emulator: RunningEmulator, stateDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...CHECKPOINT_MODES.lean,
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    ...emulatorClientEnv(emulator),
    SORACOM_FLEET_FILE: "fleet.yaml",
    ...extra,
  };
}

async function measured(step: string, emulator: RunningEmulator, run: () => Promise<unknown>, programReport?: string): Promise<ScaleStepResult> {
  await emulator.control.clearRequests();
  if (programReport) fs.rmSync(programReport, { force: true });
  const watch = watchProcessMemory();
  const t0 = performance.now();
  let memory: ProcessMemoryPeaks;
  try {
    await run();
  } finally {
    // In the finally: a failed step must not leave the sampler running.
    memory = watch.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const calls = (await emulator.control.calls()) as Record<string, number>;
  delete calls.auth;
  const result: ScaleStepResult = { step, seconds, apiCalls: calls, memory, load1: loadAverage() };
  if (programReport && fs.existsSync(programReport)) {
    const r = JSON.parse(fs.readFileSync(programReport, "utf8")) as { peakRssKiB: number; peakHeapBytes: number };
    result.program = { peakRssMiB: Math.round(r.peakRssKiB / 1024), peakHeapMiB: Math.round(r.peakHeapBytes / 2 ** 20) };
  }
  return result;
}

export async function runMemoryScenario(variant: "fleet" | "noop", n: number, workRoot: string, log: (s: string) => void): Promise<MemoryRunResult> {
  const dir = fs.mkdtempSync(path.join(workRoot, `memory-${variant}-${n}-`));
  const devices = benchDevices(n);
  const project = scaleProject(dir, devices);
  const emulator = await startEmulator({ seed: networkSeed(devices) });
  const stateDir = path.join(dir, "state");
  const report = path.join(dir, "program-memory.json");
  const result: MemoryRunResult = { variant, devices: n, steps: [], deviceStateBytes: 0, checkpointBytesPerDevice: 0, ok: false };
  try {
    const env = engineEnvFor(emulator, stateDir, { SCALE_VARIANT: variant, SCALE_MEMORY_OUT: report });
    const stack = await openLocalStack({
      projectName: "sigfox-scale",
      stackName: "scale",
      workDir: project,
      stateDir,
      pulumiHome: path.join(dir, "home"),
      passphrase: PASSPHRASE,
      env,
    });
    const parallel = DEFAULT_ENGINE_PARALLEL;
    for (const [step, run] of [
      ["up", () => stack.up({ parallel })],
      ["preview --refresh", () => stack.preview({ refresh: true, parallel })],
    ] as const) {
      const r = await measured(step, emulator, run, report);
      result.steps.push(r);
      log(
        `  ${variant} N=${n} ${step}: ${r.seconds.toFixed(1)} s, program ${r.program?.peakRssMiB ?? "?"} MiB (heap ${r.program?.peakHeapMiB ?? "?"}), cli ${r.memory.roles.cli?.peakMiB ?? "?"} MiB, provider ${r.memory.roles.provider?.peakMiB ?? "?"} MiB`,
      );
      if (step === "up") Object.assign(result, stateSizes(stateDir, "scale", n));
    }
    result.ok = true;
  } catch (e) {
    result.error = e instanceof Error ? e.message.slice(0, 1000) : String(e);
  } finally {
    await emulator.close();
  }
  return result;
}

/** Bytes of one device resource and of the checkpoint per device (compact JSON, as exported). */
function stateSizes(stateDir: string, stack: string, n: number): Pick<MemoryRunResult, "deviceStateBytes" | "checkpointBytesPerDevice"> {
  const file = findCheckpoint(stateDir, stack);
  if (!file) throw new Error(`no checkpoint of ${stack}`);
  const raw = fs.readFileSync(file);
  const json = JSON.parse((file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8")) as {
    checkpoint: { latest: { resources: { type: string }[] } };
  };
  const resources = json.checkpoint.latest.resources;
  const device = resources.find((r) => r.type === SIGFOX_DEVICE_TYPE || r.type.endsWith(":NoopDevice"));
  return {
    deviceStateBytes: device ? JSON.stringify(device).length : 0,
    checkpointBytesPerDevice: Math.round(JSON.stringify(json).length / n),
  };
}

/** N devices as K shard stacks, P at a time (K = 1: one stack). */
export async function runShardLayout(n: number, shards: number, parallel: number, workRoot: string, log: (s: string) => void): Promise<ShardLayoutResult> {
  const dir = fs.mkdtempSync(path.join(workRoot, `shards-${n}-${shards}x${parallel}-`));
  const devices = benchDevices(n);
  const project = scaleProject(dir, devices);
  const emulator = await startEmulator({ seed: networkSeed(devices) });
  const stateDir = path.join(dir, "state");
  fs.mkdirSync(stateDir, { recursive: true });
  const result: ShardLayoutResult = {
    devices: n,
    shards,
    parallel,
    seconds: 0,
    apiCalls: {},
    memory: { roles: {}, peakTotalMiB: 0 },
    stateBytesWritten: 0,
    succeeded: 0,
    ok: false,
    load1: 0,
  };
  try {
    const env = { ...process.env, ...engineEnvFor(emulator, stateDir, { SCALE_VARIANT: "fleet", PULUMI_HOME: path.join(dir, "home") }) };
    const before = treeBytes(stateDir);
    let summary: Awaited<ReturnType<typeof runShards>> | undefined;
    const step = await measured(`up ${shards}x${parallel}`, emulator, async () => {
      summary = await runShards({ operation: "up", shards, parallel, engineParallel: DEFAULT_ENGINE_PARALLEL, projectDir: project, stackPrefix: "scale", env });
    });
    Object.assign(result, { seconds: step.seconds, apiCalls: step.apiCalls, memory: step.memory, load1: step.load1 });
    result.stateBytesWritten = treeBytes(stateDir) - before;
    result.succeeded = summary?.succeeded ?? 0;
    result.ok = result.succeeded === shards && (step.apiCalls.registerSigfoxDevice ?? 0) === n;
    if (!result.ok) result.error = summary?.results.find((r) => r.error)?.error ?? `registered ${step.apiCalls.registerSigfoxDevice ?? 0} of ${n}`;
    log(
      `  ${n} devices as ${shards} stack(s), ${parallel} at a time: ${result.seconds.toFixed(1)} s, program ${result.memory.roles.program?.peakMiB ?? "?"} MiB, cli ${result.memory.roles.cli?.peakMiB ?? "?"} MiB, all ${result.memory.peakTotalMiB} MiB, state ${(result.stateBytesWritten / 2 ** 20).toFixed(1)} MiB written`,
    );
  } catch (e) {
    result.error = e instanceof Error ? e.message.slice(0, 1000) : String(e);
  } finally {
    await emulator.close();
  }
  return result;
}

/** Total bytes of every file below `dir` (the backend's checkpoints, backups and history). */
function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
