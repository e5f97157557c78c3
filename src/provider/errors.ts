/**
 * Errors the provider throws to the engine.
 *
 * The engine shows the thrown `message` (for create/update partial state: the `reasons`). Every
 * message names the device and the operation and never contains a secret: the client already
 * redacts its own errors, and {@link scrub} removes the PAC of the device at hand once more.
 */
import { isSoracomApiError } from "../client";
import type { JsonObject } from "./sanitize";

const REDACTED = "[REDACTED]";

/** Removes every occurrence of the given secret values (case-insensitively: PACs are hex). */
export function scrub(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (typeof s !== "string" || s.length < 4) continue;
    out = out.replace(new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), REDACTED);
  }
  return out;
}

/** A one-line description of any thrown value (client errors carry a redacted message and their code). */
export function describeError(err: unknown): string {
  if (isSoracomApiError(err)) {
    const soracom = err.soracomCode && !err.message.includes(err.soracomCode) ? ` [${err.soracomCode}]` : "";
    return `${err.message}${soracom} (${err.code})`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The client's stable error code, when `err` is a client error. */
export function errorCode(err: unknown): string | undefined {
  return isSoracomApiError(err) ? err.code : undefined;
}

/**
 * An expected, user-facing error: the message says everything. The host prints `${e}: ${e.stack}` to
 * the engine's output for read/delete errors; without a stack that is one line instead of the
 * message twice plus a trace through the provider's internals.
 */
export function userError(message: string): Error {
  const err = new Error(message);
  err.stack = "";
  return err;
}

/** Error of one device operation: `SigfoxDevice 1A2B: <what> failed: <cause>`. */
export function operationError(deviceId: string, what: string, err: unknown, secrets: ReadonlyArray<string | undefined>): Error {
  return userError(scrub(`SigfoxDevice ${deviceId}: ${what} failed: ${describeError(err)}`, secrets));
}

/**
 * The dynamic host's partial-state error (create and update only): the engine records the resource
 * with `properties` as its outputs and runs `update` on the next `pulumi up`. The shown text is
 * `reasons`. `properties` must carry `__provider`, or later read/delete cannot load the provider.
 */
export interface PartialStateError extends Error {
  id: string;
  properties: JsonObject;
  reasons: string[];
}

export function partialStateError(id: string, properties: JsonObject, reason: string): PartialStateError {
  const err = new Error(reason) as PartialStateError;
  err.id = id;
  err.properties = properties;
  err.reasons = [reason];
  return err;
}
