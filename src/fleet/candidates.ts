/**
 * The devices a fleet declares, before their PACs are looked up: each `devices` entry and each
 * `devicesCsv` row becomes a candidate that knows where it was declared; a device declared twice
 * (in any spelling of its ID) is reported and kept once.
 */
import type { CsvDeviceRow } from "./csv";
import { canonicalDeviceId, isDeviceId } from "./device-id";
import type { FleetIssue } from "./issues";
import { formatFieldPath } from "./messages";
import { displayPath } from "./paths";
import { isRecord, issueAt, type FieldPath, type FleetSource } from "./source";

/** Where a device was declared. */
export interface DeviceOrigin {
  /** The fleet file or CSV file (absolute); absent for an object definition. */
  file?: string;
  line?: number;
  /** `devices[2]` for a device of the fleet file; `row` for a CSV row. */
  field: string;
}

/** A device before its PAC is resolved. */
export interface Candidate {
  deviceId: string;
  canonical: string;
  origin: DeviceOrigin;
  /** Path in the fleet file, for a `devices` entry. */
  path?: FieldPath;
  entry?: Record<string, unknown>;
  row?: CsvDeviceRow;
}

/** The `devices` entries with a valid device ID (the schema reports the others), then the `devicesCsv` rows. */
export function declaredDevices(source: Pick<FleetSource, "file" | "locator">, rawDevices: unknown, deviceRows: readonly CsvDeviceRow[]): Candidate[] {
  const candidates: Candidate[] = [];
  const entries = Array.isArray(rawDevices) ? rawDevices : [];
  entries.forEach((entry, index) => {
    if (!isRecord(entry) || !isDeviceId(entry.deviceId)) return;
    const entryPath: FieldPath = ["devices", index];
    const position = source.locator.value(entryPath);
    candidates.push({
      deviceId: entry.deviceId,
      canonical: canonicalDeviceId(entry.deviceId),
      origin: { ...(source.file !== undefined ? { file: source.file } : {}), ...(position ? { line: position.line } : {}), field: formatFieldPath(entryPath) },
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
  return candidates;
}

/** Each device once, in declaration order: a later declaration of the same device is reported. */
export function eachDeviceOnce(
  candidates: readonly Candidate[],
  source: Pick<FleetSource, "file" | "locator">,
  cwd: string,
  issues: FleetIssue[],
): Candidate[] {
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
      ...(candidate.path !== undefined ? issueAt(source, [...candidate.path, "deviceId"]) : originLocation(candidate.origin)),
      field: candidate.path !== undefined ? `${formatFieldPath(candidate.path)}.deviceId` : "column device_id",
      message: `device ${candidate.deviceId} is listed more than once: already at ${firstAt}${same}.`,
      fix:
        first.row === undefined && candidate.row === undefined
          ? "list each device once: merge the two entries."
          : "list each device once, either in devices or in a devicesCsv file, not both (a CSV can supply only PACs through pacsCsv).",
    });
  }
  return unique;
}

/** The file and line of an origin, for an issue about the device declared there. */
export function originLocation(origin: DeviceOrigin): Pick<FleetIssue, "file" | "line"> {
  return { ...(origin.file !== undefined ? { file: origin.file } : {}), ...(origin.line !== undefined ? { line: origin.line } : {}) };
}

/** `fleet.yaml:12`, `devices.csv:4`, or `devices[2]` for an object definition. */
export function describeOrigin(origin: DeviceOrigin, cwd: string): string {
  if (origin.file === undefined) return origin.field;
  return `${displayPath(origin.file, cwd)}${origin.line !== undefined ? `:${origin.line}` : ""}`;
}
