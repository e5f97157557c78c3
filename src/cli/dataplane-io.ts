/**
 * What `data export` and `downlink send` share at the command-line edge: the injectable io, the
 * client they build (the usual credential and endpoint resolution), and turning the target flags into
 * device IDs with errors worded for a terminal.
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { parseCommandLine, type Command, type CommandLine } from "./command";
import { closeSharedDispatchers, isSoracomApiError, SoracomClient } from "../client";
import { resolveTargets, TargetFleetError, type DeviceTargets } from "../dataplane/targets";

export interface DataplaneIo {
  /** May return a promise settled once the stream drained (a slow consumer on a pipe). */
  stdout: (text: string) => void | Promise<void>;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (live progress). */
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Fires on Ctrl-C: in-flight work stops, what is done is kept. */
  signal?: AbortSignal;
  /** UNIX ms, for relative windows. */
  now: () => number;
}

export function processIo(signal?: AbortSignal): DataplaneIo {
  return {
    stdout: (t) => (process.stdout.write(t) ? undefined : new Promise<void>((resolve) => process.stdout.once("drain", resolve))),
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    ...(signal ? { signal } : {}),
    now: Date.now,
  };
}

/** Prints a usage error (naming the flag and the fix) and gives exit code 2. */
export function usageError(io: DataplaneIo, command: string, message: string): 2 {
  io.stderr(`${command}: ${message}\n\nRun \`${command} --help\` for the options.\n`);
  return 2;
}

/**
 * Parses a command's flags. Returns an exit code instead when there is nothing more to do: 0 after
 * printing `help` for `--help`, 2 after a usage error.
 */
export function parseCommandFlags<O extends ParseArgsOptionsConfig>(
  command: string,
  help: string,
  options: O,
  args: string[],
  io: DataplaneIo,
): CommandLine<O, false>["values"] | number {
  const parsed = parseCommandLine(args, { options, help }, { stdout: io.stdout, usage: (message) => usageError(io, command, message) });
  return typeof parsed === "number" ? parsed : parsed.values;
}

/** A bad flag value: the message names the flag and the fix. Exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const MAX_CONCURRENCY = 64;

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} ${JSON.stringify(value)}: expected one of ${allowed.join(", ")}`);
  return value as T;
}

export function parseConcurrency(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY)
    throw new UsageError(`--concurrency ${JSON.stringify(value)}: expected a whole number from 1 to ${MAX_CONCURRENCY}`);
  return n;
}

/** Flags every data-plane command takes besides the targets. */
export const CLIENT_OPTIONS = { profile: { type: "string" } } as const;
export const CLIENT_HELP = `Credentials and endpoint: as every Soracom tool (SORACOM_AUTH_KEY_ID/SORACOM_AUTH_KEY,
SORACOM_ENDPOINT, soracom-cli profiles in ~/.soracom); --profile NAME picks a profile.`;

export function clientFor(io: DataplaneIo, profile: string | undefined): SoracomClient {
  return new SoracomClient({ env: io.env, ...(profile !== undefined ? { profile } : {}) });
}

/**
 * Runs a command's body with SIGINT wired to an AbortSignal, and closes the client's keep-alive
 * connections afterwards so the process exits as soon as the work is done.
 */
export async function runInProcess(body: (io: DataplaneIo) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once("SIGINT", onInterrupt);
  try {
    return await body(processIo(controller.signal));
  } finally {
    process.off("SIGINT", onInterrupt);
    await closeSharedDispatchers();
  }
}

/**
 * A command with one subcommand (`data export`, `downlink send`), run in this process with SIGINT
 * wired to its io's signal.
 */
export function singleSubcommand(name: string, sub: string, summary: string, body: (args: string[], io: DataplaneIo) => Promise<number>): Command {
  return {
    name,
    summary,
    async run(args) {
      const [given, ...rest] = args;
      if (given === sub) return runInProcess((io) => body(rest, io));
      const usage = `Usage: soracom-sigfox ${name} ${sub} [options]   (run \`soracom-sigfox ${name} ${sub} --help\`)\n`;
      if (given === "--help" || given === "-h") {
        process.stdout.write(usage);
        return 0;
      }
      process.stderr.write(given === undefined ? usage : `soracom-sigfox ${name}: unknown subcommand "${given}"\n${usage}`);
      return 2;
    },
  };
}

/** The target device IDs, or an exit code after printing why they could not be found. */
export async function targetDeviceIds(command: string, targets: DeviceTargets, client: SoracomClient, io: DataplaneIo): Promise<string[] | number> {
  try {
    return await resolveTargets(targets, client, { cwd: io.cwd, env: io.env });
  } catch (error) {
    if (error instanceof TargetFleetError) {
      io.stderr(`${command}: ${error.message}\n`);
      return 2;
    }
    io.stderr(`${command}: listing the account's devices failed: ${describeError(error)}\n`);
    return 1;
  }
}

/** One line for an error; the client's messages are already redacted. */
export function describeError(error: unknown): string {
  if (isSoracomApiError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
