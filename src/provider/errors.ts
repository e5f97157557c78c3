/**
 * Errors the provider throws to the engine.
 *
 * The engine shows the thrown `message` (for create/update partial state: the `reasons`). Every
 * message names the device and the operation and never contains a secret: the client already
 * redacts its own errors, and {@link scrub} removes the PAC of the device at hand once more.
 */
import { isSoracomApiError, redactValues } from "../client";
import { configurationMessage } from "./config";
import type { JsonObject } from "./sanitize";

/** Removes every occurrence of the given secret values, case-insensitively: PACs are hex, and an API may echo them in the other case. */
export function scrub(text: string, secrets: ReadonlyArray<string | undefined>): string {
  return redactValues(text, secrets, { ignoreCase: true });
}

/** A one-line description of any thrown value (client errors carry a redacted message and their code). */
export function describeError(err: unknown): string {
  if (isSoracomApiError(err)) {
    const soracom = err.soracomCode && !err.message.includes(err.soracomCode) ? ` [${err.soracomCode}]` : "";
    // The client tells its own callers how to check an unknown outcome ("check the device with
    // getSigfoxDevice"): a client method, meaningless to a Pulumi user. The provider says what to run.
    const message = err.outcomeUnknown ? err.message.replace(/; the request (may have )?reached the server.*$/, "") : err.message;
    return `${message}${soracom} (${err.code})`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The client's stable error code, when `err` is a client error. */
export function errorCode(err: unknown): string | undefined {
  return isSoracomApiError(err) ? err.code : undefined;
}

/** The HTTP status of a client error, when a response was received. */
export function errorStatus(err: unknown): number | undefined {
  return isSoracomApiError(err) ? err.status : undefined;
}

/**
 * What `String(error)` gives for a {@link userError}: a marker the host's echo filter recognizes. The
 * dynamic-provider host answers a failed read/delete/check/diff to the engine with the message AND
 * prints `${e}: ${e.stack}` to stderr, which the engine shows as a second copy ("Error: <message>: ").
 */
const ALREADY_REPORTED = "\u0000pulumi-soracom-sigfox: reported to the engine\u0000";

/**
 * An expected, user-facing error: the message says everything, shown once by the engine (no stack
 * trace through the provider's internals, no second copy on stderr: see {@link quietHostEcho}).
 */
export function userError(message: string): Error {
  const err = new Error(message);
  err.stack = "";
  Object.defineProperty(err, "toString", { value: () => ALREADY_REPORTED });
  return err;
}

let echoFiltered = false;
/**
 * In the provider process: drops the host's stderr echo of a {@link userError} (the engine already
 * shows its message). Anything else the host or a library prints goes through unchanged.
 */
export function quietHostEcho(): void {
  if (echoFiltered) return;
  echoFiltered = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith(ALREADY_REPORTED)) return;
    original(...args);
  };
}

/** Error of one device operation: `SigfoxDevice 1A2B: <what> failed: <cause>`. */
export function operationError(deviceId: string, what: string, err: unknown, secrets: ReadonlyArray<string | undefined>): Error {
  if (errorCode(err) === "config") return userError(scrub(`SigfoxDevice ${deviceId}: ${configurationMessage((err as Error).message)}`, secrets));
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
