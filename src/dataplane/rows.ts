/**
 * One exported row per Harvest Data entry, and its two encodings (JSON Lines and CSV).
 *
 * The columns are fixed, in this order, and documented in the README: a consumer can rely on them
 * across versions (new columns are only ever appended). A Sigfox entry's `content` is a JSON document
 * (the Sigfox callback: `device`, `time` in seconds, `data`, `seqNumber`, `lqi`, `station`, `rssi`,
 * `snr`, `operatorName`, `countryCode`, ...); the fields present are decoded into their columns and
 * the raw `content` is always kept, so nothing the API returned is lost.
 */
import { z } from "zod";
import type { DataEntry } from "../api/schemas";

const Scalar = z.union([z.string(), z.number(), z.boolean()]).nullable();

export const ExportRowSchema = z.object({
  /** The device the entry was read from (as the export addressed it). */
  deviceId: z.string(),
  /** The entry's Harvest timestamp, UNIX ms. */
  time: z.number().nullable(),
  /** The same instant, ISO 8601 with milliseconds (UTC). */
  timeIso: z.string().nullable(),
  /** Decoded from `content`; null when absent. Values keep their JSON type (string or number). */
  data: Scalar,
  seqNumber: Scalar,
  lqi: Scalar,
  station: Scalar,
  rssi: Scalar,
  snr: Scalar,
  avgSnr: Scalar,
  operatorName: Scalar,
  countryCode: Scalar,
  /** `content.device`: the device ID as the Sigfox network wrote it. */
  sigfoxDevice: Scalar,
  /** `content.time`: the network's timestamp, UNIX seconds. */
  sigfoxTime: Scalar,
  contentType: z.string().nullable(),
  /** The entry's `content`, verbatim. */
  content: z.string().nullable(),
});
export type ExportRow = z.infer<typeof ExportRowSchema>;

/** The columns, in order: the CSV header and the JSON Lines key order. */
export const EXPORT_COLUMNS = Object.keys(ExportRowSchema.shape) as (keyof ExportRow)[];

/** Content fields decoded into a column of the same name (the rest stays in `content`). */
const DECODED_FIELDS = ["data", "seqNumber", "lqi", "station", "rssi", "snr", "avgSnr", "operatorName", "countryCode"] as const;

function scalar(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

/** The decoded content: an object, or {} when the content is absent or not a JSON object. */
function decodeContent(content: string | undefined): Record<string, unknown> {
  if (content === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(content);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function toExportRow(deviceId: string, entry: DataEntry): ExportRow {
  const decoded = decodeContent(entry.content);
  const time = entry.time ?? null;
  const row = {
    deviceId,
    time,
    timeIso: time === null ? null : new Date(time).toISOString(),
    ...Object.fromEntries(DECODED_FIELDS.map((f) => [f, scalar(decoded[f])])),
    sigfoxDevice: scalar(decoded.device),
    sigfoxTime: scalar(decoded.time),
    contentType: entry.contentType ?? null,
    content: entry.content ?? null,
  } as ExportRow;
  return row;
}

export const EXPORT_FORMATS = ["jsonl", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF; null is empty. */
function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line of a CSV export (`\r\n`-free: lines end with `\n`). */
export function csvHeader(): string {
  return `${EXPORT_COLUMNS.join(",")}\n`;
}

/** One row as a line of the format, newline included. */
export function encodeRow(row: ExportRow, format: ExportFormat): string {
  if (format === "csv") return `${EXPORT_COLUMNS.map((c) => csvField(row[c])).join(",")}\n`;
  // Keys in column order: Object key order follows the schema, so lines are stable byte for byte.
  return `${JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, row[c]])))}\n`;
}
