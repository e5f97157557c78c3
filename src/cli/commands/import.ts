/**
 * `soracom-sigfox import`: writes a fleet file declaring existing devices exactly as they are,
 * adopt-only, so that the first `pulumi up` adopts them all and changes nothing.
 *
 * Reads the account with the list API only (`ceil(A/100)` calls), never writes to it. The files are
 * checked with the fleet loader before they are written (they must load into exactly the listed
 * devices), then written atomically: an error leaves no file behind, an existing file is replaced
 * only with `--force`.
 *
 * Exit codes: 0 written, 1 failure (API, credentials, files; nothing written), 2 bad usage,
 * 3 no device selected (nothing written).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { ApiSigfoxDevice } from "../../api/schemas";
import { isSoracomApiError, SoracomClient } from "../../client";
import { displayPath, FleetDefinitionError, fleetFromDevices, loadFleetDefinition, roundTripMismatches, type FleetDevice, type FleetFile } from "../../fleet";
import {
  selectDevices,
  parseSelectionFlags,
  SELECTION_HELP,
  SELECTION_OPTIONS,
  SelectionUsageError,
  type DeviceLister,
  type DeviceSelection,
} from "../../selection";
import { parseCommandLine, type Command } from "../command";

const HELP = `Usage: soracom-sigfox import [options]

Writes a fleet file that declares existing devices exactly as they are (tags, group, termination
flag), every one adopt-only (defaults.adoptOnly: true: no PAC needed), so that the first
\`pulumi up\` adopts them all and changes nothing. Devices are sorted by ID; a tag, group or flag
held by more than half of them goes into defaults, and each device states only how it differs
(a device lacking a default tag gets "name: null"). Reads the account with the list API only and
never changes anything. Credentials and endpoint: SORACOM_AUTH_KEY_ID/SORACOM_AUTH_KEY (or
SORACOM_API_KEY/SORACOM_TOKEN), SORACOM_ENDPOINT, or the soracom-cli profile SORACOM_PROFILE.

${SELECTION_HELP}

Output:
  -o, --output FILE         the fleet file to write (default fleet.yaml)
  --devices-csv FILE        put the device list in this CSV (device_id, group_id, tag:<name>) and
                            name it in the fleet file (devicesCsv); devices a CSV row cannot hold
                            exactly stay in the fleet file
  --force                   replace existing files
  --format text|json        the summary: text on stderr (default), or JSON on stdout
  -h, --help                show this help

Exit codes: 0 written; 1 failure (API, credentials, files), nothing written; 2 bad usage (a flag,
or an existing file without --force), nothing read; 3 no device selected, nothing written.
`;

export interface ImportIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The account's device lister (default: a SoracomClient with the usual credentials from `env`). */
  lister?: DeviceLister;
}

const defaultIo = (): ImportIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
});

/** The machine-readable summary (`--format json`). */
export interface ImportSummary {
  output: string;
  devicesCsv: string | null;
  /** Devices written (selected). */
  devices: number;
  /** Devices listed (the account, or the server-side tag filter's result). */
  listed: number;
  /** Devices per group ID; `none` for devices in no group. */
  groups: Record<string, number>;
  statuses: Record<string, number>;
}

class UsageError extends Error {}

