/**
 * The request policy: what to do after one HTTP attempt. Pure: it sees the outcome of the attempt, the
 * counters of the operation so far and the settings, and returns the next step; the loop in
 * `client.ts` does the step (waits, re-authenticates, replays or throws). No I/O, no clock, no state.
 *
 * - 2xx: done.
 * - transport error: retried with full-jitter backoff when nothing was sent (connect failure) or the
 *   operation is replayable, within `maxRetries` and the process-wide retry budget; else fails, with
 *   `outcomeUnknown` when a non-replayable request may have reached the server.
 * - 401 on an authenticated call with renewable credentials: one re-authentication and one replay
 *   (safe for every operation: a 401 is decided before the operation runs).
 * - 429: the whole rate-limit bucket waits (`Retry-After`, else the window's refresh, else backoff),
 *   then the call is replayed, up to `maxRateLimitRetries` waits; never spends the retry budget.
 * - 5xx: replayable operations are retried like transport errors (honouring `Retry-After`); the
 *   others fail with `outcomeUnknown`.
 * - any other status: fails with the code of the status and a hint on what to do.
 */
import type { ApiOperation, SigfoxOperation } from "../api/schemas";
import type { CredentialKind } from "./credentials";
import { codeForStatus, type SoracomApiErrorInit, type SoracomErrorCode } from "./errors";
import { parseErrorBody, retryAfterMs, secondsBeforeRefreshMs, type ErrorBodyFields } from "./response";
import { backoffDelay, type RetrySettings } from "./retry";
import type { HttpResult, TransportFailure } from "./transport";

/** Operations that must not be replayed once the request may have reached the server. */
export const NON_REPLAYABLE_OPERATIONS: ReadonlySet<SigfoxOperation> = new Set(["registerSigfoxDevice", "terminateSigfoxDevice", "sendDataToSigfoxDevice"]);

/** True when replaying `operation` cannot duplicate an effect. */
export function isReplayable(operation: ApiOperation): boolean {
  return !NON_REPLAYABLE_OPERATIONS.has(operation as SigfoxOperation);
}

/** What one attempt produced: a complete HTTP response, or a transport error (no response). */
export type AttemptOutcome = { kind: "response"; response: HttpResult } | { kind: "transport"; failure: TransportFailure; cause: unknown };

/** Counters of one operation across its attempts. */
export interface AttemptState {
  /** Retries after transport errors and 5xx (each spent a retry-budget token). */
  transientRetries: number;
  /** Waits after 429. */
  rateLimitRetries: number;
  /** A 401 already led to a re-authentication. */
  reauthenticated: boolean;
}

/** The counters before the first attempt. */
export const FIRST_ATTEMPT: AttemptState = { transientRetries: 0, rateLimitRetries: 0, reauthenticated: false };

/** What the policy needs to know besides the outcome. */
export interface PolicyContext {
  operation: ApiOperation;
  /** Request summary for error texts, e.g. `POST /v1/sigfox_devices/1A2B/register`. */
  summary: string;
  /** Attempts made so far, this one included. */
  attempts: number;
  /** The request carried a token pair. */
  authenticated: boolean;
  credentialKind: CredentialKind;
  retry: RetrySettings;
  /** The process-wide retry budget has a token now (the loop takes it when the step is `retry`). */
  retryBudgetAvailable: boolean;
  /** Local clock (ms), for `Retry-After` given as an HTTP date. */
  now: number;
  /** Random source in [0, 1) for backoff jitter. */
  random: () => number;
}

/** The fields of the error a `fail` step throws; the loop adds operation, request, secrets and attempts. */
export type Failure = Omit<SoracomApiErrorInit, "operation" | "request" | "secrets" | "attempts">;

/** The next step of the request loop. */
export type NextStep =
  /** The response is a success: return it. */
  | { kind: "done" }
  /** Take one retry-budget token, wait `delayMs`, replay. */
  | { kind: "retry"; delayMs: number }
  /** Drop the rejected token pair, authenticate again, replay at once. */
  | { kind: "reauthenticate" }
  /** Over the rate limit: block the whole bucket for `blockBucketMs`, then replay. */
  | { kind: "wait"; blockBucketMs: number }
  /** Throw; `blockBucketMs` when the last answer was a 429 (callers of the bucket still wait). */
  | { kind: "fail"; failure: Failure; blockBucketMs?: number };

const RECONCILE = "check the device with getSigfoxDevice";

/** Decides the next step after one attempt. */
export function nextStep(outcome: AttemptOutcome, state: AttemptState, ctx: PolicyContext): NextStep {
  if (outcome.kind === "transport") return afterTransportError(outcome, state, ctx);
  const res = outcome.response;
  if (res.status >= 200 && res.status < 300) return { kind: "done" };
  const body = parseErrorBody(res.text);
  if (res.status === 401 && ctx.authenticated && ctx.credentialKind !== "token" && !state.reauthenticated) return { kind: "reauthenticate" };
  if (res.status === 429) return afterRateLimited(res, body, state, ctx);
  if (res.status >= 500) return afterServerError(res, body, state, ctx);
  return { kind: "fail", failure: clientErrorFailure(res.status, body, state, ctx) };
}

