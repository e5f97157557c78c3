/** `soracom-sigfox emulator`: runs the Soracom Sigfox API emulator until SIGINT/SIGTERM. */
import { startEmulator, type EmulatorOptions } from "../../emulator";
import { parseCommandLine, type Command } from "../command";

const HELP = `Usage: soracom-sigfox emulator [options]

Runs an emulator of the Soracom Air for Sigfox API (under /v1) with a control plane (under /_emulator).

Options:
  --port N           port to listen on (default 0: a random free port)
  --host HOST        address to listen on (default 127.0.0.1)
  --state-file FILE  persist every change to FILE (atomically) and reload it at start (default: memory only)
  --seed FILE        seed operators, groups and devices from a YAML or JSON file
  --rate-limit N     enforce N requests per minute per operator and operation (default: off)
  -h, --help         show this help
`;

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  "state-file": { type: "string" },
  seed: { type: "string" },
  "rate-limit": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function fail(message: string): number {
  process.stderr.write(`soracom-sigfox emulator: ${message}\n\n${HELP}`);
  return 2;
}

export const emulatorCommand: Command = {
  name: "emulator",
  summary: "run the Soracom Sigfox API emulator (for tests, demos and `pulumi up` without an account)",
  async run(args) {
    const parsed = parseCommandLine(args, { options: OPTIONS, help: HELP }, { stdout: (text) => process.stdout.write(text), usage: fail });
    if (typeof parsed === "number") return parsed;
    const { values } = parsed;
    const options: EmulatorOptions = {};
    if (values.port !== undefined) {
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be 0..65535, got "${values.port}"`);
      options.port = port;
    }
    if (values.host !== undefined) options.host = values.host;
    if (values["state-file"] !== undefined) options.stateFile = values["state-file"];
    if (values.seed !== undefined) options.seed = values.seed;
    if (values["rate-limit"] !== undefined) {
      const limit = Number(values["rate-limit"]);
      if (!Number.isInteger(limit) || limit < 1) return fail(`--rate-limit must be a positive integer, got "${values["rate-limit"]}"`);
      options.rateLimits = { enabled: true, limitPerMinute: limit };
    }

    const emu = await startEmulator(options);
    const { authKeyId, authKey, operatorId } = emu.credentials;
    process.stdout.write(
      [
        `Soracom Sigfox API emulator listening on ${emu.url} (API: ${emu.url}/v1, control plane: ${emu.url}/_emulator)`,
        `Default operator ${operatorId}; state ${options.stateFile ? `persisted in ${options.stateFile}` : "in memory"}; rate limits ${options.rateLimits ? `${options.rateLimits.limitPerMinute}/min` : "off"}.`,
        ...(options.seed !== undefined && !emu.seedApplied ? [`Seed ${String(options.seed)} not applied: the state file already exists.`] : []),
        "Point the client or `pulumi up` at it:",
        `  export SORACOM_ENDPOINT=${emu.url} SORACOM_AUTH_KEY_ID=${authKeyId} SORACOM_AUTH_KEY=${authKey}`,
        "Press Ctrl+C to stop.",
        "",
      ].join("\n"),
    );

    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`received ${signal}, shutting down\n`);
        // Every change is already on disk (commits are synchronous), so closing the server is all there is.
        emu.close().then(
          () => resolve(0),
          () => resolve(1),
        );
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
};
