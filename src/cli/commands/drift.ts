/**
 * `soracom-sigfox drift`: compares the live account with what is managed (Pulumi stacks, a state
 * file or a fleet file), read-only, with the list API, without PACs. The logic is in src/drift.
 *
 * Exit codes (Terraform's -detailed-exitcode): 0 in sync, 2 drift found, 1 error, bad usage
 * included (2 means drift and nothing else, so a pipeline can branch on it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../command";
import { isSoracomApiError, SoracomClient } from "../../client";
import {
  ExpectedStateError,
  FORMATS,
  hasDrift,
  IgnoreRuleError,
  IgnoreRules,
  NO_IGNORE_RULES,
  parseIgnoreRules,
  renderReport,
  runDrift,
  type ExpectedSource,
  type Format,
} from "../../drift";
import { summaryLine } from "../../drift/render";
import { DEFAULT_STATUSES, parseSelectionFlags, SelectionUsageError, type DeviceSelection } from "../../selection";

export const DRIFT_IGNORE_FILE = ".sigfoxdriftignore";

const HELP = `Usage: soracom-sigfox drift [options]

Compares the live Soracom account with the managed devices, read-only, and reports devices that
drifted (tags, groupId, terminationEnabled), managed devices that are missing (deleted, terminated),
and unmanaged devices (in the account, in no compared stack). Reads the account with the list API
(one call per 100 devices) and needs no PAC; never runs a Pulumi program.

What to compare against (one of; default: the selected stack of the Pulumi project in --cwd):
  --stack NAME          a stack of the project (repeatable; globs such as 'prod-*' match the
                        project's stacks). Read with \`pulumi stack export\` (no secrets decrypted,
                        no passphrase needed), from any backend you are logged in to.
  --state-file FILE     a saved \`pulumi stack export\` document
  --fleet FILE          a fleet file's declared state (no Pulumi at all)
  --cwd DIR             the Pulumi project directory (default .); relative paths start there

Scope and rules:
  --scope-tag NAME=VALUE  only devices carrying this tag count as unmanaged (repeatable: all must
                          match; the first is filtered by the server)
  --no-unmanaged        do not report unmanaged devices
  --ignore FILE         ignore rules (default: ${DRIFT_IGNORE_FILE} in --cwd, if present): one
                        pattern a line over <deviceId>, <deviceId>.tags.<name>, <deviceId>.groupId,
                        <deviceId>.terminationEnabled; * wildcards, ! re-includes, # comments

Output:
  --format FORMAT       ${FORMATS.join(", ")} (default text); json: see docs/drift.md
  --output FILE         write the report to FILE instead of stdout
  -h, --help            show this help

Credentials and endpoint: as every command (SORACOM_AUTH_KEY_ID/SORACOM_AUTH_KEY, SORACOM_PROFILE,
SORACOM_ENDPOINT, ...); stack configuration is not read.

Exit codes: 0 in sync, 2 drift found (anything drifted, missing or unmanaged that is not
ignored), 1 error (including bad usage).
`;

export interface DriftIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: the progress line redraws itself there. */
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const defaultIo = (): DriftIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
});

class UsageError extends Error {}

interface ParsedFlags {
  source: ExpectedSource;
  cwd: string;
  scope: DeviceSelection;
  includeUnmanaged: boolean;
  ignoreFile: string | undefined;
  format: Format;
  output: string | undefined;
}

