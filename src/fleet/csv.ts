/**
 * Device CSV files, as vendors ship them: one row per device with its ID and PAC.
 *
 * - A header row names the columns, case-insensitively: `device_id` (also `deviceId`, `id`,
 *   `device`), `pac` (also `registration_secret`), and for device lists also `group_id` and any
 *   number of `tag:<name>` columns.
 * - `,` or `;` separates fields (Sigfox backend exports use `;`); a UTF-8 BOM is ignored; lines
 *   starting with `#` are comments; cells are trimmed; an empty cell means "not given".
 *
 * Parser messages are not passed on: csv-parse quotes the offending field, which may be a PAC.
 */
import { parse } from "csv-parse/sync";
import { DEVICE_ID_PATTERN, GROUP_ID_PATTERN, PAC_PATTERN } from "../api/formats";
import { quoteSafe, type FleetIssue } from "./issues";
import { DOT_SEGMENT_TAG_NAMES, MAX_TAG_NAME_LENGTH, MAX_TAG_VALUE_LENGTH } from "./schema";

export type CsvKind = "devices" | "pacs";

export interface CsvDeviceRow {
  deviceId: string;
  /** The PAC, when the row has a valid one. */
  pac?: string;
  /** The row has a PAC cell that is not a PAC (already reported). */
  pacInvalid?: boolean;
  groupId?: string;
  tags: Record<string, string>;
  file: string;
  line: number;
}

export interface CsvReadResult {
  rows: CsvDeviceRow[];
  issues: FleetIssue[];
}

const DEVICE_ID_HEADERS = new Set(["device_id", "deviceid", "id", "device"]);
const PAC_HEADERS = new Set(["pac", "registration_secret", "registrationsecret"]);
const GROUP_HEADERS = new Set(["group_id", "groupid"]);
const TAG_PREFIX = "tag:";

