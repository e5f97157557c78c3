/** Shared pieces of the drift tests: running the command with captured io, seeding an account. */
import type { RunningEmulator } from "../../src/emulator";
import { emulatorClientEnv } from "../helpers/common";
import { drift, type DriftIo } from "../../src/cli/commands/drift";

export interface DriftRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runDriftCommand(args: string[], cwd: string, env: NodeJS.ProcessEnv, stderrIsTTY = false): Promise<DriftRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: DriftIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), stderrIsTTY, env, cwd };
  const code = await drift(args, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** The environment that points the client at the emulator. */
export function emulatorEnv(emu: RunningEmulator, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...emulatorClientEnv(emu),
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.PULUMI_CLI_DIR ? { PULUMI_CLI_DIR: process.env.PULUMI_CLI_DIR } : {}),
    ...extra,
  };
}

/** 8-hex-digit device IDs `<prefix>0000001`, ... */
export const ids = (prefix: string, count: number, from = 1): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${(from + i).toString(16).toUpperCase().padStart(7, "0")}`);

export const pacOf = (i: number): string => `AC${i.toString(16).toUpperCase().padStart(14, "0")}`;
