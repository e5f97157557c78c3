/** One entry of the command table in ./main.ts. */
export interface Command {
  name: string;
  /** One line for `soracom-sigfox --help`. */
  summary: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}
