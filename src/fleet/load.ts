/**
 * `loadFleetDefinition`: a fleet file (or object) in, the resolved list of devices out — plain
 * data, with each device's PAC and where it came from. No Pulumi here, so it is cheap to test and
 * can run before any resource is registered.
 *
 * Every problem is collected before anything is thrown: format errors from the schema, then the
 * checks that span fields and files (CSV files, duplicate devices, PAC sources). One
 * `FleetDefinitionError` carries them all.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { TOO_MANY_TAGS_MESSAGE, withinTagCount } from "../api/values";
import { declaredDevices, eachDeviceOnce, originLocation, type Candidate, type DeviceOrigin } from "./candidates";
import { parseDeviceCsv, type CsvDeviceRow, type CsvKind } from "./csv";
import { deviceResourceName } from "./device-id";
import { FleetDefinitionError, type FleetIssue } from "./issues";
import { describeZodIssue, formatFieldPath } from "./messages";
import { displayPath, expandEnvInPath, resolveUserPath } from "./paths";
import {
  givesPac,
  pacEnvName,
  pacRowsByDevice,
  readPacsObject,
  resolvePac,
  type Pac,
  type PacConfig,
  type PacContext,
  type PacEnv,
  type PacSource,
} from "./pac";
import { FleetFileSchema, type FleetFile } from "./schema";
import { isRecord, issueAt, readFleetSource, type FieldPath, type FleetSource } from "./source";

export interface LoadFleetOptions {
  /** Environment for `SORACOM_PAC_<id>`, `pacFrom.env` and `~` (HOME). Default: `process.env`. */
  env?: PacEnv;
  /** Pulumi config of the project namespace, for `pacs` / `pac-<id>` / `pacFrom.config`. Default: none. */
  config?: PacConfig;
  /** Folder that relative paths of an object definition are resolved against. Default: the working directory. */
  baseDir?: string;
  /** Working directory, for relative fleet file paths and for paths in messages. Default: `process.cwd()`. */
  cwd?: string;
  /**
   * A device with no PAC at all: `"error"` (default; deploying needs every PAC) or `"warning"`: the
   * device is left out of `devices` and reported in `warnings` (to check a file where the PACs are
   * not available, e.g. in CI before the secrets are).
   */
  missingPacs?: "error" | "warning";
}

/** One device of a loaded fleet, with defaults applied: with a PAC, or adopt-only (no PAC). */
export type FleetDevice = FleetDeviceSettings & (FleetDeviceWithPac | AdoptOnlyFleetDevice);

/** A device that is registered with its PAC if it is not registered yet (or adopted if it is). */
export interface FleetDeviceWithPac {
  adoptOnly: false;
  pac: Pac;
  pacSource: PacSource;
}

/**
 * A device declared `adoptOnly`: no PAC is looked up. `pulumi up` adopts it if it is registered to
 * the operator and fails (creating nothing) otherwise; the fleet never registers it.
 */
export interface AdoptOnlyFleetDevice {
  adoptOnly: true;
  pac?: undefined;
  pacSource?: undefined;
}

export interface FleetDeviceSettings {
  /** The device ID exactly as written (sent to the API as is). */
  deviceId: string;
  /** Its Pulumi resource name: the canonical device ID (see `deviceResourceName`). */
  resourceName: string;
  tags: Record<string, string>;
  /** Absent: the device belongs to no group. */
  groupId?: string;
  /** Absent: the provider's default (Soracom's default is protected, `false`). */
  terminationEnabled?: boolean;
  deleteImmediately?: boolean;
  /** Sent with the registration only. */
  productCertificationId?: string;
  declaredAt: DeviceOrigin;
}

export interface LoadedFleet {
  /** The fleet file (absolute), or undefined for an object definition. */
  file?: string;
  /** CSV files read (absolute). */
  csvFiles: string[];
  /** Devices in file order: the `devices` list first, then `devicesCsv` rows. */
  devices: FleetDevice[];
  /** Allowed but discouraged things (a PAC written in the fleet file). */
  warnings: FleetIssue[];
  /** How many of `devices` are adopt-only (no PAC: they can only be adopted, never registered). */
  adoptOnlyCount: number;
  /** With `missingPacs: "warning"`: the devices left out of `devices` for want of a PAC, in file order. */
  devicesWithoutPac: string[];
}

/**
 * Loads, validates and resolves a fleet definition. The phases run in order, each adding the
 * problems it finds to `issues`; the fleet is returned only when there are none.
 *
 * @param source path of a `.yaml`/`.yml`/`.json` fleet file, or the definition as an object.
 * @throws FleetDefinitionError listing every problem found.
 */
