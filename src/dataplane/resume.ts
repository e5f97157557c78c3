/**
 * The resume state of `data export --output FILE`: `FILE.resume.json`, beside the output.
 *
 * Why no row is ever written twice: a device's rows reach the output only once the device is read
 * completely, as one block appended in a single write, and only after that block is on disk is the
 * device recorded as completed together with the output's new length. A resumed export truncates the
 * output back to the recorded length (dropping a block whose write the interruption cut, or whose
 * device was not yet recorded) and skips the completed devices. The state file is replaced
 * atomically (write a temporary file, rename), so it is always a whole, earlier or later, version.
 */
import * as fs from "node:fs";
import { z } from "zod";
import { EXPORT_FORMATS } from "./rows";
import { DATA_SORT_ORDERS } from "../api/schemas";

export const RESUME_STATE_FORMAT = "soracom-sigfox-export-resume/1" as const;

export const ExportParametersSchema = z.object({
  /** The window as resolved by the first run (a relative `--from 24h` must not move on resume). */
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  sort: z.enum(DATA_SORT_ORDERS),
  format: z.enum(EXPORT_FORMATS),
  /** The flags as given, to refuse a resume with a different selection or window. */
  flags: z.record(z.string(), z.string()),
});
export type ExportParameters = z.infer<typeof ExportParametersSchema>;

export const ResumeStateSchema = z.object({
  format: z.literal(RESUME_STATE_FORMAT),
  parameters: ExportParametersSchema,
  /** Devices whose rows are all in the output. */
  completed: z.array(z.string()),
  /** Length of the output once the completed devices' rows are in it. */
  outputBytes: z.number().int().nonnegative(),
  /** Entries written so far. */
  entries: z.number().int().nonnegative(),
});
export type ResumeState = z.infer<typeof ResumeStateSchema>;

export function resumeStatePath(output: string): string {
  return `${output}.resume.json`;
}

/** A resume state that cannot be used: the message says why and what to do. */
export class ResumeStateError extends Error {
  override name = "ResumeStateError";
}

/** The state beside `output`, or undefined when there is none. */
export function readResumeState(output: string): ResumeState | undefined {
  const file = resumeStatePath(output);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ResumeStateError(`${file} is not JSON: delete it and the output, and start the export again without --resume`);
  }
  const result = ResumeStateSchema.safeParse(parsed);
  if (!result.success)
    throw new ResumeStateError(`${file} is not a resume state of this version (${z.prettifyError(result.error)}): delete it and start again without --resume`);
  return result.data;
}

export function writeResumeState(output: string, state: ResumeState): void {
  const file = resumeStatePath(output);
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, "w");
  try {
    fs.writeSync(fd, JSON.stringify(state));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

export function removeResumeState(output: string): void {
  fs.rmSync(resumeStatePath(output), { force: true });
}

/** Which flags differ between a resume and the interrupted run, as `--flag (was X, now Y)`. */
export function changedFlags(recorded: Record<string, string>, given: Record<string, string>): string[] {
  const names = [...new Set([...Object.keys(recorded), ...Object.keys(given)])].sort();
  return names
    .filter((n) => recorded[n] !== given[n])
    .map(
      (n) =>
        `--${n} (was ${recorded[n] === undefined ? "not given" : JSON.stringify(recorded[n])}, now ${given[n] === undefined ? "not given" : JSON.stringify(given[n])})`,
    );
}
