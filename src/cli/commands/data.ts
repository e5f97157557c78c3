/**
 * `soracom-sigfox data export`: the Harvest Data entries of every target device over a time window,
 * as JSON Lines or CSV, resumable when written to a file. See docs/dataplane.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "../command";
import {
  CLIENT_HELP,
  CLIENT_OPTIONS,
  clientFor,
  MAX_CONCURRENCY,
  oneOf,
  parseCommandFlags,
  parseConcurrency,
  singleSubcommand,
  targetDeviceIds,
  usageError,
  UsageError,
  type DataplaneIo,
} from "../dataplane-io";
import { DATA_SORT_ORDERS } from "../../api/schemas";
import { runExport, type ExportProgress } from "../../dataplane/export";
import { changedFlags, readResumeState, resumeStatePath, ResumeStateError, type ExportParameters, type ResumeState } from "../../dataplane/resume";
import { EXPORT_COLUMNS, EXPORT_FORMATS, type ExportFormat } from "../../dataplane/rows";
import { parseTargetFlags, TARGET_HELP, TARGET_OPTIONS, TargetUsageError, type DeviceTargets } from "../../dataplane/targets";
import { resolveWindow, WindowUsageError } from "../../dataplane/window";

const NAME = "soracom-sigfox data export";
export const DEFAULT_EXPORT_CONCURRENCY = 4;

const HELP = `Usage: soracom-sigfox data export [selection] [options]

Writes the Harvest Data entries of every selected device over a time window, one row per entry:
the device ID, the time, the Sigfox message fields decoded from the entry's content and the raw
content. Every page of every device is read (1000 entries per call), a few devices at a time.

${TARGET_HELP}

Window:
  --from TIME       start (inclusive): ISO 8601 (2026-11-30T00:00:00Z) or a duration before now
                    (30m, 24h, 7d, 2w); default: 24h before --to
  --to TIME         end (inclusive), same forms; default: now
  --sort asc|desc   order of each device's entries (default asc: oldest first)

Output:
  --format jsonl|csv  JSON Lines (default) or CSV with a header; columns, in order:
                      ${EXPORT_COLUMNS.join(",")}
  -o, --output FILE   write to FILE (default: stdout); keeps FILE.resume.json until the export is complete
  --resume            continue the interrupted export into --output: completed devices are skipped and
                      no row is written twice (window, sort, format and selection must be the same flags)
  --concurrency N     devices read at once, 1..${MAX_CONCURRENCY} (default ${DEFAULT_EXPORT_CONCURRENCY}); requests still share the client's rate limiter
  --progress          live progress on stderr even when it is not a terminal (default: only on a terminal)
  --profile NAME      soracom-cli profile to use
  -h, --help          show this help

Rows are grouped by device; devices appear in the order they complete.
${CLIENT_HELP}

Exit codes: 0 every device exported; 1 some device failed (the others are written; with --output,
rerun with --resume to retry only those) or the account could not be listed; 2 bad usage;
130 interrupted (with --output, rerun with --resume).
`;

const OPTIONS = {
  ...TARGET_OPTIONS,
  ...CLIENT_OPTIONS,
  from: { type: "string" },
  to: { type: "string" },
  sort: { type: "string" },
  format: { type: "string" },
  output: { type: "string", short: "o" },
  resume: { type: "boolean" },
  concurrency: { type: "string" },
  progress: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The flags that define what an export contains, as recorded for `--resume`. */
function definingFlags(values: Record<string, unknown>, sort: string, format: ExportFormat): Record<string, string> {
  const flags: Record<string, string> = { sort, format };
  for (const name of ["from", "to", "tag", "tag-prefix", "group", "status", "fleet", "devices"]) {
    const v = values[name];
    if (v !== undefined) flags[name] = Array.isArray(v) ? v.join(" ") : String(v);
  }
  return flags;
}

