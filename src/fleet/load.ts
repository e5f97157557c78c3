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
import * as path from "node:path";
import { PAC_PATTERN } from "../api/formats";
import { TOO_MANY_TAGS_MESSAGE, withinTagCount } from "../api/values";
import { parseDeviceCsv, type CsvDeviceRow, type CsvKind } from "./csv";
import { canonicalDeviceId, deviceResourceName, isDeviceId } from "./device-id";
import { displayPath, FleetDefinitionError, type FleetIssue } from "./issues";
import { describeZodIssue, formatFieldPath } from "./messages";
import {
  deviceIdSpellings,
  Pac,
  pacConfigKey,
  pacEnvName,
  PACS_CONFIG_KEY,
  readConfig,
  type PacConfig,
  type PacEnv,
  type PacSource,
} from "./pac";
import { ENV_VAR_NAME_PATTERN, FleetFileSchema, type FleetFile } from "./schema";
import { NO_LOCATIONS, parseFleetText, type FieldPath, type Locator } from "./source";

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

/** Where a device was declared. */
export interface DeviceOrigin {
  /** The fleet file or CSV file (absolute); absent for an object definition. */
  file?: string;
  line?: number;
  /** `devices[2]` for a device of the fleet file; `row` for a CSV row. */
  field: string;
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

/** A device before its PAC is resolved. */
interface Candidate {
  deviceId: string;
  canonical: string;
  origin: DeviceOrigin;
  /** Path in the fleet file, for a `devices` entry. */
  path?: FieldPath;
  entry?: Record<string, unknown>;
  row?: CsvDeviceRow;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Expands `${NAME}` and `${NAME:-default}` in a CSV path from the environment, so one fleet file
 * can point at a sample CSV by default and at a file outside the repository in real use
 * (`pacsCsv: ${SORACOM_PACS_CSV:-sample-pacs.csv}`). Returns the unset variables without defaults.
 */
export function expandEnvInPath(p: string, env: PacEnv): { path: string; unset: string[] } {
  const unset: string[] = [];
  const expanded = p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    unset.push(name);
    return "";
  });
  return { path: expanded, unset };
}

/** Expands `~` and resolves `p` against `baseDir`. */
export function resolveUserPath(p: string, baseDir: string, home: string): string {
  if (p === "~") return home;
  if (p.startsWith("~/") || p.startsWith("~\\")) return path.join(home, p.slice(2));
  return path.resolve(baseDir, p);
}

/**
 * Loads, validates and resolves a fleet definition.
 *
 * @param source path of a `.yaml`/`.yml`/`.json` fleet file, or the definition as an object.
 * @throws FleetDefinitionError listing every problem found.
 */