type Column = { role: "deviceId" } | { role: "pac" } | { role: "groupId" } | { role: "tag"; tagName: string };

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/** Parses CSV text already read from `file`. Pure: no I/O. */
export function parseDeviceCsv(text: string, file: string, kind: CsvKind): CsvReadResult {
  const issues: FleetIssue[] = [];
  const issue = (line: number | undefined, field: string | undefined, message: string, fix: string): void => {
    issues.push({ file, ...(line !== undefined ? { line } : {}), ...(field !== undefined ? { field } : {}), message, fix });
  };

  let records: CsvRecord[];
  try {
    records = parse(text, {
      info: true,
      delimiter: [",", ";"],
      comment: "#",
      comment_no_infix: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
    }) as unknown as CsvRecord[];
  } catch (error) {
    const err = error as { code?: string; lines?: number };
    issue(
      err.lines,
      undefined,
      `is not valid CSV (${err.code ?? "parse error"}).`,
      'check the quoting on this line: a quoted field must be closed, and a field containing "," or ";" must be quoted.',
    );
    return { rows: [], issues };
  }

  const [header, ...body] = records;
  if (header === undefined) {
    issue(1, undefined, "has no header row.", 'start the file with a header row, e.g. "device_id,pac".');
    return { rows: [], issues };
  }

  const columns: (Column | undefined)[] = header.record.map((name) => {
    const normalized = name
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, "_");
    if (DEVICE_ID_HEADERS.has(normalized)) return { role: "deviceId" };
    if (PAC_HEADERS.has(normalized)) return { role: "pac" };
    if (kind === "devices" && GROUP_HEADERS.has(normalized)) return { role: "groupId" };
    if (kind === "devices" && name.trim().toLowerCase().startsWith(TAG_PREFIX)) {
      const tagName = name.trim().slice(TAG_PREFIX.length).trim();
      if (tagName !== "" && tagName.length <= MAX_TAG_NAME_LENGTH && !DOT_SEGMENT_TAG_NAMES.includes(tagName)) return { role: "tag", tagName };
    }
    return undefined;
  });
  const allowed = kind === "devices" ? "device_id, pac, group_id, tag:<name>" : "device_id, pac (a PAC lookup table has no other columns)";
  header.record.forEach((name, index) => {
    if (columns[index] === undefined) {
      issue(
        header.info.lines,
        `column ${index + 1}`,
        `unknown column "${name}".`,
        kind === "devices"
          ? `rename it to one of ${allowed} (a tag column is "tag:<tag name>"), or remove the column.`
          : `remove the column: ${allowed}. Devices with tags or groups belong in "devicesCsv".`,
      );
    }
  });
  const count = (role: Column["role"]): number => columns.filter((c) => c?.role === role).length;
  if (count("deviceId") !== 1) {
    issue(
      header.info.lines,
      undefined,
      count("deviceId") === 0 ? "has no device_id column." : "has more than one device ID column.",
      'name exactly one column "device_id" in the header row.',
    );
  }
  if (kind === "pacs" && count("pac") !== 1) {
    issue(header.info.lines, undefined, "needs exactly one pac column.", 'name one column "pac" in the header row.');
  } else if (count("pac") > 1) {
    issue(header.info.lines, undefined, "has more than one pac column.", 'keep one column named "pac".');
  }
  if (count("groupId") > 1) {
    issue(header.info.lines, undefined, "has more than one group_id column.", 'keep one column named "group_id".');
  }
  const tagNames = columns.flatMap((c) => (c?.role === "tag" ? [c.tagName] : []));
  for (const name of new Set(tagNames)) {
    if (tagNames.filter((t) => t === name).length > 1) {
      issue(header.info.lines, `column tag:${name}`, `tag "${name}" has more than one column.`, "keep one column per tag.");
    }
  }
  if (issues.length > 0) return { rows: [], issues };

  const rows: CsvDeviceRow[] = [];
  for (const { record, info } of body) {
    const line = info.lines;
    if (record.length > header.record.length) {
      issue(
        line,
        undefined,
        `has ${record.length} fields but the header has ${header.record.length}.`,
        'quote fields that contain "," or ";", or add the missing header.',
      );
      continue;
    }
    const row: CsvDeviceRow = { deviceId: "", tags: {}, file, line };
    record.forEach((cell, index) => {
      const column = columns[index];
      if (column === undefined || cell === "") return;
      switch (column.role) {
        case "deviceId":
          row.deviceId = cell;
          break;
        case "pac":
          if (!PAC_PATTERN.test(cell)) {
            issue(line, "column pac", "is not a PAC (value not shown).", "a PAC is 16 hex characters (8 bytes), e.g. as printed on the device label.");
            row.pacInvalid = true;
          } else {
            row.pac = cell;
          }
          break;
        case "groupId":
          if (!GROUP_ID_PATTERN.test(cell)) {
            issue(
              line,
              "column group_id",
              `${quoteSafe(cell)} is not a Soracom group ID.`,
              "use the group's UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), or leave the cell empty.",
            );
          } else {
            row.groupId = cell;
          }
          break;
        case "tag":
          if (cell.length > MAX_TAG_VALUE_LENGTH) {
            issue(line, `column tag:${column.tagName}`, `the value is longer than ${MAX_TAG_VALUE_LENGTH} characters.`, "shorten it.");
          } else {
            row.tags[column.tagName] = cell;
          }
          break;
      }
    });
    if (row.deviceId === "") {
      issue(line, "column device_id", "is empty.", "give every row a device ID, or delete the row.");
      continue;
    }
    if (!DEVICE_ID_PATTERN.test(row.deviceId)) {
      issue(
        line,
        "column device_id",
        `${quoteSafe(row.deviceId)} is not a Sigfox device ID.`,
        "a device ID is 1 to 8 hex digits, e.g. 1A2B3C4D (are the columns swapped?).",
      );
      continue;
    }
    rows.push(row);
  }
  return { rows, issues };
}