/** The counters after `step`. */
export function advance(state: AttemptState, step: NextStep): AttemptState {
  switch (step.kind) {
    case "retry":
      return { ...state, transientRetries: state.transientRetries + 1 };
    case "wait":
      return { ...state, rateLimitRetries: state.rateLimitRetries + 1 };
    case "reauthenticate":
      return { ...state, reauthenticated: true };
    default:
      return state;
  }
}

function canRetryTransient(state: AttemptState, ctx: PolicyContext): boolean {
  return state.transientRetries < ctx.retry.maxRetries && ctx.retryBudgetAvailable;
}

function afterTransportError(outcome: Extract<AttemptOutcome, { kind: "transport" }>, state: AttemptState, ctx: PolicyContext): NextStep {
  const { failure } = outcome;
  const replayable = isReplayable(ctx.operation);
  const safe = failure.kind === "connect" || replayable;
  if (safe && canRetryTransient(state, ctx)) {
    return { kind: "retry", delayMs: backoffDelay(state.transientRetries + 1, ctx.retry, ctx.random) };
  }
  const unknown = failure.kind === "sent" && !replayable;
  return {
    kind: "fail",
    failure: {
      code: failure.timeout ? "timeout" : "network",
      message:
        `${ctx.operation}: ${failure.timeout ? "timed out" : "network error"} (${failure.detail}) on ${ctx.summary} after ${ctx.attempts} attempt(s)` +
        (unknown ? `; the request may have reached the server and was not replayed: ${RECONCILE}` : ""),
      retryable: safe,
      outcomeUnknown: unknown,
      cause: outcome.cause,
    },
  };
}

function afterRateLimited(res: HttpResult, body: ErrorBodyFields, state: AttemptState, ctx: PolicyContext): NextStep {
  const hinted = retryAfterMs(res.headers, ctx.now) ?? secondsBeforeRefreshMs(res.headers);
  const fallback = Math.max(
    1000,
    backoffDelay(state.rateLimitRetries + 1, ctx.retry, () => 1),
  );
  const blockBucketMs = Math.min(ctx.retry.maxRateLimitWaitMs, hinted ?? fallback);
  if (state.rateLimitRetries < ctx.retry.maxRateLimitRetries) return { kind: "wait", blockBucketMs };
  return {
    kind: "fail",
    blockBucketMs,
    failure: {
      code: "rate_limited",
      status: 429,
      ...body,
      message: `${describeHttpError(ctx, 429, body)}; gave up after ${state.rateLimitRetries} wait(s)`,
      retryable: true,
    },
  };
}

function afterServerError(res: HttpResult, body: ErrorBodyFields, state: AttemptState, ctx: PolicyContext): NextStep {
  const replayable = isReplayable(ctx.operation);
  if (replayable && canRetryTransient(state, ctx)) {
    const hinted = retryAfterMs(res.headers, ctx.now);
    const delayMs = hinted !== undefined ? Math.min(ctx.retry.maxRateLimitWaitMs, hinted) : backoffDelay(state.transientRetries + 1, ctx.retry, ctx.random);
    return { kind: "retry", delayMs };
  }
  return {
    kind: "fail",
    failure: {
      code: "http",
      status: res.status,
      ...body,
      message:
        `${describeHttpError(ctx, res.status, body)} after ${ctx.attempts} attempt(s)` +
        (replayable ? "" : `; the request reached the server and was not replayed: ${RECONCILE}`),
      retryable: replayable,
      outcomeUnknown: !replayable,
    },
  };
}

function clientErrorFailure(status: number, body: ErrorBodyFields, state: AttemptState, ctx: PolicyContext): Failure {
  const isAuthCall = ctx.operation === "auth";
  const code: SoracomErrorCode = isAuthCall && (status === 400 || status === 401 || status === 403) ? "auth" : codeForStatus(status);
  let hint = "";
  if (code === "auth") {
    if (isAuthCall) hint = "; check the credentials";
    else if (state.reauthenticated) hint = "; rejected again after re-authentication";
    else if (ctx.credentialKind === "token") hint = "; the pre-issued API key/token was rejected and cannot be renewed";
  }
  return { code, status, ...body, message: `${describeHttpError(ctx, status, body)}${hint}`, retryable: false };
}

function describeHttpError(ctx: PolicyContext, status: number, body: ErrorBodyFields): string {
  const detail = body.soracomCode || body.soracomMessage ? ` ${[body.soracomCode, body.soracomMessage].filter(Boolean).join(": ")}` : "";
  return `${ctx.operation}: HTTP ${status}${detail} (${ctx.summary})`;
}
