/**
 * Turns zod issues about a fleet file into `FleetIssue`s a person can act on: the field, what it
 * must be, what was found (never the value of a PAC) and a fix. Zod's own messages are not used:
 * they do not know that `12345678` without quotes is a number in YAML, or what a group ID is.
 */
import type { z } from "zod";
import { quoteSafe, type FleetIssue } from "./issues";
import { MAX_PRODUCT_CERTIFICATION_ID_LENGTH } from "../api/values";
import { KNOWN_KEYS, MAX_TAG_NAME_LENGTH, MAX_TAG_VALUE_LENGTH } from "./schema";
import type { FieldPath, Locator } from "./source";

type ZodIssue = z.core.$ZodIssue;

interface FieldHelp {
  /** What the value must be, as a noun phrase. */
  what: string;
  /** How to write it. */
  fix: string;
  /** The value may be a secret: never describe it beyond its type. */
  secret?: boolean;
  /** YAML turns unquoted digits into numbers: suggest quoting. */
  quoteHint?: boolean;
}

const PAC_FIX =
  "write the PAC as 16 hex characters in quotes; better, take it out of the file: a pacsCsv row, `pulumi config set --secret pac-<deviceId> <PAC>`, or the environment variable SORACOM_PAC_<deviceId>.";

/** Help for the field at `path`. */
function fieldHelp(path: FieldPath): FieldHelp {
  const key = path[path.length - 1];
  const parent = path[path.length - 2];
  const inDevice = path[0] === "devices";
  if (parent === "tags") {
    return {
      what: inDevice
        ? `a tag value (a string of 1 to ${MAX_TAG_VALUE_LENGTH} characters, or null to drop a default tag)`
        : `a tag value (a string of 1 to ${MAX_TAG_VALUE_LENGTH} characters)`,
      fix: `write the value in quotes, e.g. ${String(key)}: "101".`,
      quoteHint: true,
    };
  }
  switch (key) {
    case "deviceId":
      return {
        what: "a Sigfox device ID: 1 to 8 hex digits, as a string",
        fix: 'write it in quotes, e.g. deviceId: "1A2B3C4D".',
        quoteHint: true,
      };
    case "pac":
      return { what: "a PAC: 16 hex characters", fix: PAC_FIX, secret: true, quoteHint: true };
    case "groupId":
      return {
        what: inDevice ? "a Soracom group ID (a UUID), or null for no group" : "a Soracom group ID (a UUID)",
        fix: 'copy the group\'s UUID from the Soracom console, e.g. groupId: "0b5fe4c8-5a1f-4b8e-9f4e-3c2d1a0b9c8d".',
      };
    case "tags":
      return { what: "a mapping of tag names to values", fix: 'write one "name: value" per line under tags.' };
    case "terminationEnabled":
    case "deleteImmediately":
    case "adoptOnly":
      return { what: "true or false", fix: `write ${key}: true or ${key}: false, without quotes.` };
    case "productCertificationId":
      return {
        what: `a Sigfox product certification ID (a string of 1 to ${MAX_PRODUCT_CERTIFICATION_ID_LENGTH} characters)`,
        fix: 'write it in quotes, e.g. productCertificationId: "P_0006_7A5B_01", or remove the line.',
      };
    case "devicesCsv":
    case "pacsCsv":
      return {
        what: "a CSV file path, or a list of paths",
        fix: `write ${key}: path/to/file.csv (relative to the fleet file; ~ is your home directory).`,
      };
    case "devices":
      return { what: "a list of devices", fix: 'write one "- deviceId: ..." entry per device under devices, or devices: [] for none.' };
    case "defaults":
      return { what: "a mapping", fix: "put tags, groupId, terminationEnabled, deleteImmediately, productCertificationId or adoptOnly under defaults." };
    case "version":
      return { what: "1", fix: "write version: 1, or remove the line." };
    case "pacFrom":
      return { what: "exactly one of env or config", fix: "write pacFrom: {env: VARIABLE_NAME} or pacFrom: {config: config-key}." };
    case "env":
      return { what: "an environment variable name", fix: "use letters, digits and _ only, e.g. env: PAC_1A2B3C4D." };
    case "config":
      return { what: "a Pulumi config key", fix: "name the key set with `pulumi config set --secret <key> <PAC>`." };
    case undefined:
      return { what: "a mapping with devices (and optionally defaults, devicesCsv, pacsCsv)", fix: "start the file with devices: and a list of devices." };
    default:
      if (typeof key === "number") return { what: "a device (a mapping with deviceId)", fix: "write the entry as - deviceId: ..." };
      return { what: "a valid value", fix: "see docs/fleet.md for this field." };
  }
}

