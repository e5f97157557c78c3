/** Shared helpers of the data-plane command tests: running a command with captured io, seeding devices and uplinks. */
import type { RunningEmulator } from "../../src/emulator";
import { emulatorClientEnv } from "../helpers/common";
import type { DataplaneIo } from "../../src/cli/dataplane-io";

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment the commands resolve credentials and endpoint from, as a user would set it. */
export function emulatorEnv(emu: RunningEmulator): NodeJS.ProcessEnv {
  return { ...emulatorClientEnv(emu), HOME: "/nonexistent" };
}

/**
 * Runs a command function with captured io. `now` defaults to the emulator's clock so relative windows
 * line up with the timestamps the emulator gave the uplinks. `onStderr` sees every stderr chunk (to abort midway).
 */
export async function runCommand(
  command: (args: string[], io: DataplaneIo) => Promise<number>,
  args: string[],
  emu: RunningEmulator,
  options: { cwd?: string; signal?: AbortSignal; onStderr?: (text: string) => void; now?: number; stderrIsTTY?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandRun> {
  const out: string[] = [];
  const err: string[] = [];
  const now = options.now ?? (await emu.control.clock()).nowMs;
  const io: DataplaneIo = {
    stdout: (t) => {
      out.push(t);
    },
    stderr: (t) => {
      err.push(t);
      options.onStderr?.(t);
    },
    stderrIsTTY: options.stderrIsTTY ?? false,
    env: options.env ?? emulatorEnv(emu),
    cwd: options.cwd ?? process.cwd(),
    ...(options.signal ? { signal: options.signal } : {}),
    now: () => now,
  };
  const code = await command(args, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** Registers `ids` to the emulator's operator (status ready), with optional tags / group per device. */
export async function seedOwned(
  emu: RunningEmulator,
  devices: Array<string | { deviceId: string; tags?: Record<string, string>; groupId?: string; status?: "ready" | "active" | "terminated" }>,
): Promise<void> {
  await emu.control.seed({
    devices: devices.map((d) => {
      const device = typeof d === "string" ? { deviceId: d } : d;
      return { status: "ready" as const, ...device, ownerOperatorId: emu.credentials.operatorId };
    }),
  });
}

/** `count` uplinks from each device (devices in parallel, each device's in order). */
export async function sendUplinks(emu: RunningEmulator, deviceIds: string[], count: number, parallel = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < deviceIds.length) {
      const id = deviceIds[next++]!;
      for (let i = 0; i < count; i++) await emu.control.uplink(id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, deviceIds.length) }, worker));
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
