/**
 * HTTP transport: undici with keep-alive and a bounded connection pool, proxies from the environment,
 * per-attempt headers/body timeouts and a connect timeout.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { EnvHttpProxyAgent, type Dispatcher } from "undici";
import { ADAPTIVE_MAX_CONCURRENCY } from "./rate-limiter";

/** Timeouts in ms; every field has a default ({@link DEFAULT_TIMEOUTS}). */
export interface TimeoutOptions {
  /** TCP/TLS connect (default 10 s). Applies to the client's own dispatcher only, not an injected one. */
  connectMs?: number;
  /** From request sent to response headers received, per attempt (default 30 s). */
  headersMs?: number;
  /** Between body chunks, per attempt (default 30 s). */
  bodyMs?: number;
  /** The whole operation: every attempt, backoff and rate-limit wait (default 300 s). */
  operationMs?: number;
}
export type TimeoutSettings = Required<TimeoutOptions>;

/** Defaults of {@link TimeoutOptions}. */
export const DEFAULT_TIMEOUTS: TimeoutSettings = {
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 30_000,
  operationMs: 300_000,
};

/**
 * Default maximum of connections per origin in the shared pool: as many requests as the rate
 * limiter's adaptive cap lets through at once, so the limiter (which follows the API's advertised
 * limits) decides what is on the wire, not the pool. With 16, a cap of 32 only queued in the client
 * (docs/benchmarks.md, "Parallelism sweep").
 */
export const DEFAULT_MAX_CONNECTIONS = ADAPTIVE_MAX_CONCURRENCY;

let cachedVersion: string | undefined;
/** This package's version, read from its package.json (works from `src/` and from `dist/`). */
export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = "0.0.0";
  for (const rel of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(path.resolve(__dirname, rel), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-soracom-sigfox" && typeof pkg.version === "string") {
        cachedVersion = pkg.version;
        break;
      }
    } catch {
      // try the next location
    }
  }
  return cachedVersion;
}

/** `pulumi-soracom-sigfox/<version>` plus an optional suffix. */
export function userAgent(suffix?: string): string {
  const base = `pulumi-soracom-sigfox/${packageVersion()}`;
  const s = suffix?.trim();
  return s ? `${base} ${s}` : base;
}

const dispatchers = new Map<string, Dispatcher>();

/**
 * A process-wide dispatcher for these settings: keep-alive, at most `connections` sockets per origin,
 * `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (and lower-case forms) from `env` via `EnvHttpProxyAgent`.
 */
export function sharedDispatcher(opts: { connectMs: number; connections: number; env: Record<string, string | undefined> }): Dispatcher {
  const env = opts.env;
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? "";
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? "";
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? "";
  const key = JSON.stringify([opts.connectMs, opts.connections, httpProxy, httpsProxy, noProxy]);
  let d = dispatchers.get(key);
  if (!d) {
    d = new EnvHttpProxyAgent({
      httpProxy,
      httpsProxy,
      noProxy,
      connections: opts.connections,
      keepAliveTimeout: 4_000,
      connect: { timeout: opts.connectMs },
    });
    dispatchers.set(key, d);
  }
  return d;
}

/** Closes the shared dispatchers (lets a script exit at once; later calls create new ones). */
export async function closeSharedDispatchers(): Promise<void> {
  const all = [...dispatchers.values()];
  dispatchers.clear();
  await Promise.allSettled(all.map((d) => d.close()));
}

/** One HTTP exchange. */
export interface HttpExchange {
  dispatcher: Dispatcher;
  origin: string;
  path: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

/** A complete response, body read as text. */
export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytesReceived: number;
}

/** Raised when no response headers arrived within the per-attempt headers timeout. */
class HeadersTimeout extends Error {
  readonly code = "UND_ERR_HEADERS_TIMEOUT";
  constructor(ms: number) {
    super(`no response headers within ${ms} ms`);
    this.name = "HeadersTimeoutError";
  }
}

/**
 * Sends one request and reads the whole body. Transport errors are thrown as undici raised them,
 * except the headers timeout, which is enforced here with a precise timer (undici's own timer is
 * coarse, ~0.5-1 s) and raised with undici's code `UND_ERR_HEADERS_TIMEOUT`.
 */
export async function sendHttp(x: HttpExchange): Promise<HttpResult> {
  const attempt = new AbortController();
  const onOuterAbort = () => attempt.abort(x.signal.reason);
  if (x.signal.aborted) onOuterAbort();
  else x.signal.addEventListener("abort", onOuterAbort, { once: true });
  let headersTimedOut = false;
  const timer = setTimeout(() => {
    headersTimedOut = true;
    attempt.abort(new HeadersTimeout(x.headersTimeoutMs));
  }, x.headersTimeoutMs);
  try {
    let res: Dispatcher.ResponseData;
    try {
      res = await x.dispatcher.request({
        origin: x.origin,
        path: x.path,
        method: x.method,
        headers: x.headers,
        ...(x.body !== undefined ? { body: x.body } : {}),
        signal: attempt.signal,
        // undici's own timer stays as a backstop
        headersTimeout: x.headersTimeoutMs + 1000,
        bodyTimeout: x.bodyTimeoutMs,
      });
    } catch (e) {
      if (headersTimedOut && !x.signal.aborted) throw new HeadersTimeout(x.headersTimeoutMs);
      throw e;
    } finally {
      clearTimeout(timer);
    }
    const buf = Buffer.from(await res.body.arrayBuffer());
    return {
      status: res.statusCode,
      headers: res.headers as Record<string, string | string[] | undefined>,
      text: buf.toString("utf8"),
      bytesReceived: buf.length,
    };
  } finally {
    x.signal.removeEventListener("abort", onOuterAbort);
  }
}

/** How a transport error happened, as far as replay safety is concerned. */
export type TransportFailure =
  /** Failed before any byte was sent (refused, DNS, connect timeout): safe to retry any operation. */
  | { kind: "connect"; timeout: boolean; detail: string }
  /** Failed after the request may have been sent: only replay-safe operations are retried. */
  | { kind: "sent"; timeout: boolean; detail: string };

const CONNECT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "UND_ERR_CONNECT_TIMEOUT"]);
const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);

/** Classifies an error thrown by {@link sendHttp}. */
export function classifyTransportError(err: unknown): TransportFailure {
  const codes: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === "object"; i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === "string") codes.push(c);
    // AggregateError from happy-eyeballs connects
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner)) for (const x of inner) if (x && typeof (x as { code?: unknown }).code === "string") codes.push((x as { code: string }).code);
    e = (e as { cause?: unknown }).cause;
  }
  const timeout = codes.some((c) => TIMEOUT_CODES.has(c));
  const detail = codes[0] ?? (err instanceof Error ? err.name : "unknown error");
  const afterWrite = codes.some((c) => c === "ECONNRESET" || c === "EPIPE" || c === "UND_ERR_SOCKET");
  if (!afterWrite && codes.some((c) => CONNECT_CODES.has(c))) return { kind: "connect", timeout, detail };
  return { kind: "sent", timeout, detail };
}
