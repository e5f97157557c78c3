/**
 * Abort and timeout scoping of one operation: the whole-operation timer combined with the caller's
 * signal, and the translation of whatever ended the operation into the error the caller sees.
 */
import type { ApiOperation, SigfoxOperation } from "../api/schemas";
import { isSoracomApiError, SoracomApiError } from "./errors";
import { NON_REPLAYABLE_OPERATIONS } from "./policy";

/** HTTP attempts made so far by one operation; shared by the loop and the error translation. */
export interface Attempts {
  n: number;
}

/** Settles like `p`, or rejects with the signal's reason as soon as it aborts. */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

class OperationTimeout extends Error {
  constructor() {
    super("operation timeout");
    this.name = "OperationTimeout";
  }
}

/** The scope of one operation; `dispose()` it when the operation settles. */
export interface OperationScope {
  /** Aborts on the caller's signal or when the whole-operation timeout elapses. */
  signal: AbortSignal;
  dispose(): void;
  /** The error to throw for `e`, naming what really ended the operation (caller, timer or `e` itself). */
  translate(e: unknown, op: ApiOperation, attempts: Attempts, request?: string): unknown;
}

/** The whole-operation timeout combined with the caller's signal, and translation of what ended it. */
export function operationScope(user: AbortSignal | undefined, timeoutMs: number): OperationScope {
  const ac = new AbortController();
  let timedOut = false;
  let userAborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort(new OperationTimeout());
  }, timeoutMs);
  const onAbort = () => {
    userAborted = true;
    ac.abort(user?.reason);
  };
  if (user) {
    if (user.aborted) onAbort();
    else user.addEventListener("abort", onAbort, { once: true });
  }
  return {
    signal: ac.signal,
    dispose(): void {
      clearTimeout(timer);
      user?.removeEventListener("abort", onAbort);
    },
    translate(e: unknown, op: ApiOperation, attempts: Attempts, request?: string): unknown {
      if (isSoracomApiError(e) && e.code === "config") return e;
      // The caller's signal or the whole-operation timer ended it: say so, whatever the transport threw.
      const ended = (code: "aborted" | "timeout", message: string): SoracomApiError =>
        new SoracomApiError({
          code,
          operation: op,
          ...(request ? { request } : {}),
          attempts: attempts.n,
          message: `${op}: ${message}`,
          outcomeUnknown: attempts.n > 0 && NON_REPLAYABLE_OPERATIONS.has(op as SigfoxOperation),
        });
      if (userAborted && !(isSoracomApiError(e) && e.code === "aborted")) return ended("aborted", "aborted by the caller");
      if (timedOut && !(isSoracomApiError(e) && e.code === "timeout")) {
        return ended("timeout", `the operation did not complete within ${timeoutMs} ms`);
      }
      if (isSoracomApiError(e)) return e;
      return new SoracomApiError({
        code: "network",
        operation: op,
        attempts: attempts.n,
        message: `${op}: unexpected failure: ${e instanceof Error ? e.name : "error"}`,
        cause: e,
      });
    },
  };
}
