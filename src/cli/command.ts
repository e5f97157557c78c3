import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** One entry of the command table in ./main.ts. */
export interface Command {
  name: string;
  /** One line for `soracom-sigfox --help`. */
  summary: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** What a command reads and writes, injectable for tests. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The process's own streams, environment and working directory. */
export function processIo(): CommandIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** What `parseCommandLine` gives back: parseArgs' own result for these options. */
export type CommandLine<O extends ParseArgsOptionsConfig, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; strict: true; allowPositionals: P; options: O }>
>;

/**
 * Parses a command's arguments (strict: an unknown flag is an error). Returns an exit code instead
 * when there is nothing more to do: 0 after printing `help` for `--help`, else what `usage` returns
 * for the parse error (each command words its usage errors and returns 2).
 */
export function parseCommandLine<O extends ParseArgsOptionsConfig, P extends boolean = false>(
  args: string[],
  command: { options: O; allowPositionals?: P; help: string },
  io: { stdout: (text: string) => unknown; usage: (message: string) => number },
): CommandLine<O, P> | number {
  let parsed: CommandLine<O, P>;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: command.allowPositionals ?? false, options: command.options }) as CommandLine<O, P>;
  } catch (error) {
    return io.usage((error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    io.stdout(command.help);
    return 0;
  }
  return parsed;
}