export function loadFleetDefinition(source: string | FleetFile, options: LoadFleetOptions = {}): LoadedFleet {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = env.HOME ?? os.homedir();
  const issues: FleetIssue[] = [];

  const fleetSource = readFleetSource(source, { cwd, home, baseDir: options.baseDir });
  const raw = checkFormat(fleetSource, issues);
  const csv = readCsvFiles(raw, fleetSource, { env, home, cwd }, issues);
  const candidates = eachDeviceOnce(declaredDevices(fleetSource, raw.devices, csv.deviceRows), fleetSource, cwd, issues);
  const pacRowByCanonical = pacRowsByDevice(csv.pacRows, cwd, issues);
  const pacsObject = readPacsObject(options.config, issues);
  const defaults = isRecord(raw.defaults) ? raw.defaults : {};
  const resolved = resolveDevices(candidates, defaults, { env, config: options.config, pacsObject, pacRowByCanonical, cwd }, options.missingPacs, issues);

  if (issues.length > 0) throw new FleetDefinitionError(fleetSource.file, issues, cwd);
  return {
    ...(fleetSource.file !== undefined ? { file: fleetSource.file } : {}),
    csvFiles: csv.csvFiles,
    ...resolved,
    adoptOnlyCount: resolved.devices.filter((d) => d.adoptOnly).length,
  };
}

/** Checks the definition against the schema; returns its top-level mapping (empty when it is not one). */
function checkFormat(source: FleetSource, issues: FleetIssue[]): Record<string, unknown> {
  const { data } = source;
  const parsed = FleetFileSchema.safeParse(data);
  if (!parsed.success) {
    for (const zodIssue of parsed.error.issues) issues.push(...describeZodIssue(zodIssue, data, source.locator, source.file));
  }
  if (!isRecord(data)) return {};
  if (data.devices === undefined && data.devicesCsv === undefined) {
    issues.push({
      ...issueAt(source, []),
      field: "devices",
      message: "the fleet lists no devices: neither devices nor devicesCsv is given.",
      fix: "add devices: with one entry per device, or devicesCsv: <file>. To manage no devices at all, write devices: [] explicitly.",
    });
  }
  return data;
}

interface CsvFilesRead {
  /** Every CSV file read (absolute). */
  csvFiles: string[];
  deviceRows: CsvDeviceRow[];
  pacRows: CsvDeviceRow[];
}

