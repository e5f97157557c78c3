/**
 * The one place where errors become HTTP responses, with the real body shape `{code, message}`.
 * Model errors carry their status and code; validation errors become 400; anything else is a 500
 * whose details go to stderr only (they might quote a request body, and bodies hold secrets).
 */
import { z } from "zod";
import { EmulatorError, ERRORS } from "../errors";

export interface HttpError {
  status: number;
  body: { code: string; message: string };
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof EmulatorError) {
    return { status: err.status, body: { code: err.code, message: err.message } };
  }
  if (err instanceof z.ZodError) {
    // prettifyError names paths and expectations, never the offending values.
    const detail = z.prettifyError(err).replace(/\s*\n\s*/g, " ");
    return { status: 400, body: { code: ERRORS.badRequest.code, message: `${ERRORS.badRequest.message}: ${detail}` } };
  }
  process.stderr.write(`[soracom-sigfox emulator] internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return { status: ERRORS.internal.status, body: { code: ERRORS.internal.code, message: ERRORS.internal.message } };
}

export function errorResponse(err: unknown, headers?: Record<string, string>): Response {
  const { status, body } = toHttpError(err);
  return Response.json(body, { status, headers: headers ?? {} });
}
