/**
 * The drift report: its versioned JSON schema (the source of the report's types, exported so that
 * machines reading `soracom-sigfox drift --format json` can validate it) and the kinds of findings.
 * Documented field by field in docs/drift.md; a breaking change bumps `version`.
 */
import { z } from "zod";

/** A compared value: a tag value or group ID (string), a flag (boolean), or absent (`null`). */
export const DriftValueSchema = z.union([z.string(), z.boolean(), z.null()]);
export type DriftValue = z.infer<typeof DriftValueSchema>;

export const DriftFieldSchema = z.strictObject({
  /** `tags.<name>`, `groupId` or `terminationEnabled`. */
  path: z.string(),
  expected: DriftValueSchema,
  actual: DriftValueSchema,
});
export type DriftField = z.infer<typeof DriftFieldSchema>;

export const MISSING_REASONS = ["not_found", "terminated"] as const;

export const DriftReportSchema = z.strictObject({
  version: z.literal(1),
  summary: z.strictObject({
    /** Managed devices compared (a device in two stacks counts twice). */
    managed: z.number().int().nonnegative(),
    /** Managed devices present whose every compared field matches (or differs only where ignored). */
    inSync: z.number().int().nonnegative(),
    drifted: z.number().int().nonnegative(),
    missing: z.number().int().nonnegative(),
    unmanaged: z.number().int().nonnegative(),
    /** Findings left out by ignore rules: drifted fields, missing and unmanaged devices. */
    ignored: z.number().int().nonnegative(),
  }),
  drifted: z.array(
    z.strictObject({
      deviceId: z.string(),
      /** The stack name, or the fleet file's path with `--fleet`, or the state file's path with `--state-file`. */
      stack: z.string(),
      fields: z.array(DriftFieldSchema).min(1),
    }),
  ),
  missing: z.array(z.strictObject({ deviceId: z.string(), stack: z.string(), reason: z.enum(MISSING_REASONS) })),
  unmanaged: z.array(
    z.strictObject({
      deviceId: z.string(),
      status: z.string(),
      groupId: z.string().nullable(),
      tags: z.record(z.string(), z.string()),
    }),
  ),
  /** API calls the command made: list pages, and GETs confirming managed devices the listing did not return. */
  apiCalls: z.strictObject({ list: z.number().int().nonnegative(), get: z.number().int().nonnegative() }),
  durationMs: z.number().nonnegative(),
});
export type DriftReport = z.infer<typeof DriftReportSchema>;

/** Whether the report holds anything not ignored: what makes the command exit 2. */
export function hasDrift(report: DriftReport): boolean {
  return report.drifted.length + report.missing.length + report.unmanaged.length > 0;
}
