/** Shared pieces of the drift tests: running the command with captured io, seeding an account. */
import type { RunningEmulator } from "../../src/emulator";
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
    SORACOM_ENDPOINT: emu.url,
    SORACOM_AUTH_KEY_ID: emu.credentials.authKeyId,
    SORACOM_AUTH_KEY: emu.credentials.authKey,
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.PULUMI_CLI_DIR ? { PULUMI_CLI_DIR: process.env.PULUMI_CLI_DIR } : {}),
    ...extra,
  };
}

/** API calls per operation since the last clear, without `auth`. */
export async function apiCalls(emu: RunningEmulator): Promise<Record<string, number>> {
  const calls = { ...(await emu.control.calls()) } as Record<string, number>;
  delete calls.auth;
  return calls;
}

/** 8-hex-digit device IDs `<prefix>0000001`, ... */
export const ids = (prefix: string, count: number, from = 1): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${(from + i).toString(16).toUpperCase().padStart(7, "0")}`);

export const pacOf = (i: number): string => `AC${i.toString(16).toUpperCase().padStart(14, "0")}`;
