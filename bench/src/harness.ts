/**
 * One fleet stack under measurement: an emulator seeded with the fleet's devices, a byte-counting
 * proxy in front of it (the provider process talks to the proxy), a stack on a fresh `file://`
 * backend whose inline program deploys the current fleet definition, and `step()` which runs one
 * engine operation and records seconds, API calls per operation (the emulator's `calls()`), HTTP
 * statuses (its request log), wire bytes (the proxy) and state bytes written (the state watcher).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { emulatorClientEnv, startEmulator, type RunningEmulator } from "#src/emulator/index";
import { openLocalStack } from "#src/engine/workspace";
import { PACKAGE_ROOT } from "#src/package-paths";
import type { FleetFile } from "#src/fleet/index";
import { fleetProgram } from "#src/program/fleet-program";
import { startCountingProxy, type CountingProxy } from "./proxy";
import { findCheckpoint, watchStackState, type StateWriteTotals } from "./state-watch";
import { type BenchDevice, networkSeed } from "./fixture";
import { loadAverage } from "./system";
import { SIGFOX_DEVICE_TYPE } from "#src/provider/type-token";

export { SIGFOX_DEVICE_TYPE };

export interface StepResult {
  step: string;
  seconds: number;
  /** API calls per operation, as the emulator counted them (refused calls included). */
  calls: Record<string, number>;
  /** Sum of `calls` without `auth`. */
  apiCalls: number;
  /** Responses per HTTP status (from the emulator's request log; `dropped` for a dropped connection). */
  statuses: Record<string, number>;
  http: { requests: number; bytesSent: number; bytesReceived: number; maxInFlight: number };
  state?: StateWriteTotals;
  /** The engine's summary of resource changes. */
  changes?: Record<string, number>;
  load1: number;
  /** The emulator's request log of the step (only kept when the caller asks; not written to results). */
  requestLog?: { time: string; operation: string | null; status: number | null }[];
}

export interface FleetStackOptions {
  label: string;
  devices: BenchDevice[];
  /** Extra engine environment (the checkpoint knobs). */
  engineEnv?: Record<string, string>;
  rateLimits?: { enabled: boolean; limitPerMinute?: number; perOperation?: Record<string, number> };
  workRoot: string;
  /** Stack config (e.g. `soracom:maxConcurrency`). */
  config?: Record<string, { value: string }>;
}

export class FleetStack {
  definition!: FleetFile;
  private constructor(
    readonly options: FleetStackOptions,
    readonly emulator: RunningEmulator,
    readonly proxy: CountingProxy,
    readonly stack: Stack,
    readonly stateDir: string,
    readonly dir: string,
  ) {}