export function loadFleetDefinition(source: string | FleetFile, options: LoadFleetOptions = {}): LoadedFleet {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = env["HOME"] ?? os.homedir();

  let file: string | undefined;
  let data: unknown;
  let locator: Locator = NO_LOCATIONS;
  let baseDir: string;
  if (typeof source === "string") {
    file = resolveUserPath(source, cwd, home);
    baseDir = path.dirname(file);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new FleetDefinitionError(
        file,
        [
          {
            file,
            message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
            fix: "check the path of the fleet file (config fleet:file or SORACOM_FLEET_FILE when using the default program).",
          },
        ],
        cwd,
      );
    }
    const parsed = parseFleetText(text, file);
    if (parsed.issues.length > 0) throw new FleetDefinitionError(file, parsed.issues, cwd);
    data = parsed.data;
    locator = parsed.locator;
  } else {
    data = source;
    baseDir = path.resolve(cwd, options.baseDir ?? ".");
  }

  const issues: FleetIssue[] = [];
  const where = (p: FieldPath): Pick<FleetIssue, "file" | "line" | "column"> => {
    const position = locator.value(p);
    return { ...(file !== undefined ? { file } : {}), ...(position ?? {}) };
  };

  // 1. The format.
  const parsed = FleetFileSchema.safeParse(data);
  if (!parsed.success) {
    for (const zodIssue of parsed.error.issues) issues.push(...describeZodIssue(zodIssue, data, locator, file));
  }
  const raw = isRecord(data) ? data : {};
  if (isRecord(data) && data["devices"] === undefined && data["devicesCsv"] === undefined) {
    issues.push({
      ...where([]),
      field: "devices",
      message: "the fleet lists no devices: neither devices nor devicesCsv is given.",
      fix: "add devices: with one entry per device, or devicesCsv: <file>. To manage no devices at all, write devices: [] explicitly.",
    });
  }

  // 2. CSV files.
  const csvFiles: string[] = [];
  const readCsvs = (key: "devicesCsv" | "pacsCsv", kind: CsvKind): CsvDeviceRow[] => {
    const value = raw[key];
    const entries: [string, FieldPath][] =
      typeof value === "string" && value !== ""
        ? [[value, [key]]]
        : Array.isArray(value)
          ? value.flatMap((v, i): [string, FieldPath][] => (typeof v === "string" && v !== "" ? [[v, [key, i]]] : []))
          : [];
    const rows: CsvDeviceRow[] = [];
    for (const [p, fieldPath] of entries) {
      const expanded = expandEnvInPath(p, env);
      if (expanded.unset.length > 0 || expanded.path === "") {
        issues.push({
          ...where(fieldPath),
          field: formatFieldPath(fieldPath),
          message:
            expanded.unset.length > 0
              ? `the path uses the environment variable ${expanded.unset.join(", ")}, which is not set.`
              : "the path is empty once environment variables are replaced.",
          fix: `set it before running Pulumi, or give a default: \${${expanded.unset[0] ?? "NAME"}:-default.csv}.`,
        });
        continue;
      }
      const csvFile = resolveUserPath(expanded.path, baseDir, home);
      let text: string;
      try {
        text = fs.readFileSync(csvFile, "utf8");
      } catch (error) {
        issues.push({
          ...where(fieldPath),
          field: formatFieldPath(fieldPath),
          message: `cannot read ${displayPath(csvFile, cwd)} (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
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

  // 3. The devices, each once.
  const candidates: Candidate[] = [];
  const rawDevices = Array.isArray(raw["devices"]) ? raw["devices"] : [];
  rawDevices.forEach((entry, index) => {
    if (!isRecord(entry) || !isDeviceId(entry["deviceId"])) return; // reported by the schema
    const entryPath: FieldPath = ["devices", index];
    const position = locator.value(entryPath);
    candidates.push({
      deviceId: entry["deviceId"],
      canonical: canonicalDeviceId(entry["deviceId"]),
      origin: { ...(file !== undefined ? { file } : {}), ...(position ? { line: position.line } : {}), field: formatFieldPath(entryPath) },
      path: entryPath,
      entry,
    });
  });
  for (const row of deviceRows) {
    candidates.push({
      deviceId: row.deviceId,
      canonical: canonicalDeviceId(row.deviceId),
      origin: { file: row.file, line: row.line, field: "row" },
      row,
    });
  }
  const firstByCanonical = new Map<string, Candidate>();
  const unique: Candidate[] = [];
  for (const candidate of candidates) {
    const first = firstByCanonical.get(candidate.canonical);
    if (first === undefined) {
      firstByCanonical.set(candidate.canonical, candidate);
      unique.push(candidate);
      continue;
    }
    const firstAt = describeOrigin(first.origin, cwd);
    const same = first.deviceId === candidate.deviceId ? "" : ` (as ${first.deviceId})`;
    issues.push({
      ...(candidate.path !== undefined ? where([...candidate.path, "deviceId"]) : originLocation(candidate.origin)),
      field: candidate.path !== undefined ? `${formatFieldPath(candidate.path)}.deviceId` : "column device_id",
      message: `device ${candidate.deviceId} is listed more than once: already at ${firstAt}${same}.`,
      fix:
        first.row === undefined && candidate.row === undefined
          ? "list each device once: merge the two entries."
          : "list each device once, either in devices or in a devicesCsv file, not both (a CSV can supply only PACs through pacsCsv).",
    });
  }

  // 4. PAC look-up tables: pacsCsv rows and the `pacs` config object.
  const pacRowByCanonical = new Map<string, CsvDeviceRow>();
  for (const row of pacRows) {
    const canonical = canonicalDeviceId(row.deviceId);
    const first = pacRowByCanonical.get(canonical);
    if (first !== undefined) {
      issues.push({
        file: row.file,
        line: row.line,
        field: "column device_id",
        message: `device ${row.deviceId} has more than one PAC row: already at ${describeOrigin({ file: first.file, line: first.line, field: "row" }, cwd)}.`,
        fix: "keep one row per device.",
      });
      continue;
    }
    pacRowByCanonical.set(canonical, row);
  }
  const pacsObject = readPacsObject(options.config, issues);

  // 5. Each device, resolved.
  const devices: FleetDevice[] = [];
  const warnings: FleetIssue[] = [];
  const devicesWithoutPac: string[] = [];
  const defaults = isRecord(raw["defaults"]) ? raw["defaults"] : {};
  for (const candidate of unique) {
    const adoptOnly = (candidate.entry?.["adoptOnly"] ?? defaults["adoptOnly"]) === true;
    const settings = mergeSettings(defaults, candidate);
    if (!withinTagCount(settings.tags)) {
      issues.push({
        ...originLocation(candidate.origin),
        field: `${candidate.origin.field}.tags`,
        message: `device ${candidate.deviceId} has ${Object.keys(settings.tags).length} tags with the defaults merged in; ${TOO_MANY_TAGS_MESSAGE}.`,
        fix: "remove tags from the device, its CSV row or the defaults.",
      });
    }
    if (adoptOnly) {
      if (givesPac(candidate, issues)) continue;
      devices.push({
        deviceId: candidate.deviceId,
        resourceName: deviceResourceName(candidate.deviceId),
        ...settings,
        adoptOnly: true,
        declaredAt: candidate.origin,
      });
      continue;
    }
    const missingPacTarget = options.missingPacs === "warning" ? warnings : issues;
    const before = warnings.length;
    const pac = resolvePac(candidate, { env, config: options.config, pacsObject, pacRowByCanonical, file, cwd, missingPacTarget }, issues);
    if (pac === undefined) {
      if (warnings.length > before) devicesWithoutPac.push(candidate.deviceId);
      continue;
    }
    if (pac.source.kind === "inline") {
      warnings.push({
        ...originLocation(candidate.origin),
        field: `${candidate.origin.field}.pac`,
        message: `the PAC of device ${candidate.deviceId} is written in the fleet file.`,
        fix: `move it out of files you commit: a pacsCsv file kept outside the repository, \`pulumi config set --secret pac-${candidate.deviceId} <PAC>\`, or ${pacEnvName(candidate.deviceId)}.`,
      });
    }
    devices.push({
      deviceId: candidate.deviceId,
      resourceName: deviceResourceName(candidate.deviceId),
      ...settings,
      adoptOnly: false,
      pac: pac.pac,
      pacSource: pac.source,
      declaredAt: candidate.origin,
    });
  }

  if (issues.length > 0) throw new FleetDefinitionError(file, issues, cwd);
  return { ...(file !== undefined ? { file } : {}), csvFiles, devices, warnings, devicesWithoutPac, adoptOnlyCount: devices.filter((d) => d.adoptOnly).length };
}

