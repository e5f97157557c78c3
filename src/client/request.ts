/**
 * Building requests: the request description the loop sends, argument checks done before any I/O,
 * request bodies checked against their wire schema, and the `/auth` body of each credential kind.
 */
import type { z } from "zod";
import type { ApiOperation, SigfoxOperation } from "../api/schemas";
import type { Credentials } from "./credentials";
import { SoracomApiError, zodIssuesText } from "./errors";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** One operation's request, before authentication and retries. */
export interface RequestSpec {
  operation: ApiOperation;
  method: HttpMethod;
  /** Path after `/v1`, already percent-encoded. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  authenticated: boolean;
  /** Secrets in this request beyond the credentials (a PAC). */
  secrets?: string[];
}

/** A `validation` error for a bad argument, raised before anything is sent. */
export function invalidArgument(op: SigfoxOperation, message: string): SoracomApiError {
  return new SoracomApiError({ code: "validation", operation: op, message: `${op}: ${message}` });
}

export function checkLimit(op: SigfoxOperation, limit: number | undefined, max: number): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > max)) {
    throw invalidArgument(op, `limit must be an integer from 1 to ${max}`);
  }
}

/** `/sigfox_devices/{deviceId}{suffix}` with the ID percent-encoded; the ID is required. */
export function devicePath(op: SigfoxOperation, deviceId: string, suffix: string): string {
  if (typeof deviceId !== "string" || deviceId.trim() === "") throw invalidArgument(op, "deviceId is required");
  return `/sigfox_devices/${encodeURIComponent(deviceId)}${suffix}`;
}

/** `value` checked against the request's wire schema (`config` error for `/auth`: the credentials are bad). */
export function parseRequest<T>(op: ApiOperation, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new SoracomApiError({ code: op === "auth" ? "config" : "validation", operation: op, message: `${op}: invalid request: ${zodIssuesText(r.error)}` });
  }
  return r.data;
}

/** `?k=v&…` of the defined query values, percent-encoded; empty when there are none. */
export function buildQuery(q: RequestSpec["query"]): string {
  if (!q) return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

/** The credential fields of a `/auth` request body. */
export function wireCredentials(c: Credentials): Record<string, string> {
  if ("authKeyId" in c) return { authKeyId: c.authKeyId, authKey: c.authKey };
  if ("userName" in c) return { operatorId: c.operatorId, userName: c.userName, password: c.password, ...(c.mfaOTPCode ? { mfaOTPCode: c.mfaOTPCode } : {}) };
  if ("email" in c) return { email: c.email, password: c.password, ...(c.mfaOTPCode ? { mfaOTPCode: c.mfaOTPCode } : {}) };
  return {};
}
