/**
 * The one error type the client throws. Callers branch on `code`, never on `instanceof` (two copies
 * of this package in one process would break `instanceof`; the brand survives that).
 */
import type { z } from "zod";
import type { ApiOperation } from "../api/schemas";
import { redact } from "./redact";

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export const SORACOM_ERROR_CODES = [
  /** The connection failed or was dropped (no HTTP response). */
  "network",
  /** A connect, headers, body or whole-operation timeout elapsed. */
  "timeout",
  /** The caller's `AbortSignal` fired. */
  "aborted",
  /** Any other non-success HTTP status (5xx, unexpected 4xx). */
  "http",
  /** 429 after the bounded number of waits and retries. */
  "rate_limited",
  /** 401/403, bad credentials, or a token that re-authentication could not fix. */
  "auth",
  /** 404: the device (or tag) does not exist. */
  "not_found",
  /** 409: the request conflicts with the resource's state. */
  "conflict",
  /** 400, or the client refused an invalid argument before sending it. */
  "validation",
  /** A 2xx response whose body (or pagination cursor) does not match the wire schema. */
  "response_validation",
  /** Configuration problem: no credentials, unreadable or unsafe profile, bad endpoint. */
  "config",
] as const;
export type SoracomErrorCode = (typeof SORACOM_ERROR_CODES)[number];

const BRAND = Symbol.for("pulumi-soracom-sigfox/SoracomApiError");

/** Constructor fields of {@link SoracomApiError}. */
export interface SoracomApiErrorInit {
  code: SoracomErrorCode;
  message: string;
  operation: ApiOperation | "config";
  status?: number;
  soracomCode?: string;
  soracomMessage?: string;
  request?: string;
  retryable?: boolean;
  outcomeUnknown?: boolean;
  attempts?: number;
  cause?: unknown;
  /** Secret values to scrub from the message in addition to the process-wide registry. */
  secrets?: Iterable<string | undefined>;
}

/**
 * An error from the Soracom API client. Every string field is redacted: no API key, token, auth key,
 * password or PAC appears in `message`, `stack`, `request` or `toJSON()`.
 */
export class SoracomApiError extends Error {
  /** Stable machine-readable category; see {@link SORACOM_ERROR_CODES}. */
  readonly code: SoracomErrorCode;
  /** HTTP status, when a response was received. */
  readonly status?: number;
  /** Soracom's own error code from the body, e.g. `AUM0001`. */
  readonly soracomCode?: string;
  /** Soracom's error message from the body (redacted). */
  readonly soracomMessage?: string;
  /** The operation (spec operationId, or `auth`) that failed; `config` for configuration errors. */
  readonly operation: ApiOperation | "config";
  /** Redacted request summary, e.g. `POST /v1/sigfox_devices/1A2B/register`. */
  readonly request?: string;
  /**
   * True when calling the same method again later may succeed *and* cannot duplicate an effect
   * (transient failure of a replay-safe operation).
   */
  readonly retryable: boolean;
  /**
   * True when the request may have reached the server and been applied although no success was seen
   * (5xx, dropped connection or timeout of `register`, `terminate`, `sendData`): reconcile with a GET.
   */
  readonly outcomeUnknown: boolean;
  /** HTTP attempts made for this operation (0 when nothing was sent). */
  readonly attempts: number;
  readonly [BRAND] = true;

  constructor(init: SoracomApiErrorInit) {
    super(redact(init.message, init.secrets), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "SoracomApiError";
    this.code = init.code;
    this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
    if (init.soracomCode !== undefined) this.soracomCode = redact(init.soracomCode, init.secrets);
    if (init.soracomMessage !== undefined) this.soracomMessage = redact(init.soracomMessage, init.secrets);
    if (init.request !== undefined) this.request = redact(init.request, init.secrets);
    this.retryable = init.retryable ?? false;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    this.attempts = init.attempts ?? 0;
    // Stack was captured with the unredacted message only if the message had secrets; rebuild it.
    if (this.stack) this.stack = redact(this.stack, init.secrets);
  }

  /** A plain, redacted object (what `JSON.stringify(error)` prints). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      operation: this.operation,
      status: this.status,
      soracomCode: this.soracomCode,
      soracomMessage: this.soracomMessage,
      request: this.request,
      retryable: this.retryable,
      outcomeUnknown: this.outcomeUnknown,
      attempts: this.attempts,
    };
  }
}

/** True for a {@link SoracomApiError}, also one thrown by another copy of this package (brand check). */
export function isSoracomApiError(e: unknown): e is SoracomApiError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** Maps an HTTP error status to an error code. */
export function codeForStatus(status: number): SoracomErrorCode {
  if (status === 400 || status === 422) return "validation";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 429) return "rate_limited";
  return "http";
}

/** A configuration error (`code: "config"`). */
export function configError(message: string, cause?: unknown): SoracomApiError {
  return new SoracomApiError({ code: "config", operation: "config", message, cause });
}

/** Issue paths and messages of a zod error for an error text: never the input values (they may be secrets). */
export function zodIssuesText(error: z.ZodError): string {
  return (
    error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`)
      .join("; ") + (error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : "")
  );
}
