/**
 * The request log and per-operation call counts of the API (not of the control plane).
 *
 * Entries hold only method, path, operation, operator, status and timing: no headers, no query values
 * beyond the path's own, no bodies. That is what keeps tokens, API keys, auth keys and PACs out of it.
 */
import type { ApiOperation } from "../../api/schemas";

export interface RequestLogEntry {
  seq: number;
  /** Emulator-clock time the request arrived (ISO). */
  time: string;
  method: string;
  /** Path and query string as received (the API never carries secrets there). */
  path: string;
  operation: ApiOperation | null;
  operatorId?: string;
  /** HTTP status answered; `null` when the connection was dropped. */
  status: number | null;
  /** Which fault was applied, e.g. `status:503`, `latency:200`, `drop:after`. */
  fault?: string;
  durationMs?: number;
}

const MAX_ENTRIES = 10_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;
  private counts: Partial<Record<ApiOperation, number>> = {};

  begin(entry: Omit<RequestLogEntry, "seq" | "status">): RequestLogEntry {
    const full: RequestLogEntry = { seq: ++this.seq, status: null, ...entry };
    this.entries.push(full);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    if (entry.operation) this.counts[entry.operation] = (this.counts[entry.operation] ?? 0) + 1;
    return full;
  }

  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  calls(): Partial<Record<ApiOperation, number>> {
    return { ...this.counts };
  }

  /** Clears the log and the call counts together: tests read both as "since the last clear". */
  clear(): void {
    this.entries = [];
    this.counts = {};
  }
}