/** Runs `data export` (args after `data export`); `io` is injectable for tests. */
export async function dataExport(args: string[], io: DataplaneIo): Promise<number> {
  const usage = (message: string): number => usageError(io, NAME, message);
  const values = parseCommandFlags(NAME, HELP, OPTIONS, args, io);
  if (typeof values === "number") return values;

  let targets: DeviceTargets;
  let parameters: ExportParameters;
  let concurrency: number;
  let resume: ResumeState | undefined;
  const output = values.output !== undefined ? path.resolve(io.cwd, values.output) : undefined;
  try {
    const sort = oneOf("sort", values.sort, DATA_SORT_ORDERS, "asc");
    const format = oneOf("format", values.format, EXPORT_FORMATS, "jsonl");
    concurrency = parseConcurrency(values.concurrency, DEFAULT_EXPORT_CONCURRENCY);
    targets = parseTargetFlags(values);
    const window = resolveWindow(values, io.now());
    parameters = { ...window, sort, format, flags: definingFlags(values, sort, format) };
    if (values.resume && output === undefined) throw new UsageError("--resume needs --output FILE: only an export to a file can be resumed");
    if (output !== undefined && !fs.statSync(path.dirname(output), { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--output ${values.output}: the folder ${path.dirname(output)} does not exist; create it or choose another path`);
    }
    if (output !== undefined && values.resume) {
      resume = readResumeState(output);
      if (resume) {
        const changed = changedFlags(resume.parameters.flags, parameters.flags);
        if (changed.length > 0)
          throw new UsageError(
            `--resume: these flags differ from the interrupted export: ${changed.join("; ")}. Give the same flags, or start over without --resume`,
          );
        // The recorded window, not a re-resolved one: `--from 24h` must mean the first run's 24 hours.
        parameters = resume.parameters;
        if (!fs.existsSync(output) || fs.statSync(output).size < resume.outputBytes) {
          throw new UsageError(`--resume: ${values.output} is missing or shorter than ${resumeStatePath(values.output!)} records; start over without --resume`);
        }
      } else if (fs.existsSync(output) && fs.statSync(output).size > 0) {
        throw new UsageError(
          `--resume: there is no ${resumeStatePath(values.output!)}: the export into ${values.output} is complete or was not started by this command; run without --resume to start over`,
        );
      }
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof TargetUsageError || error instanceof WindowUsageError || error instanceof ResumeStateError)
      return usage(error.message);
    throw error;
  }

  if (output !== undefined && !values.resume && fs.existsSync(resumeStatePath(output))) {
    io.stderr(`${NAME}: ${values.output} holds an interrupted export: starting over (add --resume to continue it instead)\n`);
  }
  const client = clientFor(io, values.profile);
  const deviceIds = await targetDeviceIds(NAME, targets, client, io);
  if (typeof deviceIds === "number") return deviceIds;

  const progress = progressPrinter(io, values.progress === true);
  const result = await runExport({
    reader: client,
    deviceIds,
    parameters,
    destination: output !== undefined ? { kind: "file", path: output, ...(resume ? { resume } : {}) } : { kind: "stdout", write: io.stdout },
    concurrency,
    ...(io.signal ? { signal: io.signal } : {}),
    onProgress: progress.update,
  });
  progress.done();

  for (const f of result.failed) io.stderr(`${NAME}: device ${f.deviceId} failed (${f.code}): ${f.message}\n`);
  if (result.stoppedBy) io.stderr(`${NAME}: stopped: this ${result.stoppedBy.code} error would fail every device; fix the credentials or endpoint and rerun\n`);
  const window = `${new Date(parameters.from).toISOString()} .. ${new Date(parameters.to).toISOString()}`;
  const skipped = result.skipped > 0 ? `, ${result.skipped} already exported by the interrupted run` : "";
  io.stderr(
    `${NAME}: ${result.entries} entries from ${result.exported} of ${result.devices} devices${skipped}, ${result.failed.length} failed, window ${window}` +
      `${output !== undefined ? ` -> ${values.output} (${result.totalEntries} entries in the file)` : ""}\n`,
  );
  if (result.interrupted) {
    io.stderr(`${NAME}: interrupted${output !== undefined ? `: rerun with the same flags and --resume to continue` : ""}\n`);
    return 130;
  }
  if (result.failed.length > 0 || result.stoppedBy) {
    if (output !== undefined) io.stderr(`${NAME}: rerun with the same flags and --resume to retry the failed devices only\n`);
    return 1;
  }
  return 0;
}

/** Devices done / total and entries so far: live on a terminal, else one line per percent with --progress. */
function progressPrinter(io: DataplaneIo, forced: boolean): { update: (p: ExportProgress) => void; done: () => void } {
  const text = (p: ExportProgress) => `export: ${p.devicesDone}/${p.devicesTotal} devices, ${p.entries} entries`;
  if (io.stderrIsTTY) {
    let shown = false;
    return {
      update: (p) => {
        shown = true;
        io.stderr(`\r\x1b[K${text(p)}`);
      },
      done: () => shown && io.stderr("\r\x1b[K"),
    };
  }
  if (!forced) return { update: () => undefined, done: () => undefined };
  let lastPercent = -1;
  return {
    update: (p) => {
      const percent = p.devicesTotal === 0 ? 100 : Math.floor((100 * p.devicesDone) / p.devicesTotal);
      if (percent === lastPercent) return;
      lastPercent = percent;
      io.stderr(`${text(p)}\n`);
    },
    done: () => undefined,
  };
}

export const dataCommand: Command = singleSubcommand(
  "data",
  "export",
  "data export: the Harvest Data entries of selected devices over a time window (JSON Lines or CSV)",
  dataExport,
);
