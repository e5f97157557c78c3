/**
 * Reading responses: the body against its wire schema, Soracom's error body, and the headers the
 * policy and the rate limiter act on (`Retry-After`, `x-soracom-ratelimit-*`, pagination cursors).
 */
import type { z } from "zod";
import { ApiErrorBody, type ApiOperation } from "../api/schemas";
import { SoracomApiError, zodIssuesText } from "./errors";
import { nextKeyFromHeaders, type Page } from "./pagination";
import type { RateLimitObservation } from "./rate-limiter";
import type { HttpResult } from "./transport";

/** Response headers as undici gives them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Soracom's `{code, message}` error body, as the error fields it fills. */
export interface ErrorBodyFields {
  soracomCode?: string;
  soracomMessage?: string;
}

/** The body of a 2xx `res` parsed with `schema`; a `response_validation` error when it does not match. */
export function parseResponse<T>(op: ApiOperation, schema: z.ZodType<T>, res: HttpResult, attempts: number): T {
  const invalid = (message: string) =>
    new SoracomApiError({ code: "response_validation", operation: op, status: res.status, attempts, message: `${op}: ${message}` });
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw invalid(`the response (HTTP ${res.status}) is not valid JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalid(`the response does not match the API schema: ${zodIssuesText(parsed.error)}`);
  return parsed.data;
}

/** One page of a list operation: its items and the cursor of the next page, if any. */
export function parsePage<T>(op: "listSigfoxDevices" | "getDataFromSigfoxDevice", schema: z.ZodType<T[]>, res: HttpResult, attempts: number): Page<T> {
  const items = parseResponse(op, schema, res, attempts);
  const nextKey = nextKeyFromHeaders(res.headers);
  return nextKey !== undefined ? { items, nextKey } : { items };
}

/** Soracom's error code and message from an error response body; nothing when it is not one. */
export function parseErrorBody(text: string): ErrorBodyFields {
  if (!text) return {};
  try {
    const parsed = ApiErrorBody.safeParse(JSON.parse(text));
    if (!parsed.success) return {};
    return {
      ...(parsed.data.code !== undefined ? { soracomCode: parsed.data.code } : {}),
      ...(parsed.data.message !== undefined ? { soracomMessage: parsed.data.message } : {}),
    };
  } catch {
    return {};
  }
}

function header(h: ResponseHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function numberHeader(h: ResponseHeaders, name: string): number | undefined {
  const v = header(h, name);
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** What the `x-soracom-ratelimit-*` headers say about the rate-limit window. */
export function rateLimitHeaders(h: ResponseHeaders): RateLimitObservation {
  const limit = numberHeader(h, "x-soracom-ratelimit-limit");
  const remaining = numberHeader(h, "x-soracom-ratelimit-remaining");
  const secondsBeforeRefresh = numberHeader(h, "x-soracom-ratelimit-seconds-before-refresh");
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(secondsBeforeRefresh !== undefined ? { secondsBeforeRefresh } : {}),
  };
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms. */
export function retryAfterMs(h: ResponseHeaders, now: number): number | undefined {
  const v = header(h, "retry-after")?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** `x-soracom-ratelimit-seconds-before-refresh` in ms: when the rate-limit window opens again. */
export function secondsBeforeRefreshMs(h: ResponseHeaders): number | undefined {
  const s = numberHeader(h, "x-soracom-ratelimit-seconds-before-refresh");
  return s !== undefined && s >= 0 ? Math.round(s * 1000) : undefined;
}
