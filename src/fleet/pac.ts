/**
 * Where a device's PAC comes from, and a holder that keeps it out of logs and error messages.
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
import { canonicalDeviceId } from "./device-id";

export type PacSourceKind = "inline" | "csv" | "config" | "env";

export interface PacSource {
  kind: PacSourceKind;
  /** Where exactly, without the value: `fleet.yaml:12`, `fleet-pacs.csv:3`, `config pacs.1A2B3C01`, `env SORACOM_PAC_1A2B3C01`. */
  where: string;
}

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
export function deviceIdSpellings(deviceId: string): string[] {
  return [...new Set([deviceId, deviceId.toUpperCase(), canonicalDeviceId(deviceId)])];
}

/** Reads one config key; objects come back as JSON text, like Pulumi's config. */
export function readConfig(config: PacConfig | undefined, key: string): string | undefined {
  if (config === undefined) return undefined;
  if (typeof (config as { get?: unknown }).get === "function") {
    return (config as { get(key: string): string | undefined }).get(key);
  }
  const value = (config as Record<string, unknown>)[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}
