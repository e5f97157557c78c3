/**
 * The export loop of `data export`: every page of every target device over one window, a bounded
 * number of devices at a time, each device's rows written as one block once the device is complete
 * (see ./resume.ts for why that makes resuming exact).
 */
import * as fs from "node:fs";
import type { DataEntry } from "../api/schemas";
import { isSoracomApiError, type CallOptions, type GetDataQuery } from "../client";
import { forEachBounded } from "./pool";
import { removeResumeState, writeResumeState, type ExportParameters, type ResumeState } from "./resume";
import { csvHeader, encodeRow, toExportRow } from "./rows";

/** The page size asked for: the API's maximum, so a device costs `ceil(entries / 1000)` calls (at least 1). */
export const EXPORT_PAGE_SIZE = 1000;

/** The part of the client the export needs. */
export interface DataReader {
  dataEntries(deviceId: string, query: GetDataQuery, opts?: CallOptions): AsyncIterable<DataEntry>;
}

/** Where the rows go. */
export type ExportDestination =
  /** `write` may return a promise, settled when the stream can take more (backpressure from a slow pipe). */
  | { kind: "stdout"; write: (text: string) => void | Promise<void> }
  /** A file, resumable: `resume` is the state of the interrupted run to continue, if any. */
  | { kind: "file"; path: string; resume?: ResumeState };

export interface ExportProgress {
  devicesDone: number;
  devicesTotal: number;
  entries: number;
}

export interface DeviceFailure {
  deviceId: string;
  /** The client's error code (`not_found`, `http`, `network`, ...), or `error`. */
  code: string;
  message: string;
}

export interface ExportResult {
  devices: number;
  /** Devices exported in this run. */
  exported: number;
  /** Devices a resumed run found already exported. */
  skipped: number;
  failed: DeviceFailure[];
  /** Entries written in this run. */
  entries: number;
  /** Entries in the output, over every run of a resumed export. */
  totalEntries: number;
  interrupted: boolean;
  /** Set when a failure that every device would meet (credentials, configuration) stopped the export. */
  stoppedBy?: DeviceFailure;
}

/** Errors that do not depend on the device: after one, reading the others would only repeat it. */
const EXPORT_WIDE_ERROR_CODES: ReadonlySet<string> = new Set(["auth", "config"]);

export interface ExportOptions {
  reader: DataReader;
  deviceIds: readonly string[];
  parameters: ExportParameters;
  destination: ExportDestination;
  /** Devices read at once. */
  concurrency: number;
  /** Entries per call (default and maximum {@link EXPORT_PAGE_SIZE}; smaller only to measure the difference). */
  pageSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

/** Writes whole blocks to the output and keeps the resume state in step with it. */
interface Sink {
  append(deviceId: string, block: string, entries: number): void | Promise<void>;
  finish(complete: boolean): void;
  readonly completed: ReadonlySet<string>;
  readonly priorEntries: number;
}

function stdoutSink(write: (text: string) => void | Promise<void>, parameters: ExportParameters): Sink {
  if (parameters.format === "csv") void write(csvHeader());
  return { append: (_id, block) => (block !== "" ? write(block) : undefined), finish: () => undefined, completed: new Set(), priorEntries: 0 };
}

function fileSink(path: string, parameters: ExportParameters, resume: ResumeState | undefined): Sink {
  const state: ResumeState = resume
    ? { ...resume, completed: [...resume.completed] }
    : { format: "soracom-sigfox-export-resume/1", parameters, completed: [], outputBytes: 0, entries: 0 };
  const completed = new Set(state.completed);
  const priorEntries = state.entries;
  let fd: number;
  if (resume) {
    fd = fs.openSync(path, "r+");
    // Drops whatever follows the last recorded block: a torn write or a block whose device was not recorded.
    fs.ftruncateSync(fd, resume.outputBytes);
  } else {
    fd = fs.openSync(path, "w");
    if (parameters.format === "csv") {
      const header = Buffer.from(csvHeader());
      fs.writeSync(fd, header);
      state.outputBytes = header.length;
    }
  }
  fs.fsyncSync(fd);
  writeResumeState(path, state);
  let closed = false;
  return {
    completed,
    priorEntries,
    append(deviceId, block, entries) {
      const bytes = Buffer.from(block);
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written, state.outputBytes + written);
      fs.fsyncSync(fd);
      state.outputBytes += bytes.length;
      state.entries += entries;
      state.completed.push(deviceId);
      completed.add(deviceId);
      writeResumeState(path, state);
    },
    finish(complete) {
      if (closed) return;
      closed = true;
      fs.closeSync(fd);
      // A finished export needs no state; an unfinished one keeps it for `--resume`.
      if (complete) removeResumeState(path);
    },
  };
}

export async function runExport(options: ExportOptions): Promise<ExportResult> {
  const { parameters, destination } = options;
  const sink = destination.kind === "stdout" ? stdoutSink(destination.write, parameters) : fileSink(destination.path, parameters, destination.resume);
  const todo = options.deviceIds.filter((id) => !sink.completed.has(id));
  const result: ExportResult = {
    devices: options.deviceIds.length,
    exported: 0,
    skipped: options.deviceIds.length - todo.length,
    failed: [],
    entries: 0,
    totalEntries: sink.priorEntries,
    interrupted: false,
  };
  const query: GetDataQuery = { from: parameters.from, to: parameters.to, sort: parameters.sort, limit: options.pageSize ?? EXPORT_PAGE_SIZE };
  const report = () =>
    options.onProgress?.({ devicesDone: result.skipped + result.exported + result.failed.length, devicesTotal: result.devices, entries: result.totalEntries });
  report();
  // Stops taking devices on the caller's signal or on an export-wide failure.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await forEachBounded(
      todo,
      options.concurrency,
      async (deviceId) => {
        const lines: string[] = [];
        try {
          for await (const entry of options.reader.dataEntries(deviceId, query, options.signal ? { signal: options.signal } : {})) {
            lines.push(encodeRow(toExportRow(deviceId, entry), parameters.format));
          }
        } catch (error) {
          if (options.signal?.aborted === true) return; // interrupted: the device stays to do
          const failure = {
            deviceId,
            code: isSoracomApiError(error) ? error.code : "error",
            message: error instanceof Error ? error.message : String(error),
          };
          if (EXPORT_WIDE_ERROR_CODES.has(failure.code)) {
            result.stoppedBy ??= failure;
            stop.abort();
          }
          result.failed.push(failure);
          report();
          return;
        }
        if (options.signal?.aborted === true) return;
        await sink.append(deviceId, lines.join(""), lines.length);
        result.exported++;
        result.entries += lines.length;
        result.totalEntries += lines.length;
        report();
      },
      stop.signal,
    );
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    result.interrupted = options.signal?.aborted === true;
    sink.finish(!result.interrupted && result.failed.length === 0);
  }
  return result;
}
