/**
 * Ignore rules (`.sigfoxdriftignore`, `--ignore FILE`): one pattern a line, gitignore-like, over the
 * names of findings: `<deviceId>` (the whole device: all its fields, or its being missing or
 * unmanaged), `<deviceId>.tags.<name>`, `<deviceId>.groupId`, `<deviceId>.terminationEnabled`.
 *
 * `*` matches any run of characters (dots included: tag names may contain dots), `!` re-includes,
 * `#` starts a comment, blank lines are skipped, `\#` and `\!` escape a leading `#` or `!`. The LAST
 * pattern that matches a finding or its device decides, so `1A2B*` followed by
 * `!1A2B3C01.groupId` ignores every finding of the 1A2B… devices except that one group drift.
 * Device IDs compare case-insensitively (they are hex numbers); tag names exactly.
 */

export interface IgnoreRule {
  /** The pattern as written (without `!`). */
  pattern: string;
  negated: boolean;
  /** Where it was written, for messages: `file:line`. */
  origin: string;
  regex: RegExp;
}

export class IgnoreRuleError extends Error {
  override name = "IgnoreRuleError";
}

/** Splits a name or pattern into its device part (upper-cased) and the rest (`.tags.x`, or ""). */
function normalizeDevicePart(text: string): string {
  const dot = text.indexOf(".");
  return dot < 0 ? text.toUpperCase() : text.slice(0, dot).toUpperCase() + text.slice(dot);
}

function compile(pattern: string): RegExp {
  const body = normalizeDevicePart(pattern)
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

/** Parses the text of an ignore file. `source` names it in messages. */
export function parseIgnoreRules(text: string, source: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    let negated = false;
    if (line.startsWith("!")) {
      negated = true;
      line = line.slice(1).trim();
    } else if (line.startsWith("\\#") || line.startsWith("\\!")) {
      line = line.slice(1);
    }
    const origin = `${source}:${index + 1}`;
    if (line === "") throw new IgnoreRuleError(`${origin}: "!" alone is not a pattern. Fix: write the pattern to re-include after it, e.g. !1A2B3C01.groupId`);
    const field = /^[^.]+\.(.*)$/.exec(line)?.[1];
    const namesAField = field === undefined || field === "groupId" || field === "terminationEnabled" || /^tags\../.test(field) || field.includes("*");
    if (!namesAField) {
      throw new IgnoreRuleError(
        `${origin}: "${line}" names no field of a device. Fix: use <deviceId>, <deviceId>.tags.<name>, <deviceId>.groupId or <deviceId>.terminationEnabled (* matches anything)`,
      );
    }
    rules.push({ pattern: line, negated, origin, regex: compile(line) });
  });
  return rules;
}

/** Decides findings against a list of rules. */
export class IgnoreRules {
  constructor(readonly rules: readonly IgnoreRule[]) {}

  /**
   * Whether the finding named `deviceId` (+ `.path` for a field) is ignored: the last rule matching
   * the finding or its device decides; no match means reported.
   */
  ignores(deviceId: string, path?: string): boolean {
    const device = deviceId.toUpperCase();
    const names = path === undefined ? [device] : [device, `${device}.${path}`];
    let ignored = false;
    for (const rule of this.rules) {
      if (names.some((n) => rule.regex.test(n))) ignored = !rule.negated;
    }
    return ignored;
  }
}

export const NO_IGNORE_RULES = new IgnoreRules([]);