/** `devices[2].tags.site` */
export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function describeValue(value: unknown, secret: boolean): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  switch (typeof value) {
    case "number":
      return secret ? "a number" : `the number ${quoteSafe(String(value)).replace(/^"|"$/g, "")}`;
    case "boolean":
      return `${value}`;
    case "string":
      return secret ? "a string (value not shown)" : quoteSafe(value);
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

function knownKeysAt(path: FieldPath): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS.root;
  if (path.length === 1 && path[0] === "defaults") return KNOWN_KEYS.defaults;
  if (path[0] === "devices" && path.length === 2) return KNOWN_KEYS.device;
  if (path[path.length - 1] === "pacFrom") return KNOWN_KEYS.pacFrom;
  return [];
}

/** The known key closest to a misspelt one (case-insensitive, edit distance at most 2). */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** One zod issue as one or more fleet issues (an unknown-keys issue becomes one per key). */
export function describeZodIssue(issue: ZodIssue, data: unknown, locator: Locator, file: string | undefined): FleetIssue[] {
  const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
  const at = (position: { line: number; column: number } | undefined): Pick<FleetIssue, "file" | "line" | "column"> => ({
    ...(file !== undefined ? { file } : {}),
    ...(position !== undefined ? { line: position.line, column: position.column } : {}),
  });

  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(path);
    return issue.keys.map((key) => {
      const suggestion = closestKey(key, known);
      const keyPath = [...path, key];
      return {
        ...at(locator.key(path, key)),
        field: formatFieldPath(keyPath),
        message: `unknown key ${quoteSafe(key)}.`,
        fix:
          suggestion !== undefined
            ? `did you mean "${suggestion}"? Keys allowed here: ${known.join(", ")}.`
            : `remove it. Keys allowed here: ${known.join(", ")}.`,
      };
    });
  }

  if (issue.code === "invalid_key") {
    const name = path[path.length - 1];
    return [
      {
        ...at(locator.key(path.slice(0, -1), String(name))),
        field: formatFieldPath(path.slice(0, -1)),
        message: `the tag name ${quoteSafe(String(name))} is not valid: tag names are 1 to ${MAX_TAG_NAME_LENGTH} characters, and not "." or "..".`,
        fix: "give the tag a name of that length, or remove it.",
      },
    ];
  }

  const help = fieldHelp(path);
  const value = valueAt(data, path);
  const field = path.length > 0 ? formatFieldPath(path) : "(document)";
  const location = at(locator.value(path));

  const emptyDocument = path.length === 0 && (value === undefined || value === null);
  if ((value === undefined || emptyDocument) && issue.code === "invalid_type") {
    const parentField = formatFieldPath(path.slice(0, -1));
    return [
      {
        ...location,
        field,
        message: path.length === 0 ? "the file is empty." : `is missing${parentField !== "" ? ` in ${parentField}` : ""}.`,
        fix: path.length === 0 ? help.fix : `add ${String(path[path.length - 1])}: ${help.what}.`,
      },
    ];
  }

  const described = describeValue(value, help.secret === true);
  let fix = help.fix;
  if (help.quoteHint === true && typeof value === "number") {
    fix = `YAML reads unquoted digits as a number: ${help.fix.charAt(0).toLowerCase()}${help.fix.slice(1)}`;
  }
  let message: string;
  if (issue.code === "custom" && path[path.length - 1] === "pacFrom") {
    message = "names no source or both sources: it needs exactly one of env or config.";
  } else if (issue.code === "invalid_value" && path[path.length - 1] === "version") {
    message = `is ${described}; the only version is 1.`;
  } else {
    message = `is ${described}, which is not ${help.what}.`;
  }
  return [{ ...location, field, message, fix }];
}
