/**
 * Problems found in a fleet definition, and the one error that carries all of them.
 *
 * Every issue names where it is (file, line, field) and how to fix it. Messages are written by this
 * module's callers from field names and safe values only: a PAC is never part of a message.
 */
import { displayPath } from "./paths";

export interface FleetIssue {
  /** Absolute path of the file the problem is in (fleet file or CSV); absent for an object definition. */
  file?: string;
  /** Where the problem is when it is not in a file: `Pulumi config`, `environment`. */
  origin?: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
  /** The field, e.g. `devices[2].groupId`, or for a CSV `column pac`. */
  field?: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix: string;
}

/** Thrown by `loadFleetDefinition` with every problem found, before anything is deployed. */
export class FleetDefinitionError extends Error {
  /** Stable code to branch on. */
  readonly code = "fleet_invalid" as const;
  readonly issues: readonly FleetIssue[];
  /** The fleet file, or undefined for an object definition. */
  readonly file: string | undefined;

  constructor(file: string | undefined, issues: readonly FleetIssue[], cwd: string = process.cwd()) {
    super(formatIssues(file, issues, cwd));
    this.name = "FleetDefinitionError";
    this.issues = issues;
    this.file = file;
  }
}

/**
 * A user-supplied value quoted for a message, unless it could be a secret: a run of 16 hex
 * characters may be a PAC typed into the wrong field, so it is not shown.
 */
export function quoteSafe(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  if (/[0-9A-Fa-f]{16}/.test(text)) return "the value (not shown: it looks like a PAC)";
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return JSON.stringify(shown);
}

/** `fleet.yaml:12:5`, `devices.csv:4`, or `<fleet definition object>`. */
function formatLocation(issue: FleetIssue, cwd: string = process.cwd()): string {
  let where = issue.file !== undefined ? displayPath(issue.file, cwd) : (issue.origin ?? "<fleet definition object>");
  if (issue.line !== undefined) {
    where += `:${issue.line}`;
    if (issue.column !== undefined) where += `:${issue.column}`;
  }
  return where;
}

export function formatIssue(issue: FleetIssue, cwd: string = process.cwd()): string {
  const field = issue.field !== undefined ? ` ${issue.field}:` : "";
  return `${formatLocation(issue, cwd)}${field} ${issue.message} Fix: ${issue.fix}`;
}

function formatIssues(file: string | undefined, issues: readonly FleetIssue[], cwd: string): string {
  const subject = file !== undefined ? displayPath(file, cwd) : "<fleet definition object>";
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  const lines = sortIssues(issues, file).map((issue) => `  - ${formatIssue(issue, cwd)}`);
  return [`Invalid fleet definition ${subject}: ${count}`, ...lines].join("\n");
}

/** Issues in reading order: the fleet file first, then other files in order of first appearance; by line within a file. */
function sortIssues(issues: readonly FleetIssue[], mainFile?: string): FleetIssue[] {
  const fileOrder = new Map<string, number>([[mainFile ?? "", 0]]);
  for (const issue of issues) {
    const key = issue.file ?? "";
    if (!fileOrder.has(key)) fileOrder.set(key, fileOrder.size);
  }
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        (fileOrder.get(a.issue.file ?? "") ?? 0) - (fileOrder.get(b.issue.file ?? "") ?? 0) || (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.index - b.index,
    )
    .map(({ issue }) => issue);
}