/**
 * An adopt-only device that names a PAC of its own (`pac`, `pacFrom`, a `pac` cell of its devicesCsv
 * row) contradicts itself: reported, since one of the two is a mistake. (pacsCsv rows are a look-up
 * table: not looked up for it.)
 */
function givesPac(candidate: Candidate, issues: FleetIssue[]): boolean {
  const entry = candidate.entry ?? {};
  const given = entry["pac"] !== undefined ? "pac" : entry["pacFrom"] !== undefined ? "pacFrom" : candidate.row?.pac !== undefined || candidate.row?.pacInvalid === true ? "a pac cell in its CSV row" : undefined;
  if (given === undefined) return false;
  const flag = entry["adoptOnly"] === true ? "adoptOnly: true" : "defaults.adoptOnly: true";
  issues.push({
    ...originLocation(candidate.origin),
    field: candidate.path !== undefined ? formatFieldPath(candidate.path) : "column pac",
    message: `device ${candidate.deviceId} is adopt-only (${flag}: no PAC is used) but has ${given}.`,
    fix:
      candidate.row !== undefined
        ? "remove the pac cell (adopt-only devices are never registered), or list the device under devices with adoptOnly: false to register it with its PAC."
        : `remove ${given} (adopt-only devices are never registered), or set adoptOnly: false on the device to register it with its PAC.`,
  });
  return true;
}

