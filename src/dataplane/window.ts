/**
 * The time window of `data export`: `--from` / `--to` as ISO 8601 instants or as durations before
 * now (`30m`, `24h`, `7d`). Resolved once, at the start, to UNIX milliseconds (both inclusive, as the
 * API treats them), so every device of one export is read over exactly the same window.
 */

/** When `--from` is not given: the last 24 hours (what a daily export job wants). */
export const DEFAULT_WINDOW_MS = 24 * 3600_000;

const UNIT_MS = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
const RELATIVE = /^(\d+)([smhdw])$/;
// A date, optionally with a time and a zone; what `Date.parse` reads reliably across engines.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export interface TimeWindow {
  /** Inclusive start, UNIX ms. */
  from: number;
  /** Inclusive end, UNIX ms. */
  to: number;
}

/** A bad `--from` / `--to`: the message names the flag and the fix. Exit 2. */
export class WindowUsageError extends Error {
  override name = "WindowUsageError";
}

function parseInstant(flag: "from" | "to", text: string, now: number): number {
  const relative = RELATIVE.exec(text.trim());
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  const ms = ISO_8601.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new WindowUsageError(
      `--${flag} ${JSON.stringify(text)}: expected an ISO 8601 time (e.g. 2026-11-30T00:00:00Z) or a duration before now (e.g. 30m, 24h, 7d)`,
    );
  }
  return ms;
}

/** Resolves the flags against `now` (UNIX ms). Default: the last {@link DEFAULT_WINDOW_MS}, up to now. */
export function resolveWindow(flags: { from?: string | undefined; to?: string | undefined }, now: number): TimeWindow {
  const to = flags.to !== undefined ? parseInstant("to", flags.to, now) : now;
  const from = flags.from !== undefined ? parseInstant("from", flags.from, now) : to - DEFAULT_WINDOW_MS;
  if (from > to) {
    throw new WindowUsageError(
      `--from (${new Date(from).toISOString()}) is after --to (${new Date(to).toISOString()}): give an earlier --from or a later --to`,
    );
  }
  return { from: Math.max(0, from), to };
}