/** Reads the `devicesCsv` files, then the `pacsCsv` files; reports unset variables, unreadable files and bad rows. */
function readCsvFiles(
  raw: Record<string, unknown>,
  source: FleetSource,
  paths: { env: PacEnv; home: string; cwd: string },
  issues: FleetIssue[],
): CsvFilesRead {
  const csvFiles: string[] = [];
  const readCsvs = (key: "devicesCsv" | "pacsCsv", kind: CsvKind): CsvDeviceRow[] => {
    const rows: CsvDeviceRow[] = [];
    for (const [p, fieldPath] of csvPathsOf(raw[key], key)) {
      const expanded = expandEnvInPath(p, paths.env);
      if (expanded.unset.length > 0 || expanded.path === "") {
        issues.push({
          ...issueAt(source, fieldPath),
          field: formatFieldPath(fieldPath),
          message:
            expanded.unset.length > 0
              ? `the path uses the environment variable ${expanded.unset.join(", ")}, which is not set.`
              : "the path is empty once environment variables are replaced.",
          fix: `set it before running Pulumi, or give a default: \${${expanded.unset[0] ?? "NAME"}:-default.csv}.`,
        });
        continue;
      }
      const csvFile = resolveUserPath(expanded.path, source.baseDir, paths.home);
      let text: string;
      try {
        text = fs.readFileSync(csvFile, "utf8");
      } catch (error) {
        issues.push({
          ...issueAt(source, fieldPath),
          field: formatFieldPath(fieldPath),
          message: `cannot read ${displayPath(csvFile, paths.cwd)} (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
          fix: "check the path: it is relative to the fleet file's folder, and ~ is your home directory.",
        });
        continue;
      }
      csvFiles.push(csvFile);
      const result = parseDeviceCsv(text, csvFile, kind);
      issues.push(...result.issues);
      rows.push(...result.rows);
    }
    return rows;
  };
  const deviceRows = readCsvs("devicesCsv", "devices");
  const pacRows = readCsvs("pacsCsv", "pacs");
  return { csvFiles, deviceRows, pacRows };
}

/** The paths a `devicesCsv`/`pacsCsv` value names (one path or a list), each with its field path; malformed ones are the schema's. */
function csvPathsOf(value: unknown, key: "devicesCsv" | "pacsCsv"): [string, FieldPath][] {
  if (typeof value === "string" && value !== "") return [[value, [key]]];
  if (!Array.isArray(value)) return [];
  return value.flatMap((v, i): [string, FieldPath][] => (typeof v === "string" && v !== "" ? [[v, [key, i]]] : []));
}

type ResolvedDevices = Pick<LoadedFleet, "devices" | "warnings" | "devicesWithoutPac">;

/** Each device with the defaults merged in and its PAC looked up (none for adopt-only devices). */
function resolveDevices(
  candidates: readonly Candidate[],
  defaults: Record<string, unknown>,
  pacSources: Omit<PacContext, "missingPacTarget">,
  missingPacs: LoadFleetOptions["missingPacs"],
  issues: FleetIssue[],
): ResolvedDevices {
  const devices: FleetDevice[] = [];
  const warnings: FleetIssue[] = [];
  const devicesWithoutPac: string[] = [];
  const pacs: PacContext = { ...pacSources, missingPacTarget: missingPacs === "warning" ? warnings : issues };
  for (const candidate of candidates) {
    const adoptOnly = (candidate.entry?.adoptOnly ?? defaults.adoptOnly) === true;
    const settings = mergeSettings(defaults, candidate);
    if (!withinTagCount(settings.tags)) {
      issues.push({
        ...originLocation(candidate.origin),
        field: `${candidate.origin.field}.tags`,
        message: `device ${candidate.deviceId} has ${Object.keys(settings.tags).length} tags with the defaults merged in; ${TOO_MANY_TAGS_MESSAGE}.`,
        fix: "remove tags from the device, its CSV row or the defaults.",
      });
    }
    const declared = { deviceId: candidate.deviceId, resourceName: deviceResourceName(candidate.deviceId), ...settings };
    if (adoptOnly) {
      if (!givesPac(candidate, issues)) devices.push({ ...declared, adoptOnly: true, declaredAt: candidate.origin });
      continue;
    }
    const warningsBefore = warnings.length;
    const pac = resolvePac(candidate, pacs, issues);
    if (pac === undefined) {
      if (warnings.length > warningsBefore) devicesWithoutPac.push(candidate.deviceId);
      continue;
    }
    if (pac.source.kind === "inline") warnings.push(inlinePacWarning(candidate));
    devices.push({ ...declared, adoptOnly: false, pac: pac.pac, pacSource: pac.source, declaredAt: candidate.origin });
  }
  return { devices, warnings, devicesWithoutPac };
}

function inlinePacWarning(candidate: Candidate): FleetIssue {
  return {
    ...originLocation(candidate.origin),
    field: `${candidate.origin.field}.pac`,
    message: `the PAC of device ${candidate.deviceId} is written in the fleet file.`,
    fix: `move it out of files you commit: a pacsCsv file kept outside the repository, \`pulumi config set --secret pac-${candidate.deviceId} <PAC>\`, or ${pacEnvName(candidate.deviceId)}.`,
  };
}

/** A device's tags, group and flags: its entry over its devicesCsv row over `defaults` (a `null` tag removes a default). */
function mergeSettings(
  defaults: Record<string, unknown>,
  candidate: Candidate,
): Pick<FleetDeviceSettings, "tags" | "groupId" | "terminationEnabled" | "deleteImmediately" | "productCertificationId"> {
  const entry = candidate.entry ?? {};
  const tags: Record<string, string> = {};
  const layers = [defaults.tags, candidate.row?.tags, entry.tags];
  for (const layer of layers) {
    if (!isRecord(layer)) continue;
    for (const [name, value] of Object.entries(layer)) {
      if (value === null) delete tags[name];
      else if (typeof value === "string") tags[name] = value;
    }
  }
  const groupId = entry.groupId !== undefined ? entry.groupId : (candidate.row?.groupId ?? defaults.groupId);
  const flag = (key: string): boolean | undefined => {
    const value = entry[key] ?? defaults[key];
    return typeof value === "boolean" ? value : undefined;
  };
  const terminationEnabled = flag("terminationEnabled");
  const deleteImmediately = flag("deleteImmediately");
  const productCertificationId = entry.productCertificationId ?? defaults.productCertificationId;
  return {
    tags,
    ...(typeof groupId === "string" ? { groupId } : {}),
    ...(terminationEnabled !== undefined ? { terminationEnabled } : {}),
    ...(deleteImmediately !== undefined ? { deleteImmediately } : {}),
    ...(typeof productCertificationId === "string" ? { productCertificationId } : {}),
  };
}
