/**
 * The one place where errors become HTTP responses, with the real body shape `{code, message}`.
 * Model errors carry their status and code; validation errors become 400; anything else is a 500
 * whose details go to stderr only (they might quote a request body, and bodies hold secrets).
 */
import { z } from "zod";
import { EmulatorError, ERRORS, MESSAGES_JA } from "../errors";

export interface HttpError {
  status: number;
  body: { code: string; message: string };
}

/** `lang`: the `X-Soracom-Lang` header; `ja` picks Japanese messages, anything else English. */
export function toHttpError(err: unknown, lang?: string): HttpError {
  const ja = lang?.trim().toLowerCase() === "ja";
  if (err instanceof EmulatorError) {
    const message = ja && err.detail === undefined ? MESSAGES_JA[err.kind] : err.message;
    return { status: err.status, body: { code: err.code, message } };
  }
  if (err instanceof z.ZodError) {
    // prettifyError names paths and expectations, never the offending values.
    const detail = z.prettifyError(err).replace(/\s*\n\s*/g, " ");
    const prefix = ja ? MESSAGES_JA.badRequest : ERRORS.badRequest.message;
    return { status: 400, body: { code: ERRORS.badRequest.code, message: `${prefix}: ${detail}` } };
  }
  process.stderr.write(`[soracom-sigfox emulator] internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return { status: ERRORS.internal.status, body: { code: ERRORS.internal.code, message: ja ? MESSAGES_JA.internal : ERRORS.internal.message } };
}

export function errorResponse(err: unknown, lang?: string, headers?: Record<string, string>): Response {
  const { status, body } = toHttpError(err, lang);
  return Response.json(body, { status, headers: headers ?? {} });
}