function mergeSettings(
  defaults: Record<string, unknown>,
  candidate: Candidate,
): Pick<FleetDeviceSettings, "tags" | "groupId" | "terminationEnabled" | "deleteImmediately" | "productCertificationId"> {
  const entry = candidate.entry ?? {};
  const tags: Record<string, string> = {};
  const layers = [defaults["tags"], candidate.row?.tags, entry["tags"]];
  for (const layer of layers) {
    if (!isRecord(layer)) continue;
    for (const [name, value] of Object.entries(layer)) {
      if (value === null) delete tags[name];
      else if (typeof value === "string") tags[name] = value;
    }
  }
  const groupId =
    entry["groupId"] !== undefined ? entry["groupId"] : (candidate.row?.groupId ?? defaults["groupId"]);
  const flag = (key: string): boolean | undefined => {
    const value = entry[key] ?? defaults[key];
    return typeof value === "boolean" ? value : undefined;
  };
  const terminationEnabled = flag("terminationEnabled");
  const deleteImmediately = flag("deleteImmediately");
  const productCertificationId = entry["productCertificationId"] ?? defaults["productCertificationId"];
  return {
    tags,
    ...(typeof groupId === "string" ? { groupId } : {}),
    ...(terminationEnabled !== undefined ? { terminationEnabled } : {}),
    ...(deleteImmediately !== undefined ? { deleteImmediately } : {}),
    ...(typeof productCertificationId === "string" ? { productCertificationId } : {}),
  };
}

interface PacContext {
  env: PacEnv;
  config: PacConfig | undefined;
  pacsObject: Record<string, unknown> | undefined;
  pacRowByCanonical: Map<string, CsvDeviceRow>;
  file: string | undefined;
  cwd: string;
  /** Where "no PAC source" goes: the issues, or the warnings. */
  missingPacTarget: FleetIssue[];
}

