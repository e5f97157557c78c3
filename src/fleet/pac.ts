/**
 * Where a device's PAC comes from: the look-up below (`resolvePac`), the sources it reads, and a
 * holder that keeps the PAC out of logs and error messages.
 *
 * Look-up order for a device (the first source that has a PAC wins):
 *   1. the fleet file itself: `pac` (discouraged) or an explicit `pacFrom: {env | config}`;
 *   2. a CSV: the device's row in `devicesCsv`, else its row in `pacsCsv`;
 *   3. Pulumi config (project namespace): the secret object `pacs` (`{"<deviceId>": "<pac>"}`),
 *      then the key `pac-<deviceId>`;
 *   4. the environment: `SORACOM_PAC_<deviceId>`.
 * In config keys and environment names the device ID may be written as in the fleet file, in upper
 * case, or in canonical form (upper case without leading zeros).
 */
import { inspect } from "node:util";
import { PAC_PATTERN } from "../api/formats";
import { describeOrigin, originLocation, type Candidate } from "./candidates";
import type { CsvDeviceRow } from "./csv";
import { canonicalDeviceId } from "./device-id";
import type { FleetIssue } from "./issues";
import { formatFieldPath } from "./messages";
import { ENV_VAR_NAME_PATTERN } from "./schema";
import { isRecord } from "./source";

export type PacSourceKind = "inline" | "csv" | "config" | "env";

export interface PacSource {
  kind: PacSourceKind;
  /** Where exactly, without the value: `fleet.yaml:12`, `fleet-pacs.csv:3`, `config pacs.1A2B3C01`, `env SORACOM_PAC_1A2B3C01`. */
  where: string;
}

// Not the client's `[REDACTED]`: this is what a PAC prints as (a holder, not a text scrubber), and it names what is hidden.
const REDACTED = "[PAC redacted]";

/**
 * A PAC that does not print itself: `String(pac)`, `JSON.stringify(pac)` and `console.log(pac)`
 * show `[PAC redacted]`. Only `reveal()` returns the value, for wrapping in `pulumi.secret`.
 */
export class Pac {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Pulumi config as the loader reads it: a getter of keys in the project namespace (what
 * `new pulumi.Config().get(key)` returns: strings, objects as JSON text), or a plain object.
 */
export type PacConfig = { get(key: string): string | undefined } | Readonly<Record<string, unknown>>;

/** The environment the loader reads (`process.env` by default). */
export type PacEnv = Readonly<Record<string, string | undefined>>;

/** Config key holding a secret object of PACs by device ID. */
export const PACS_CONFIG_KEY = "pacs";
export const pacConfigKey = (deviceId: string): string => `pac-${deviceId}`;
export const pacEnvName = (deviceId: string): string => `SORACOM_PAC_${deviceId}`;

/** The spellings of a device ID tried in config keys and environment names. */
function deviceIdSpellings(deviceId: string): string[] {
  return [...new Set([deviceId, deviceId.toUpperCase(), canonicalDeviceId(deviceId)])];
}

/** Reads one config key; objects come back as JSON text, like Pulumi's config. */
function readConfig(config: PacConfig | undefined, key: string): string | undefined {
  if (config === undefined) return undefined;
  if (typeof (config as { get?: unknown }).get === "function") {
    return (config as { get(key: string): string | undefined }).get(key);
  }
  const value = (config as Record<string, unknown>)[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The `pacsCsv` rows by canonical device ID; a second row for the same device is reported. */
export function pacRowsByDevice(pacRows: readonly CsvDeviceRow[], cwd: string, issues: FleetIssue[]): Map<string, CsvDeviceRow> {
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
  return pacRowByCanonical;
}

/** The `pacs` config object, or undefined; reports one that is not an object. */
export function readPacsObject(config: PacConfig | undefined, issues: FleetIssue[]): Record<string, unknown> | undefined {
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

/** The PAC sources of one load, besides the device's own entry or row. */
export interface PacContext {
  env: PacEnv;
  config: PacConfig | undefined;
  /** The `pacs` config object (`readPacsObject`). */
  pacsObject: Record<string, unknown> | undefined;
  /** The `pacsCsv` rows (`pacRowsByDevice`). */
  pacRowByCanonical: Map<string, CsvDeviceRow>;
  /** For paths in messages. */
  cwd: string;
  /** Where "no PAC source" goes: the issues, or the warnings. */
  missingPacTarget: FleetIssue[];
}

/** Finds the device's PAC in the order at the top of this file; reports a missing or malformed one. */
export function resolvePac(candidate: Candidate, ctx: PacContext, issues: FleetIssue[]): { pac: Pac; source: PacSource } | undefined {
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
  const inline = entry.pac;
  const pacFrom = entry.pacFrom;
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
    return typeof inline === "string" && PAC_PATTERN.test(inline) ? { pac: new Pac(inline), source: { kind: "inline", where: here } } : undefined;
  }
  if (isRecord(pacFrom)) {
    // A named source that is not set is a missing PAC (a warning with `missingPacs: "warning"`): its
    // value may live where this process cannot see it (Pulumi config outside a stack, CI secrets).
    const envName = pacFrom.env;
    const configKey = pacFrom.config;
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
      return accept(
        value,
        { kind: "config", where: `config ${configKey}` },
        `config ${configKey}`,
        `run: pulumi config set --secret ${configKey} <PAC> with the 16 hex characters.`,
      );
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
      return accept(
        value,
        { kind: "config", where: `config ${key}` },
        `config ${key}`,
        `run: pulumi config set --secret ${key} <PAC> with the 16 hex characters.`,
      );
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

/**
 * An adopt-only device that names a PAC of its own (`pac`, `pacFrom`, a `pac` cell of its devicesCsv
 * row) contradicts itself: reported, since one of the two is a mistake. (pacsCsv rows are a look-up
 * table: not looked up for it.)
 */
export function givesPac(candidate: Candidate, issues: FleetIssue[]): boolean {
  const entry = candidate.entry ?? {};
  const given =
    entry.pac !== undefined
      ? "pac"
      : entry.pacFrom !== undefined
        ? "pacFrom"
        : candidate.row?.pac !== undefined || candidate.row?.pacInvalid === true
          ? "a pac cell in its CSV row"
          : undefined;
  if (given === undefined) return false;
  const flag = entry.adoptOnly === true ? "adoptOnly: true" : "defaults.adoptOnly: true";
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
