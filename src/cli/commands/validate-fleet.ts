/**
 * `soracom-sigfox validate-fleet [file]`: checks a fleet file (and its CSV files) without Pulumi,
 * credentials or network, and prints the devices it resolves to. For CI before `pulumi preview`,
 * and for editing a fleet by hand. PACs are never printed, only where each comes from.
 *
 * Exit codes: 0 valid, 1 invalid (every problem on stderr), 2 bad usage.
 */
import { parseCommandLine, processIo, type Command, type CommandIo } from "../command";
import { formatIssue, FleetDefinitionError, loadFleetDefinition, type LoadedFleet } from "../../fleet";

const HELP = `Usage: soracom-sigfox validate-fleet [file] [options]

Checks a fleet definition (YAML or JSON, default ./fleet.yaml) and its CSV files, and lists the
devices it declares with their merged settings and the source of each PAC (never the PAC).
PACs are looked up in the CSV files and the environment (SORACOM_PAC_<deviceId>, pacFrom.env);
Pulumi config is not visible here. Devices declared adoptOnly need no PAC: they are counted, and
can only be adopted (they must already be registered to the operator), never registered.

Options:
  --allow-missing-pacs  a device without a PAC is a warning, not an error (PACs kept in
                        Pulumi secret config, or not yet available)
  --json                print the resolved devices as JSON
  -h, --help            show this help
`;

export type ValidateIo = CommandIo;

const OPTIONS = {
  "allow-missing-pacs": { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs the command; `io` is injectable for tests. */
export async function validateFleet(args: string[], io: ValidateIo = processIo()): Promise<number> {
  const usage = (message: string): number => {
    io.stderr(`soracom-sigfox validate-fleet: ${message}\n\n${HELP}`);
    return 2;
  };
  const parsed = parseCommandLine(args, { options: OPTIONS, allowPositionals: true, help: HELP }, { stdout: io.stdout, usage });
  if (typeof parsed === "number") return parsed;
  if (parsed.positionals.length > 1) return usage("one fleet file at most");
  const file = parsed.positionals[0] ?? "fleet.yaml";

  let fleet: LoadedFleet;
  try {
    fleet = loadFleetDefinition(file, {
      env: io.env,
      cwd: io.cwd,
      missingPacs: parsed.values["allow-missing-pacs"] ? "warning" : "error",
    });
  } catch (error) {
    if (error instanceof FleetDefinitionError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  for (const warning of fleet.warnings) io.stderr(`warning: ${formatIssue(warning, io.cwd)}\n`);
  if (parsed.values.json) {
    io.stdout(`${JSON.stringify(fleet.devices, null, 2)}\n`);
    return 0;
  }
  const count = fleet.devices.length === 1 ? "1 device" : `${fleet.devices.length} devices`;
  const skipped = fleet.devicesWithoutPac;
  // Devices without a PAC here are not listed (their PAC may be in Pulumi config): say so, with their IDs.
  const without = skipped.length > 0 ? ` (and ${skipped.length} without a PAC here, not listed: ${skipped.join(", ")})` : "";
  io.stdout(`${file}: valid, ${count}${without}\n`);
  if (fleet.adoptOnlyCount > 0) {
    const them = fleet.adoptOnlyCount === 1 ? "1 device is" : `${fleet.adoptOnlyCount} devices are`;
    io.stdout(`${them} adopt-only (no PAC): they can only be adopted (already registered to the operator), never registered\n`);
  }
  for (const d of fleet.devices) {
    const tags =
      Object.entries(d.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(",") || "-";
    const flags = [d.terminationEnabled === true ? "terminationEnabled" : "protected", ...(d.deleteImmediately === true ? ["deleteImmediately"] : [])].join(
      ",",
    );
    io.stdout(
      `  ${d.deviceId.padEnd(8)}  group=${d.groupId ?? "-"}  tags=${tags}  ${flags}  ${d.adoptOnly ? "adopt-only (no PAC)" : `PAC from ${d.pacSource.where}`}\n`,
    );
  }
  return 0;
}

export const validateFleetCommand: Command = {
  name: "validate-fleet",
  summary: "check a fleet file and its CSV files offline, and list the devices it declares",
  run: (args) => validateFleet(args),
};
