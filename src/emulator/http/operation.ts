/**
 * The pipeline every API operation runs through, in the order a real gateway applies it:
 *
 *   log + count  ->  injected fault (latency, status, drop before)  ->  auth  ->  rate limit
 *   ->  handler (model change + commit)  ->  drop after?  ->  rate-limit headers on the response
 *
 * Faults come first because they simulate the network and the gateway, which fail before auth does.
 */
import type { Context } from "hono";
import { HEADERS, type ApiOperation } from "../../api/schemas";
import { EmulatorError } from "../errors";
import type { RateLimitVerdict } from "../control/rate-limiter";
import type { ActiveFault } from "../control/faults";
import { verifyToken } from "../model/auth";
import { errorResponse } from "./error-mapper";
import type { AppEnv, EmulatorRuntime } from "./runtime";

export interface OperationContext {
  c: Context<AppEnv>;
  url: URL;
  /** The authenticated operator; empty for `auth`. */
  operatorId: string;
}

export type OperationHandler = (ctx: OperationContext) => Promise<Response> | Response;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Closes the TCP connection without a response, as a crashed server or a cut link would. */
function dropConnection(c: Context<AppEnv>): Response {
  c.env.incoming.socket.destroy();
  return new Response(null, { status: 499 });
}

export function rateLimitHeaders(v: RateLimitVerdict): Record<string, string> {
  return {
    [HEADERS.rateLimitLimit]: String(v.limit),
    [HEADERS.rateLimitRemaining]: String(v.remaining),
    [HEADERS.rateLimitSecondsBeforeRefresh]: String(v.secondsBeforeRefresh),
  };
}

/**
 * The one 429 of the emulator, for the rate limiter and for an injected 429 alike: a client that reads
 * the rate-limit headers of a 429 must find the same ones whichever produced it.
 */
function rateLimitedResponse(verdict: RateLimitVerdict, lang: string | undefined): Response {
  return errorResponse(new EmulatorError("rateLimited"), lang, rateLimitHeaders({ ...verdict, remaining: 0, exceeded: true }));
}

function describeFault(f: ActiveFault): string {
  return [f.latencyMs !== undefined ? `latency:${f.latencyMs}` : "", f.drop ? `drop:${f.drop}` : f.status ? `status:${f.status}` : ""]
    .filter(Boolean)
    .join(",");
}

function injectedStatusError(status: number): EmulatorError {
  if (status >= 500) return new EmulatorError("injectedServerError", undefined, status);
  return new EmulatorError("badRequest", `Injected fault (status ${status})`, status);
}

export function apiOperation(rt: EmulatorRuntime, operation: ApiOperation, handler: OperationHandler) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const started = Date.now();
    const url = new URL(c.req.url);
    const clock = rt.model.clock;
    const entry = rt.log.begin({ time: clock.nowIso(), method: c.req.method, path: url.pathname + url.search, operation });
    const finish = (res: Response | null): Response => {
      entry.status = res ? res.status : null;
      entry.durationMs = Date.now() - started;
      return res ?? dropConnection(c);
    };

    const lang = c.req.header(HEADERS.lang);
    const fault = rt.faults.take(operation);
    if (fault) {
      entry.fault = describeFault(fault);
      if (fault.latencyMs) await sleep(fault.latencyMs);
      if (fault.drop === "before") return finish(null);
      if (fault.drop === undefined && fault.status !== undefined) {
        const verdict = rt.rateLimiter.peek(operation, clock.now());
        return finish(fault.status === 429 ? rateLimitedResponse(verdict, lang) : errorResponse(injectedStatusError(fault.status), lang, rateLimitHeaders(verdict)));
      }
    }

    let verdict: RateLimitVerdict = rt.rateLimiter.peek(operation, clock.now());
    let response: Response;
    try {
      let operatorId = "";
      if (operation === "auth") {
        // The real /auth is limited per source IP: the operator is not known yet.
        verdict = rt.rateLimiter.take(`ip:${c.env.incoming.socket.remoteAddress ?? "unknown"}`, operation, clock.now());
      } else {
        const issued = verifyToken(rt.model.ctx, c.req.header(HEADERS.apiKey), c.req.header(HEADERS.token));
        operatorId = issued.operatorId;
        entry.operatorId = operatorId;
        verdict = rt.rateLimiter.take(`op:${operatorId}`, operation, clock.now());
      }
      response = verdict.exceeded ? rateLimitedResponse(verdict, lang) : await handler({ c, url, operatorId });
    } catch (err) {
      response = errorResponse(err, lang);
    }
    // The change is committed (or refused) by now: this is the "response lost in transit" case.
    if (fault?.drop === "after") return finish(null);
    for (const [name, value] of Object.entries(rateLimitHeaders(verdict))) response.headers.set(name, value);
    return finish(response);
  };
}