/** Finds the device's PAC (see the order in `pac.ts`); reports a missing or malformed one. */
function resolvePac(
  candidate: Candidate,
  ctx: PacContext,
  issues: FleetIssue[],
): { pac: Pac; source: PacSource } | undefined {
  const entry = candidate.entry ?? {};
  const location = originLocation(candidate.origin);
  const field = candidate.path !== undefined ? formatFieldPath(candidate.path) : "column device_id";
  const here = describeOrigin(candidate.origin, ctx.cwd);
  const invalid = (source: string, fix: string): undefined => {
    issues.push({
      ...location,
      field,
      message: `the PAC of device ${candidate.deviceId} from ${source} is not a PAC: 16 hex characters expected (value not shown).`,
      fix,
    });
    return undefined;
  };
  const accept = (value: string, source: PacSource, sourceText: string, fix: string) =>
    PAC_PATTERN.test(value) ? { pac: new Pac(value), source } : invalid(sourceText, fix);

  // 1. The fleet file: inline PAC or an explicit source.
  const inline = entry["pac"];
  const pacFrom = entry["pacFrom"];
  if (inline !== undefined && pacFrom !== undefined) {
    issues.push({
      ...location,
      field,
      message: "has both pac and pacFrom.",
      fix: "keep one: remove pac (a PAC in a committed file is discouraged) or remove pacFrom.",
    });
    return undefined;
  }
  if (inline !== undefined) {
    // A malformed inline PAC is already reported by the schema.
    return typeof inline === "string" && PAC_PATTERN.test(inline)
      ? { pac: new Pac(inline), source: { kind: "inline", where: here } }
      : undefined;
  }
  if (isRecord(pacFrom)) {
    // A named source that is not set is a missing PAC (a warning with `missingPacs: "warning"`): its
    // value may live where this process cannot see it (Pulumi config outside a stack, CI secrets).
    const envName = pacFrom["env"];
    const configKey = pacFrom["config"];
    if (typeof envName === "string" && ENV_VAR_NAME_PATTERN.test(envName) && configKey === undefined) {
      const value = ctx.env[envName];
      if (value === undefined || value === "") {
        ctx.missingPacTarget.push({
          ...location,
          field: `${field}.pacFrom.env`,
          message: `the environment variable ${envName} named as the PAC source of device ${candidate.deviceId} is not set.`,
          fix: `set ${envName} to the device's PAC before running Pulumi (e.g. from your CI's secret store).`,
        });
        return undefined;
      }
      return accept(value, { kind: "env", where: `env ${envName}` }, `env ${envName}`, `set ${envName} to the 16 hex characters of the PAC.`);
    }
    if (typeof configKey === "string" && configKey !== "" && envName === undefined) {
      const value = readConfig(ctx.config, configKey);
      if (value === undefined || value === "") {
        ctx.missingPacTarget.push({
          ...location,
          field: `${field}.pacFrom.config`,
          message: `the Pulumi config key ${configKey} named as the PAC source of device ${candidate.deviceId} is not set.`,
          fix: `run: pulumi config set --secret ${configKey} <PAC>`,
        });
        return undefined;
      }
      return accept(value, { kind: "config", where: `config ${configKey}` }, `config ${configKey}`, `run: pulumi config set --secret ${configKey} <PAC> with the 16 hex characters.`);
    }
    return undefined; // malformed pacFrom: reported by the schema
  }

  // 2. CSV: the device's own row, then the PAC table.
  if (candidate.row?.pacInvalid === true) return undefined; // reported with the row
  if (candidate.row?.pac !== undefined) {
    return { pac: new Pac(candidate.row.pac), source: { kind: "csv", where: describeOrigin(candidate.origin, ctx.cwd) } };
  }
  const pacRow = ctx.pacRowByCanonical.get(candidate.canonical);
  if (pacRow?.pacInvalid === true) return undefined; // reported with the row
  if (pacRow?.pac !== undefined) {
    return {
      pac: new Pac(pacRow.pac),
      source: { kind: "csv", where: describeOrigin({ file: pacRow.file, line: pacRow.line, field: "row" }, ctx.cwd) },
    };
  }

  // 3. Pulumi config: the `pacs` object, then `pac-<id>`.
  if (ctx.pacsObject !== undefined) {
    const key = Object.keys(ctx.pacsObject).find((k) => canonicalDeviceId(k) === candidate.canonical);
    if (key !== undefined) {
      const value = ctx.pacsObject[key];
      const source = `config ${PACS_CONFIG_KEY}.${key}`;
      const fix = `run: pulumi config set --secret --path '${PACS_CONFIG_KEY}.${key}' <PAC> with the 16 hex characters.`;
      return typeof value === "string" ? accept(value, { kind: "config", where: source }, source, fix) : invalid(source, fix);
    }
  }
  for (const spelling of deviceIdSpellings(candidate.deviceId)) {
    const key = pacConfigKey(spelling);
    const value = readConfig(ctx.config, key);
    if (value !== undefined && value !== "") {
      return accept(value, { kind: "config", where: `config ${key}` }, `config ${key}`, `run: pulumi config set --secret ${key} <PAC> with the 16 hex characters.`);
    }
  }

  // 4. The environment.
  for (const spelling of deviceIdSpellings(candidate.deviceId)) {
    const name = pacEnvName(spelling);
    const value = ctx.env[name];
    if (value !== undefined && value !== "") {
      return accept(value, { kind: "env", where: `env ${name}` }, `env ${name}`, `set ${name} to the 16 hex characters of the PAC.`);
    }
  }

  const id = candidate.deviceId;
  ctx.missingPacTarget.push({
    ...location,
    field,
    message: `device ${id} has no PAC source.`,
    fix:
      `give its PAC in one of: ${candidate.row !== undefined ? "the pac column of this CSV; " : ""}a row in a pacsCsv file; ` +
      `\`pulumi config set --secret pac-${id} <PAC>\`; the environment variable ${pacEnvName(id)}; or pacFrom: {env: NAME} on the device.`,
  });
  return undefined;
}

/** The `pacs` config object, or undefined; reports one that is not an object. */
function readPacsObject(config: PacConfig | undefined, issues: FleetIssue[]): Record<string, unknown> | undefined {
  const text = readConfig(config, PACS_CONFIG_KEY);
  if (text === undefined || text === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isRecord(value)) {
    issues.push({
      origin: "Pulumi config",
      field: PACS_CONFIG_KEY,
      message: "is not an object of PACs by device ID (value not shown).",
      fix: `set one entry per device: pulumi config set --secret --path '${PACS_CONFIG_KEY}.<deviceId>' <PAC>`,
    });
    return undefined;
  }
  return value;
}

function originLocation(origin: DeviceOrigin): Pick<FleetIssue, "file" | "line"> {
  return { ...(origin.file !== undefined ? { file: origin.file } : {}), ...(origin.line !== undefined ? { line: origin.line } : {}) };
}

/** `fleet.yaml:12`, `devices.csv:4`, or `devices[2]` for an object definition. */
function describeOrigin(origin: DeviceOrigin, cwd: string): string {
  if (origin.file === undefined) return origin.field;
  return `${displayPath(origin.file, cwd)}${origin.line !== undefined ? `:${origin.line}` : ""}`;
}