  static async open(options: FleetStackOptions, definition: FleetFile): Promise<FleetStack> {
    const dir = fs.mkdtempSync(path.join(options.workRoot, `${options.label}-`));
    const emulator = await startEmulator({ seed: networkSeed(options.devices), ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}) });
    const proxy = await startCountingProxy(emulator.url);
    const stateDir = path.join(dir, "state");
    let self: FleetStack | undefined;
    const stack = await openLocalStack({
      projectName: "sigfox-bench",
      stackName: "bench",
      workDir: PACKAGE_ROOT,
      program: async () => fleetProgram({ definition: self!.definition, baseDir: PACKAGE_ROOT, env: {} }),
      stateDir,
      pulumiHome: path.join(dir, "home"),
      passphrase: "benchmark-passphrase",
      env: {
        ...emulatorClientEnv(emulator, proxy.url),
        SORACOM_RELEASED_PAC_DIR: path.join(dir, "released-pacs"),
        ...options.engineEnv,
      },
      ...(options.config ? { config: options.config } : {}),
    });
    self = new FleetStack(options, emulator, proxy, stack, stateDir, dir);
    self.definition = definition;
    return self;
  }

  /** Runs one engine operation and measures it. `writesState`: watch the checkpoint (up/destroy). */
  async step(
    name: string,
    run: (stack: Stack) => Promise<{ summary?: { resourceChanges?: Record<string, number> } } | unknown>,
    writesState = true,
    keepLog = false,
  ): Promise<StepResult> {
    await this.emulator.control.clearRequests();
    this.proxy.reset();
    const watch = writesState ? watchStackState(this.stateDir, "bench") : undefined;
    const t0 = performance.now();
    const result = (await run(this.stack)) as { summary?: { resourceChanges?: Record<string, number> }; changeSummary?: Record<string, number> } | undefined;
    const seconds = (performance.now() - t0) / 1000;
    // The watcher's events arrive asynchronously: give the last rename a moment to be seen.
    await new Promise((r) => setTimeout(r, 200));
    const state = watch?.stop();
    const calls = (await this.emulator.control.calls()) as Record<string, number>;
    const statuses: Record<string, number> = {};
    const requestLog = await this.emulator.control.requests();
    for (const r of requestLog) {
      const key = r.status === null ? "dropped" : String(r.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    const p = this.proxy.counters();
    const changes = result?.summary?.resourceChanges ?? result?.changeSummary;
    return {
      step: name,
      seconds,
      calls,
      apiCalls: Object.entries(calls).reduce((n, [op, c]) => (op === "auth" ? n : n + c), 0),
      statuses,
      http: { requests: p.requests, bytesSent: p.bytesSent, bytesReceived: p.bytesReceived, maxInFlight: p.maxInFlight },
      ...(state ? { state } : {}),
      ...(changes ? { changes: { ...changes } } : {}),
      load1: loadAverage(),
      ...(keepLog ? { requestLog: requestLog.map((r) => ({ time: r.time, operation: r.operation, status: r.status })) } : {}),
    };
  }

  /** The checkpoint as written on disk (gunzipped if needed), parsed. */
  checkpoint(): { text: string; bytesOnDisk: number; json: CheckpointJson } {
    const file = findCheckpoint(this.stateDir, "bench");
    if (!file) throw new Error("no checkpoint");
    const raw = fs.readFileSync(file);
    const text = file.endsWith(".gz") ? zlibGunzip(raw) : raw.toString("utf8");
    return { text, bytesOnDisk: raw.length, json: JSON.parse(text) as CheckpointJson };
  }

  async close(keep = false): Promise<void> {
    await this.proxy.close();
    await this.emulator.close();
    if (!keep) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface CheckpointJson {
  checkpoint?: { latest?: { resources?: CheckpointResource[] } };
}
export interface CheckpointResource {
  type: string;
  urn: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

function zlibGunzip(raw: Buffer): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require("node:zlib") as typeof import("node:zlib");
  return zlib.gunzipSync(raw).toString("utf8");
}

/**
 * `__provider` bytes of one device resource (inputs + outputs), and where the bytes of a device
 * resource go (compact JSON bytes of each top-level field, and of `__provider` and the encrypted PAC
 * inside inputs + outputs): what to shrink first.
 */
export function providerBytes(cp: CheckpointJson): { devices: number; providerBytesPerResource: number; breakdown: Record<string, number> } {
  const devices = (cp.checkpoint?.latest?.resources ?? []).filter((r) => r.type === SIGFOX_DEVICE_TYPE);
  if (devices.length === 0) return { devices: 0, providerBytesPerResource: 0, breakdown: {} };
  const d = devices[0]! as unknown as Record<string, unknown> & CheckpointResource;
  const len = (v: unknown): number => (v === undefined ? 0 : Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v)));
  const breakdown: Record<string, number> = { "whole resource (compact JSON)": len(d) };
  for (const [k, v] of Object.entries(d)) breakdown[k] = len(v);
  breakdown["inputs+outputs: __provider"] = len(d.inputs?.__provider) + len(d.outputs?.__provider);
  breakdown["inputs+outputs: registrationSecret (ciphertext)"] = len(d.inputs?.registrationSecret) + len(d.outputs?.registrationSecret);
  return { devices: devices.length, providerBytesPerResource: len(d.inputs?.__provider) + len(d.outputs?.__provider), breakdown };
}

export function benchWorkRoot(): string {
  const root = path.join(os.tmpdir(), "sigfox-bench");
  fs.mkdirSync(root, { recursive: true });
  return root;
}
