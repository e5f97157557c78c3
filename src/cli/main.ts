/**
 * `soracom-sigfox`: the project's command line. Commands live in a table so new ones (fleet
 * validation, import, ...) are one entry each; every command parses its own flags.
 */
import { emulatorCommand } from "./commands/emulator";
import { importCommand } from "./commands/import";
import { validateFleetCommand } from "./commands/validate-fleet";
import type { Command } from "./command";

const COMMANDS: Command[] = [emulatorCommand, validateFleetCommand, importCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "Usage: soracom-sigfox <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `soracom-sigfox <command> --help` for a command's options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage() + "\n");
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${(require("../../package.json") as { version: string }).version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`soracom-sigfox: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  return command.run(rest);
}

// Run when executed directly or through the `bin/soracom-sigfox.js` shim (which only requires this file);
// not when a test imports `main`. Module filenames are real paths, so npm's .bin symlink resolves too.
if (require.main === module || /[\\/]bin[\\/]soracom-sigfox\.js$/.test(require.main?.filename ?? "")) {
  main(process.argv.slice(2)).then(
    (code) => {
      // Long-running commands (the emulator) resolve only when they are done; exit with their code.
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`soracom-sigfox: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