const OPTIONS = {
  ...SELECTION_OPTIONS,
  output: { type: "string", short: "o" },
  "devices-csv": { type: "string" },
  force: { type: "boolean" },
  format: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs the command; `io` is injectable for tests. */
export async function importFleet(args: string[], io: ImportIo = defaultIo()): Promise<number> {
  const usage = (message: string): number => {
    io.stderr(`soracom-sigfox import: ${message}\n\nRun \`soracom-sigfox import --help\` for the options.\n`);
    return 2;
  };
  const parsed = parseCommandLine(args, { options: OPTIONS, help: HELP }, { stdout: io.stdout, usage });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;

  let selection: DeviceSelection;
  let output: string;
  let csvFile: string | undefined;
  try {
    selection = parseSelectionFlags(values);
    const format = values.format ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`--format ${JSON.stringify(format)}: expected text or json`);
    output = path.resolve(io.cwd, fileNameFlag("--output", values.output) ?? "fleet.yaml");
    csvFile = values["devices-csv"] !== undefined ? path.resolve(io.cwd, fileNameFlag("--devices-csv", values["devices-csv"])!) : undefined;
    if (csvFile === output) throw new UsageError("--devices-csv must name another file than --output");
    for (const [flag, file] of [
      ["--output", output],
      ["--devices-csv", csvFile],
    ] as const) {
      if (file !== undefined && fs.existsSync(file) && !values.force) {
        throw new UsageError(`${flag} ${displayPath(file, io.cwd)} already exists: pass --force to replace it, or choose another ${flag}`);
      }
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof SelectionUsageError) return usage(error.message);
    throw error;
  }
  const json = values.format === "json";

  // 1. List (read only).
  const lister = io.lister ?? new SoracomClient({ env: io.env });
  const selected: ApiSigfoxDevice[] = [];
  let listed = 0;
  try {
    for await (const device of selectDevices(lister, selection, (n) => {
      listed = n;
      if (n % 1000 === 0) io.stderr(`import: listed ${n} devices...\n`);
    })) {
      selected.push(device);
    }
  } catch (error) {
    const cause = isSoracomApiError(error) ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
    io.stderr(`soracom-sigfox import: listing the devices failed: ${cause}. Nothing was written.\n`);
    return 1;
  }
  if (selected.length === 0) {
    io.stderr(`soracom-sigfox import: no device matched the selection (${listed} listed). Nothing was written.\n`);
    return 3;
  }

  const inStock = selected.filter((d) => d.status === "instock").length;
  if (inStock > 0) {
    io.stderr(
      `warning: ${inStock} selected device(s) are instock (in the operator's stock, not registered): \`pulumi up\` cannot adopt them ` +
        "without a PAC. Register them first, give them adoptOnly: false and their PAC, or leave them out with --status ready,active.\n",
    );
  }

  // 2. Build, check with the loader, write.
  const csvPath = csvFile !== undefined ? path.relative(path.dirname(output), csvFile).split(path.sep).join("/") : undefined;
  const fleet = fleetFromDevices(selected, {
    ...(csvPath !== undefined ? { devicesCsvPath: csvPath } : {}),
    header: [
      `Written by \`soracom-sigfox import\`: ${selected.length} existing devices, as they are.`,
      "Every device is adopt-only (defaults.adoptOnly: true): `pulumi up` adopts it and never registers it.",
      "To let the fleet register a device (it needs its PAC), set adoptOnly: false on it and give its PAC.",
    ],
  });
  // Temporary files beside the targets, checked, then renamed: a failure replaces and leaves nothing.
  const pending: { tmp: string; file: string }[] = [];
  try {
    const csvTmp = csvFile !== undefined ? writeTemporary(csvFile, fleet.csv ?? "", pending) : undefined;
    const problems = checkRoundTrip(fleet.yaml, output, csvTmp, selected, io);
    if (problems.length > 0) {
      discard(pending);
      io.stderr(
        `soracom-sigfox import: the fleet file would not declare the devices exactly as they are:\n${problems.map((p) => `  - ${p}\n`).join("")}Nothing was written.\n`,
      );
      return 1;
    }
    writeTemporary(output, fleet.yaml, pending);
    for (const { tmp, file } of pending) fs.renameSync(tmp, file);
  } catch (error) {
    discard(pending);
    const e = error as NodeJS.ErrnoException;
    const where = e.path !== undefined ? `${displayPath(e.path, io.cwd)}: ` : "";
    io.stderr(`soracom-sigfox import: writing failed: ${where}${e.code ?? e.message}. Nothing was written.\n`);
    return 1;
  }

  const summary = summarize(selected, listed, output, csvFile);
  if (json) {
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const where = csvFile !== undefined ? ` (${fleet.csvDevices} of them in ${displayPath(csvFile, io.cwd)})` : "";
    io.stderr(`Wrote ${displayPath(output, io.cwd)}: ${summary.devices} devices${where}, adopt-only; ${listed} listed.\n`);
    for (const [group, count] of Object.entries(summary.groups)) io.stderr(`  group ${group === "none" ? "(none)" : group}: ${count}\n`);
    io.stderr(`Next: soracom-sigfox validate-fleet ${displayPath(output, io.cwd)}, then \`pulumi up\` adopts them (no registration, no change).\n`);
  }
  return 0;
}

/** A file-name flag's value. Not `nonEmpty` (src/client/non-empty.ts): the flag was typed, so a blank value is a usage error, not "not given". */
function fileNameFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "") throw new UsageError(`${flag} needs a file name`);
  return value;
}

/**
 * The fleet file as the loader reads it (its devices CSV read from `csvTmp`), compared with the
 * listed devices. A device the format cannot hold (e.g. a tag named ".") is reported here.
 */
function checkRoundTrip(yaml: string, output: string, csvTmp: string | undefined, selected: ApiSigfoxDevice[], io: ImportIo): string[] {
  const definition = parse(yaml) as FleetFile;
  if (csvTmp !== undefined) definition.devicesCsv = csvTmp;
  const problems = loadProblems(definition, output, io);
  if (typeof problems !== "string") return roundTripMismatches(selected, problems);
  // Name the devices: each one alone, as its own fleet (only on this failure path).
  const named = selected.flatMap((device) => {
    const alone = loadProblems(fleetFromDevices([device]).definition, output, io);
    return typeof alone === "string" ? [`device ${device.device_id}: ${alone}`] : [];
  });
  return named.length > 0 ? named : [problems];
}

/** The loaded devices, or the loader's problems as one line. */
function loadProblems(definition: FleetFile, output: string, io: ImportIo): FleetDevice[] | string {
  try {
    return loadFleetDefinition(definition, { baseDir: path.dirname(output), cwd: io.cwd, env: {} }).devices;
  } catch (error) {
    if (error instanceof FleetDefinitionError) return error.issues.map((i) => i.message).join(" ");
    throw error;
  }
}

/** Writes `text` to a temporary file beside `file` (renamed later), recorded in `pending`. */
function writeTemporary(file: string, text: string, pending: { tmp: string; file: string }[]): string {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  pending.push({ tmp, file });
  fs.writeFileSync(tmp, text, "utf8");
  return tmp;
}

function discard(pending: { tmp: string }[]): void {
  for (const { tmp } of pending) fs.rmSync(tmp, { force: true });
}

function summarize(devices: ApiSigfoxDevice[], listed: number, output: string, csvFile: string | undefined): ImportSummary {
  const groups: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  for (const d of devices) {
    const g = d.groupId ? d.groupId : "none";
    groups[g] = (groups[g] ?? 0) + 1;
    const s = d.status ?? "unknown";
    statuses[s] = (statuses[s] ?? 0) + 1;
  }
  return { output, devicesCsv: csvFile ?? null, devices: devices.length, listed, groups, statuses };
}

export const importCommand: Command = {
  name: "import",
  summary: "write a fleet file declaring existing devices as they are (adopt-only), read with the list API",
  run: (args) => importFleet(args),
};