function parseFlags(args: string[], io: DriftIo): ParsedFlags | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string", multiple: true },
        "state-file": { type: "string" },
        fleet: { type: "string" },
        cwd: { type: "string" },
        "scope-tag": { type: "string", multiple: true },
        "no-unmanaged": { type: "boolean" },
        ignore: { type: "string" },
        format: { type: "string" },
        output: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return "help";
  const sources = [v.stack !== undefined && "--stack", v["state-file"] !== undefined && "--state-file", v.fleet !== undefined && "--fleet"].filter(Boolean);
  if (sources.length > 1)
    throw new UsageError(`${sources.join(" and ")} cannot be combined: compare against stacks, a state file or a fleet file, one at a time`);
  const format = v.format ?? "text";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format ${JSON.stringify(format)}: expected one of ${FORMATS.join(", ")}`);
  for (const s of v.stack ?? []) if (s.trim() === "") throw new UsageError("--stack: empty stack name; give a name or a glob such as 'prod-*'");
  let scope: DeviceSelection;
  try {
    scope = { ...parseSelectionFlags({ tag: v["scope-tag"] }), statuses: [...DEFAULT_STATUSES] };
  } catch (e) {
    // The selection module names its own --tag flag; here the same syntax is spelled --scope-tag.
    if (e instanceof SelectionUsageError) throw new UsageError(e.message.replaceAll("--tag ", "--scope-tag "));
    throw e;
  }
  const cwd = path.resolve(io.cwd, v.cwd ?? ".");
  if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) throw new UsageError(`--cwd ${v.cwd}: not a directory`);
  const source: ExpectedSource =
    v.fleet !== undefined
      ? { kind: "fleet", file: v.fleet }
      : v["state-file"] !== undefined
        ? { kind: "state-file", file: v["state-file"] }
        : { kind: "stacks", stacks: v.stack ?? [] };
  return { source, cwd, scope, includeUnmanaged: v["no-unmanaged"] !== true, ignoreFile: v.ignore, format: format as Format, output: v.output };
}

function loadIgnoreRules(flags: ParsedFlags, io: DriftIo): IgnoreRules {
  const explicit = flags.ignoreFile !== undefined;
  const file = explicit ? path.resolve(io.cwd, flags.ignoreFile!) : path.join(flags.cwd, DRIFT_IGNORE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === "ENOENT") return NO_IGNORE_RULES;
    throw new UsageError(`--ignore ${flags.ignoreFile ?? file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return new IgnoreRules(parseIgnoreRules(text, path.relative(io.cwd, file) || file));
}

/** Writes a file whole or not at all (a temp file renamed over it). */
function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Runs the command; `io` (and the API client) are injectable for tests. */
export async function drift(args: string[], io: DriftIo = defaultIo()): Promise<number> {
  let flags: ParsedFlags;
  let ignore: IgnoreRules;
  try {
    const parsed = parseFlags(args, io);
    if (parsed === "help") {
      io.stdout(HELP);
      return 0;
    }
    flags = parsed;
    ignore = loadIgnoreRules(flags, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`soracom-sigfox drift: ${e.message}\n\nRun \`soracom-sigfox drift --help\` for the options.\n`);
      return 1;
    }
    if (e instanceof IgnoreRuleError) {
      io.stderr(`soracom-sigfox drift: ${e.message}\n`);
      return 1;
    }
    throw e;
  }

  // A terminal gets one line redrawn after every page; a CI log a line every 10 pages.
  const progress = (listed: number, pages: number): void => {
    if (io.stderrIsTTY) io.stderr(`\rlisting the account: ${listed} devices, ${pages} pages`);
    else if (pages % 10 === 0) io.stderr(`listing the account: ${listed} devices, ${pages} pages\n`);
  };
  try {
    const report = await runDrift({
      source: flags.source,
      cwd: flags.cwd,
      env: io.env,
      api: new SoracomClient({ env: io.env }),
      scope: flags.scope,
      includeUnmanaged: flags.includeUnmanaged,
      ignore,
      warn: (m) => io.stderr(`warning: ${m}\n`),
      onListed: progress,
    });
    io.stderr(`${io.stderrIsTTY ? "\r" : ""}listed ${report.apiCalls.list} pages, confirmed ${report.apiCalls.get} devices with a GET\n`);
    const text = renderReport(report, flags.format);
    if (flags.output !== undefined) {
      writeWhole(path.resolve(io.cwd, flags.output), text);
      io.stderr(`${summaryLine(report)}; report written to ${flags.output}\n`);
    } else {
      io.stdout(text);
    }
    return hasDrift(report) ? 2 : 0;
  } catch (e) {
    if (e instanceof ExpectedStateError) {
      io.stderr(`soracom-sigfox drift: ${e.message}\n`);
      return 1;
    }
    if (isSoracomApiError(e)) {
      io.stderr(`soracom-sigfox drift: reading the Soracom account failed: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

export const driftCommand: Command = {
  name: "drift",
  summary: "compare the live account with Pulumi stacks or a fleet file: drifted, missing, unmanaged devices",
  run: (args) => drift(args),
};
