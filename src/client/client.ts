/**
 * SoracomClient: one typed method per Soracom Air for Sigfox operation, plus `POST /auth`.
 *
 * Every call goes through one pipeline: resolve settings (credentials, endpoint) once → get a token
 * pair from the process-wide cache → wait for the process-wide rate limiter → send with per-attempt
 * timeouts → on 401 re-authenticate once and replay; on 429 wait as the server says and retry; on
 * 5xx/network errors retry with full-jitter backoff within the process-wide retry budget, but only
 * when a replay cannot duplicate an effect → parse the response with the wire schema.
 */
import type { Dispatcher } from "undici";
import { z } from "zod";
import {
  AuthRequest,
  AuthResponse,
  ApiErrorBody,
  DataEntryList,
  DATA_SORT_ORDERS,
  SetGroupRequest,
  SigfoxData,
  SigfoxDevice,
  SigfoxDeviceList,
  SigfoxRegistrationRequest,
  TAG_VALUE_MATCH_MODES,
  TagUpdateRequestList,
  type ApiOperation,
  type DataEntry,
  type SigfoxOperation,
  type TagMap,
  type TagUpdateRequest,
} from "../api/schemas";
import { DOWNLINK_DATA_PATTERN } from "../api/formats";
import { credentialKind, credentialSecrets, resolveSettings, type CredentialKind, type Credentials, type ResolvedSettings } from "./credentials";
import type { CoverageType } from "./endpoint";
import { codeForStatus, isSoracomApiError, SoracomApiError, type SoracomErrorCode } from "./errors";
import { nextKeyFromHeaders, paginate, type Page } from "./pagination";
import { sleep, type RateLimitObservation } from "./rate-limiter";
import { redact, registerSecret } from "./redact";
import { backoffDelay, DEFAULT_RETRY, type RetryOptions, type RetrySettings } from "./retry";
import { sharedRateLimiter, sharedRetryBudget } from "./shared";
import { StatsRecorder, type SoracomClientStats } from "./stats";
import { getTokenPair, invalidateTokenPair, tokenCacheKey, TOKEN_REFRESH_FRACTION, type TokenPair } from "./token-cache";
import {
  classifyTransportError,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_TIMEOUTS,
  sendHttp,
  sharedDispatcher,
  userAgent,
  type HttpResult,
  type TimeoutOptions,
  type TimeoutSettings,
} from "./transport";

/** Receives redacted debug lines (method, path, status, duration, attempt). */
export type SoracomLogger = ((line: string) => void) | { debug(line: string): void };

/** Options of {@link SoracomClient}. Everything is optional; see the defaults per field. */
export interface SoracomClientOptions {
  /** API origin without `/v1` (a trailing `/v1` is stripped). Overrides `SORACOM_ENDPOINT`, the profile and the coverage type. */
  endpoint?: string;
  /** `jp` (default, https://api.soracom.io) or `g` (https://g.api.soracom.io). */
  coverageType?: CoverageType;
  /** Explicit credentials (highest precedence). */
  credentials?: Credentials;
  /** soracom-cli profile name (takes precedence over environment credentials). */
  profile?: string;
  /** Directory of soracom-cli profiles (default `SORACOM_PROFILE_DIR`, else `~/.soracom`). */
  profileDir?: string;
  /** Connect, headers, body and whole-operation timeouts. */
  timeouts?: TimeoutOptions;
  /**
   * Concurrent requests per *process*, fixed (default: adaptive, from 8 up to the advertised limit; see
   * rate-limiter.ts). The limiter is shared by every client, so this
   * sets the process-wide cap (the last client constructed with it wins).
   */
  maxConcurrency?: number;
  /** Appended to `User-Agent: pulumi-soracom-sigfox/<version>`. */
  userAgentSuffix?: string;
  /** undici dispatcher to send requests with (tests: MockAgent). Default: a shared keep-alive pool with proxy support. */
  dispatcher?: Dispatcher;
  /** Environment to read `SORACOM_*` and proxy variables from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Lifetime requested for tokens, 180..172800 s (default: the profile's, else 86400). */
  tokenTimeoutSeconds?: number;
  /** Retry and rate-limit wait settings (defaults in `DEFAULT_RETRY`). */
  retry?: RetryOptions;
  /** Sockets per origin of the default dispatcher (default 16). */
  maxConnections?: number;
  /** Receives redacted debug lines. */
  logger?: SoracomLogger;
  /** Time limit of a profile's `profileCommand` in ms (default 30 000). */
  profileCommandTimeoutMs?: number;
  /** Clock for token expiry (ms); tests only. */
  now?: () => number;
  /** Random source for backoff jitter in [0, 1); tests only. */
  random?: () => number;
}

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call (error code `aborted`). */
  signal?: AbortSignal;
}

/** Query of {@link SoracomClient.listSigfoxDevices}. */
export interface ListSigfoxDevicesQuery {
  tagName?: string;
  tagValue?: string;
  tagValueMatchMode?: (typeof TAG_VALUE_MATCH_MODES)[number];
  /** Page size (the server may return fewer). */
  limit?: number;
  lastEvaluatedKey?: string;
}

/** Query of {@link SoracomClient.getDataFromSigfoxDevice}. */
export interface GetDataQuery {
  /** Start, UNIX ms. */
  from?: number;
  /** End, UNIX ms. */
  to?: number;
  sort?: (typeof DATA_SORT_ORDERS)[number];
  /** 1..1000 (server default 10). */
  limit?: number;
  lastEvaluatedKey?: string;
}

/** Body of {@link SoracomClient.registerSigfoxDevice}. */
export interface RegisterSigfoxDeviceInput {
  /** The PAC: a secret, never logged. */
  registrationSecret: string;
  tags?: TagMap;
  productCertificationId?: string;
}

/** Options of {@link SoracomClient.terminateSigfoxDevice}. */
export interface TerminateSigfoxDeviceInput {
  /** Delete at once instead of after 24 hours; the response then carries the device's new PAC. */
  deleteImmediately?: boolean;
}

/** Non-secret description of what a client resolved. */
export interface ResolvedClientConfig {
  endpoint: string;
  credentialSource: string;
  credentialKind: CredentialKind;
}

type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

interface RequestSpec {
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

interface Context {
  settings: ResolvedSettings;
  tokenKey: string;
  bucket: string;
  tokenTimeoutSeconds: number;
}

interface Attempts {
  n: number;
}

/** Operations that must not be replayed once the request may have reached the server. */
export const NON_REPLAYABLE_OPERATIONS: ReadonlySet<SigfoxOperation> = new Set([
  "registerSigfoxDevice",
  "terminateSigfoxDevice",
  "sendDataToSigfoxDevice",
]);

/** Default token lifetime requested from `/auth` (Soracom's own default). */
export const DEFAULT_TOKEN_TIMEOUT_SECONDS = 86_400;

const processStatsRecorder = new StatsRecorder();

/** Counters summed over every client in this process. */
export function processStats(): SoracomClientStats {
  return processStatsRecorder.snapshot();
}

/**
 * Typed client of the Soracom Air for Sigfox API. Cheap to construct: credentials are resolved on the
 * first call; tokens, the rate limiter, the retry budget and connection pools are shared process-wide.
 */
export class SoracomClient {
  private readonly options: SoracomClientOptions;
  private readonly env: Record<string, string | undefined>;
  private readonly timeouts: TimeoutSettings;
  private readonly retry: RetrySettings;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly stats_ = new StatsRecorder();
  private contextPromise: Promise<Context> | undefined;

  constructor(options: SoracomClientOptions = {}) {
    this.options = options;
    this.env = options.env ?? process.env;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...definedOnly(options.timeouts ?? {}) };
    this.retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    if (options.maxConcurrency !== undefined) sharedRateLimiter().setMaxConcurrency(options.maxConcurrency);
  }

  // ---------------------------------------------------------------------------------------------
  // Operations

  /** `GET /sigfox_devices`: one page of devices, optionally filtered by tag. */
  async listSigfoxDevices(query: ListSigfoxDevicesQuery = {}, opts?: CallOptions): Promise<Page<SigfoxDevice>> {
    const op = "listSigfoxDevices";
    if (query.tagValueMatchMode !== undefined && !TAG_VALUE_MATCH_MODES.includes(query.tagValueMatchMode)) {
      throw invalidArgument(op, `tagValueMatchMode must be one of ${TAG_VALUE_MATCH_MODES.join(", ")}`);
    }
    if (query.tagName !== undefined && query.tagValue === undefined) {
      throw invalidArgument(op, "tagValue is required when tagName is given");
    }
    checkLimit(op, query.limit, Number.MAX_SAFE_INTEGER);
    return this.run(op, opts, async (signal, attempts) => {
      const res = await this.execute(
        {
          operation: op,
          method: "GET",
          path: "/sigfox_devices",
          query: {
            tag_name: query.tagName,
            tag_value: query.tagValue,
            tag_value_match_mode: query.tagValueMatchMode,
            limit: query.limit,
            last_evaluated_key: query.lastEvaluatedKey,
          },
          authenticated: true,
        },
        signal,
        attempts,
      );
      return this.page(op, SigfoxDeviceList, res, attempts);
    });
  }

  /** Every device of every page of `listSigfoxDevices(query)`. */
  sigfoxDevices(query: Omit<ListSigfoxDevicesQuery, "lastEvaluatedKey"> & { lastEvaluatedKey?: string } = {}, opts?: CallOptions): AsyncIterable<SigfoxDevice> {
    return paginate("listSigfoxDevices", (cursor) => this.listSigfoxDevices({ ...query, ...(cursor !== undefined ? { lastEvaluatedKey: cursor } : {}) }, opts), query.lastEvaluatedKey);
  }

  /** `GET /sigfox_devices/{device_id}`. A missing device is a `not_found` error. */
  async getSigfoxDevice(deviceId: string, opts?: CallOptions): Promise<SigfoxDevice> {
    return this.deviceCall("getSigfoxDevice", "GET", deviceId, "", undefined, opts);
  }

  /** `GET /sigfox_devices/{device_id}/data`: one page of Harvest Data entries. */
  async getDataFromSigfoxDevice(deviceId: string, query: GetDataQuery = {}, opts?: CallOptions): Promise<Page<DataEntry>> {
    const op = "getDataFromSigfoxDevice";
    const path = devicePath(op, deviceId, "/data");
    if (query.sort !== undefined && !DATA_SORT_ORDERS.includes(query.sort)) {
      throw invalidArgument(op, `sort must be one of ${DATA_SORT_ORDERS.join(", ")}`);
    }
    checkLimit(op, query.limit, 1000);
    for (const [k, v] of [["from", query.from], ["to", query.to]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw invalidArgument(op, `${k} must be a non-negative integer (UNIX ms)`);
    }
    return this.run(op, opts, async (signal, attempts) => {
      const res = await this.execute(
        {
          operation: op,
          method: "GET",
          path,
          query: { from: query.from, to: query.to, sort: query.sort, limit: query.limit, last_evaluated_key: query.lastEvaluatedKey },
          authenticated: true,
        },
        signal,
        attempts,
      );
      return this.page(op, DataEntryList, res, attempts);
    });
  }

  /** Every entry of every page of `getDataFromSigfoxDevice(deviceId, query)`. */
  dataEntries(deviceId: string, query: GetDataQuery = {}, opts?: CallOptions): AsyncIterable<DataEntry> {
    return paginate(
      "getDataFromSigfoxDevice",
      (cursor) => this.getDataFromSigfoxDevice(deviceId, { ...query, ...(cursor !== undefined ? { lastEvaluatedKey: cursor } : {}) }, opts),
      query.lastEvaluatedKey,
    );
  }

  /**
   * `POST /sigfox_devices/{device_id}/data` (202): queue a downlink of exactly 8 bytes (16 hex
   * characters). Not replayed after a failure that may have reached the server.
   */
  async sendDataToSigfoxDevice(deviceId: string, hexData: string, opts?: CallOptions): Promise<void> {
    const op = "sendDataToSigfoxDevice";
    const path = devicePath(op, deviceId, "/data");
    if (typeof hexData !== "string" || !DOWNLINK_DATA_PATTERN.test(hexData)) {
      throw invalidArgument(op, "data must be exactly 8 bytes as 16 hexadecimal characters");
    }
    const body = parseRequest(op, SigfoxData, { data: hexData });
    await this.run(op, opts, async (signal, attempts) => {
      await this.execute({ operation: op, method: "POST", path, body, authenticated: true }, signal, attempts);
    });
  }

  /** `POST …/enable_termination`: allow termination (turn protection off). */
  async enableTerminationOnSigfoxDevice(deviceId: string, opts?: CallOptions): Promise<SigfoxDevice> {
    return this.deviceCall("enableTerminationOnSigfoxDevice", "POST", deviceId, "/enable_termination", undefined, opts);
  }

  /** `POST …/disable_termination`: forbid termination (turn protection on). */
  async disableTerminationOnSigfoxDevice(deviceId: string, opts?: CallOptions): Promise<SigfoxDevice> {
    return this.deviceCall("disableTerminationOnSigfoxDevice", "POST", deviceId, "/disable_termination", undefined, opts);
  }

  /**
   * `POST …/register` with the PAC and tags (a map). Not replayed after a failure that may have
   * reached the server (`outcomeUnknown` on the error): reconcile with {@link getSigfoxDevice}.
   */
  async registerSigfoxDevice(deviceId: string, input: RegisterSigfoxDeviceInput, opts?: CallOptions): Promise<SigfoxDevice> {
    const op = "registerSigfoxDevice";
    if (!input || typeof input.registrationSecret !== "string" || input.registrationSecret === "") {
      throw invalidArgument(op, "registrationSecret (the PAC) is required");
    }
    registerSecret(input.registrationSecret);
    const body = parseRequest(op, SigfoxRegistrationRequest, {
      registrationSecret: input.registrationSecret,
      ...(input.tags !== undefined ? { tags: input.tags } : {}),
      ...(input.productCertificationId !== undefined ? { productCertificationId: input.productCertificationId } : {}),
    });
    return this.deviceCall(op, "POST", deviceId, "/register", body, opts, [input.registrationSecret]);
  }

  /** `POST …/set_group` `{groupId}`. */
  async setSigfoxDeviceGroup(deviceId: string, groupId: string, opts?: CallOptions): Promise<SigfoxDevice> {
    const op = "setSigfoxDeviceGroup";
    if (typeof groupId !== "string" || groupId === "") throw invalidArgument(op, "groupId is required");
    return this.deviceCall(op, "POST", deviceId, "/set_group", parseRequest(op, SetGroupRequest, { groupId }), opts);
  }

  /** `POST …/unset_group`. */
  async unsetSigfoxDeviceGroup(deviceId: string, opts?: CallOptions): Promise<SigfoxDevice> {
    return this.deviceCall("unsetSigfoxDeviceGroup", "POST", deviceId, "/unset_group", undefined, opts);
  }

  /** `PUT …/tags` `[{tagName, tagValue}]`: inserts or updates; never removes. */
  async putSigfoxDeviceTags(deviceId: string, tags: TagUpdateRequest[], opts?: CallOptions): Promise<SigfoxDevice> {
    const op = "putSigfoxDeviceTags";
    return this.deviceCall(op, "PUT", deviceId, "/tags", parseRequest(op, TagUpdateRequestList, tags), opts);
  }

  /** `DELETE …/tags/{tag_name}` (204), the name percent-encoded. 404 (`not_found`) when the device or tag is absent. */
  async deleteSigfoxDeviceTag(deviceId: string, tagName: string, opts?: CallOptions): Promise<void> {
    const op = "deleteSigfoxDeviceTag";
    if (typeof tagName !== "string" || tagName === "") throw invalidArgument(op, "tagName is required");
    // "." and ".." survive percent-encoding (even as %2E) as dot segments that URL normalizers remove:
    // the request would reach another path and its 404 would read as "tag already gone".
    if (tagName === "." || tagName === "..") throw invalidArgument(op, `a tag named ${JSON.stringify(tagName)} cannot be deleted through the URL path`);
    const path = devicePath(op, deviceId, `/tags/${encodeURIComponent(tagName)}`);
    await this.run(op, opts, async (signal, attempts) => {
      await this.execute({ operation: op, method: "DELETE", path, authenticated: true }, signal, attempts);
    });
  }

  /**
   * `POST …/terminate[?delete_immediately=true]`. Not replayed after a failure that may have reached
   * the server: reconcile with {@link getSigfoxDevice}.
   */
  async terminateSigfoxDevice(deviceId: string, input: TerminateSigfoxDeviceInput = {}, opts?: CallOptions): Promise<SigfoxDevice> {
    const op = "terminateSigfoxDevice";
    const path = devicePath(op, deviceId, "/terminate");
    return this.run(op, opts, async (signal, attempts) => {
      const res = await this.execute(
        {
          operation: op,
          method: "POST",
          path,
          query: { delete_immediately: input.deleteImmediately === true ? true : undefined },
          authenticated: true,
        },
        signal,
        attempts,
      );
      return this.parse(op, SigfoxDevice, res, attempts);
    });
  }

  /**
   * Makes sure this client holds a valid token pair (one `/auth` per credential per process; cached)
   * and returns the operator ID. Tokens never leave the client. For a pre-issued API key/token the
   * operator ID is the one given with it (or `SORACOM_OPERATOR_ID`), else an empty string.
   */
  async authenticate(opts?: CallOptions): Promise<{ operatorId: string }> {
    const ctx = await this.context();
    const scope = operationScope(opts?.signal, this.timeouts.operationMs);
    try {
      const pair = await this.tokenPair(ctx, scope.signal);
      return { operatorId: pair.operatorId };
    } catch (e) {
      throw scope.translate(e, "auth", { n: 0 }, "POST /v1/auth");
    } finally {
      scope.dispose();
    }
  }

  /** What this client resolved: endpoint and credential source/kind (no secrets). */
  async resolvedConfig(): Promise<ResolvedClientConfig> {
    const ctx = await this.context();
    return { endpoint: ctx.settings.endpoint, credentialSource: ctx.settings.credentialSource, credentialKind: credentialKind(ctx.settings.credentials) };
  }

  /** Counters of this client: calls/requests/failures per operation, retries, bytes sent/received. */
  stats(): SoracomClientStats {
    return this.stats_.snapshot();
  }

  /** Zeroes this client's counters. */
  resetStats(): void {
    this.stats_.reset();
  }

  // ---------------------------------------------------------------------------------------------
  // Pipeline

  private async deviceCall(
    op: SigfoxOperation,
    method: HttpMethod,
    deviceId: string,
    suffix: string,
    body: unknown,
    opts: CallOptions | undefined,
    secrets?: string[],
  ): Promise<SigfoxDevice> {
    const path = devicePath(op, deviceId, suffix);
    return this.run(op, opts, async (signal, attempts) => {
      const res = await this.execute(
        { operation: op, method, path, ...(body !== undefined ? { body } : {}), authenticated: true, ...(secrets ? { secrets } : {}) },
        signal,
        attempts,
      );
      return this.parse(op, SigfoxDevice, res, attempts);
    });
  }

  private record(f: (s: StatsRecorder) => void): void {
    f(this.stats_);
    f(processStatsRecorder);
  }

  /** Runs one operation under its whole-operation timeout and the caller's signal. */
  private async run<T>(op: SigfoxOperation, opts: CallOptions | undefined, fn: (signal: AbortSignal, attempts: Attempts) => Promise<T>): Promise<T> {
    this.record((s) => s.call(op));
    const scope = operationScope(opts?.signal, this.timeouts.operationMs);
    const attempts: Attempts = { n: 0 };
    try {
      return await fn(scope.signal, attempts);
    } catch (e) {
      this.record((s) => s.failure(op));
      throw scope.translate(e, op, attempts);
    } finally {
      scope.dispose();
    }
  }

  private context(): Promise<Context> {
    if (!this.contextPromise) {
      const o = this.options;
      const p = resolveSettings({
        env: this.env,
        ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
        ...(o.coverageType !== undefined ? { coverageType: o.coverageType } : {}),
        ...(o.credentials !== undefined ? { credentials: o.credentials } : {}),
        ...(o.profile !== undefined ? { profile: o.profile } : {}),
        ...(o.profileDir !== undefined ? { profileDir: o.profileDir } : {}),
        ...(o.tokenTimeoutSeconds !== undefined ? { tokenTimeoutSeconds: o.tokenTimeoutSeconds } : {}),
        ...(o.profileCommandTimeoutMs !== undefined ? { profileCommandTimeoutMs: o.profileCommandTimeoutMs } : {}),
      }).then((settings) => {
        const tokenTimeoutSeconds = settings.tokenTimeoutSeconds ?? DEFAULT_TOKEN_TIMEOUT_SECONDS;
        if (!Number.isInteger(tokenTimeoutSeconds) || tokenTimeoutSeconds < 180 || tokenTimeoutSeconds > 172_800) {
          throw new SoracomApiError({ code: "config", operation: "config", message: `tokenTimeoutSeconds must be an integer from 180 to 172800, got ${tokenTimeoutSeconds}` });
        }
        const tokenKey = tokenCacheKey(settings.endpoint, settings.credentials, tokenTimeoutSeconds);
        return { settings, tokenKey, bucket: tokenKey, tokenTimeoutSeconds };
      });
      // A failed resolution is not cached: fixing the profile or environment takes effect on the next call.
      p.catch(() => {
        if (this.contextPromise === p) this.contextPromise = undefined;
      });
      this.contextPromise = p;
    }
    return this.contextPromise;
  }

  /** The injected dispatcher, else the shared pool (looked up per request: it survives resetSharedClientState). */
  private dispatcher(): Dispatcher {
    return (
      this.options.dispatcher ??
      sharedDispatcher({ connectMs: this.timeouts.connectMs, connections: this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, env: this.env })
    );
  }

  private async tokenPair(ctx: Context, signal: AbortSignal): Promise<TokenPair> {
    const c = ctx.settings.credentials;
    if (credentialKind(c) === "token") {
      const t = c as Extract<Credentials, { apiKey: string }>;
      return { apiKey: t.apiKey, token: t.token, operatorId: t.operatorId ?? decodeOperatorId(t.token) ?? "", refreshAt: Number.POSITIVE_INFINITY };
    }
    const { pair } = getTokenPair(ctx.tokenKey, () => this.authExchange(ctx), this.now());
    return raceAbort(pair, signal);
  }

  /** `POST /auth`; runs detached from any one caller's signal because its result is shared. */
  private async authExchange(ctx: Context): Promise<TokenPair> {
    this.record((s) => s.call("auth"));
    const scope = operationScope(undefined, this.timeouts.operationMs);
    const attempts: Attempts = { n: 0 };
    const c = ctx.settings.credentials;
    try {
      const body = parseRequest("auth", AuthRequest, { ...wireCredentials(c), tokenTimeoutSeconds: ctx.tokenTimeoutSeconds });
      const started = this.now();
      const res = await this.execute({ operation: "auth", method: "POST", path: "/auth", body, authenticated: false, secrets: credentialSecrets(c) }, scope.signal, attempts, ctx);
      const auth = this.parse("auth", AuthResponse, res, attempts);
      registerSecret(auth.apiKey);
      registerSecret(auth.token);
      return {
        apiKey: auth.apiKey,
        token: auth.token,
        operatorId: auth.operatorId,
        ...(auth.userName !== undefined ? { userName: auth.userName } : {}),
        refreshAt: started + ctx.tokenTimeoutSeconds * 1000 * TOKEN_REFRESH_FRACTION,
      };
    } catch (e) {
      this.record((s) => s.failure("auth"));
      throw scope.translate(e, "auth", attempts, "POST /v1/auth");
    } finally {
      scope.dispose();
    }
  }

  /** Sends `spec` with auth, rate limiting and retries; returns a 2xx response or throws. */
  private async execute(spec: RequestSpec, signal: AbortSignal, attempts: Attempts, knownCtx?: Context): Promise<HttpResult> {
    const ctx = knownCtx ?? (await raceAbort(this.context(), signal));
    const { settings } = ctx;
    const limiter = sharedRateLimiter();
    const budget = sharedRetryBudget();
    // Soracom limits per operator and API group; the emulator per operator and operation. Buckets per
    // (credential, operation) follow the finer of the two; /auth is limited per source IP.
    const bucket = spec.authenticated ? `${ctx.bucket}|${spec.operation}` : `${settings.endpoint}#auth`;
    const queryString = buildQuery(spec.query);
    const wirePath = `/v1${spec.path}${queryString}`;
    const summary = `${spec.method} ${wirePath}`;
    const bodyText = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const secrets = [...credentialSecrets(settings.credentials), ...(spec.secrets ?? [])];
    // Only operations whose replay cannot duplicate an effect are retried once the request may have
    // reached the server; the others are reconciled by the caller with a GET.
    const replayable = !NON_REPLAYABLE_OPERATIONS.has(spec.operation as SigfoxOperation);
    const fail = (init: Omit<ConstructorParameters<typeof SoracomApiError>[0], "operation" | "request" | "secrets" | "attempts">) =>
      new SoracomApiError({ ...init, operation: spec.operation, request: summary, secrets, attempts: attempts.n });

    let transientRetries = 0;
    let rateLimitRetries = 0;
    let reauthenticated = false;
    for (;;) {
      let pair: TokenPair | undefined;
      if (spec.authenticated) {
        pair = await this.tokenPair(ctx, signal);
        secrets.push(pair.apiKey, pair.token);
      }
      const release = await limiter.acquire(bucket, {
        signal,
        maxWaitMs: this.retry.maxRateLimitWaitMs,
        onThrottle: (ms) => this.record((s) => s.add("throttleWaitMs", ms)),
      });
      attempts.n++;
      const headers: Record<string, string> = {
        ...settings.headers,
        accept: "application/json",
        "user-agent": userAgent(this.options.userAgentSuffix),
        "x-soracom-lang": "en",
        ...(bodyText !== undefined ? { "content-type": "application/json" } : {}),
        ...(pair ? { "x-soracom-api-key": pair.apiKey, "x-soracom-token": pair.token } : {}),
      };
      const bytesSent = bodyText === undefined ? 0 : Buffer.byteLength(bodyText);
      this.record((s) => s.request(spec.operation, bytesSent));
      const started = Date.now();
      let res: HttpResult;
      try {
        res = await sendHttp({
          dispatcher: this.dispatcher(),
          origin: new URL(settings.endpoint).origin,
          path: `${new URL(settings.endpoint).pathname.replace(/\/$/, "")}${wirePath}`,
          method: spec.method,
          headers,
          ...(bodyText !== undefined ? { body: bodyText } : {}),
          signal,
          headersTimeoutMs: this.timeouts.headersMs,
          bodyTimeoutMs: this.timeouts.bodyMs,
        });
      } catch (err) {
        release();
        if (signal.aborted) throw err;
        const failure = classifyTransportError(err);
        this.log(`${spec.operation} ${summary} -> ${failure.timeout ? "timeout" : "network error"} (${failure.detail}) in ${Date.now() - started}ms attempt=${attempts.n}`);
        const safe = failure.kind === "connect" || replayable;
        if (safe && transientRetries < this.retry.maxRetries && budget.tryTake()) {
          transientRetries++;
          this.record((s) => s.add("retries"));
          await sleep(backoffDelay(transientRetries, this.retry, this.random), signal);
          continue;
        }
        const unknown = failure.kind === "sent" && !replayable;
        throw fail({
          code: failure.timeout ? "timeout" : "network",
          message:
            `${spec.operation}: ${failure.timeout ? "timed out" : "network error"} (${failure.detail}) on ${summary} after ${attempts.n} attempt(s)` +
            (unknown ? `; the request may have reached the server and was not replayed: check the device with getSigfoxDevice` : ""),
          retryable: safe,
          outcomeUnknown: unknown,
          cause: err,
        });
      }
      release();
      this.record((s) => s.received(res.bytesReceived));
      limiter.observe(bucket, rateLimitHeaders(res.headers));
      this.log(`${spec.operation} ${summary} -> ${res.status} in ${Date.now() - started}ms attempt=${attempts.n}`);
      if (res.status >= 200 && res.status < 300) return res;

      const errBody = parseErrorBody(res.text);
      const describe = () => describeHttpError(spec.operation, res.status, errBody, summary);

      if (res.status === 401 && spec.authenticated && pair && credentialKind(settings.credentials) !== "token" && !reauthenticated) {
        // The token expired or was revoked: one fresh /auth (shared with concurrent callers) and one replay.
        // Safe for every operation: a 401 is decided before the operation runs.
        invalidateTokenPair(ctx.tokenKey, pair);
        reauthenticated = true;
        this.record((s) => s.add("reauthentications"));
        continue;
      }
      if (res.status === 429) {
        this.record((s) => s.add("rateLimited"));
        const hinted = retryAfterMs(res.headers, this.now()) ?? secondsBeforeRefreshMs(res.headers);
        const waitMs = Math.min(this.retry.maxRateLimitWaitMs, hinted ?? Math.max(1000, backoffDelay(rateLimitRetries + 1, this.retry, () => 1)));
        // Every caller of this bucket waits too: the whole process is over the limit, not this call.
        limiter.blockUntil(bucket, Date.now() + waitMs);
        if (rateLimitRetries < this.retry.maxRateLimitRetries) {
          rateLimitRetries++;
          continue;
        }
        throw fail({ code: "rate_limited", status: 429, ...errBody, message: `${describe()}; gave up after ${rateLimitRetries} wait(s)`, retryable: true });
      }
      if (res.status >= 500) {
        if (replayable && transientRetries < this.retry.maxRetries && budget.tryTake()) {
          transientRetries++;
          this.record((s) => s.add("retries"));
          const hinted = retryAfterMs(res.headers, this.now());
          const delay = hinted !== undefined ? Math.min(this.retry.maxRateLimitWaitMs, hinted) : backoffDelay(transientRetries, this.retry, this.random);
          await sleep(delay, signal);
          continue;
        }
        throw fail({
          code: "http",
          status: res.status,
          ...errBody,
          message:
            `${describe()} after ${attempts.n} attempt(s)` +
            (replayable ? "" : "; the request reached the server and was not replayed: check the device with getSigfoxDevice"),
          retryable: replayable,
          outcomeUnknown: !replayable,
        });
      }
      const code: SoracomErrorCode = spec.operation === "auth" && (res.status === 400 || res.status === 401 || res.status === 403) ? "auth" : codeForStatus(res.status);
      const hint =
        code === "auth" && spec.operation === "auth"
          ? "; check the credentials"
          : code === "auth" && reauthenticated
            ? "; rejected again after re-authentication"
            : code === "auth" && credentialKind(settings.credentials) === "token"
              ? "; the pre-issued API key/token was rejected and cannot be renewed"
              : "";
      throw fail({ code, status: res.status, ...errBody, message: `${describe()}${hint}`, retryable: false });
    }
  }

  private parse<T>(op: ApiOperation, schema: z.ZodType<T>, res: HttpResult, attempts: Attempts): T {
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new SoracomApiError({
        code: "response_validation",
        operation: op,
        status: res.status,
        attempts: attempts.n,
        message: `${op}: the response (HTTP ${res.status}) is not valid JSON`,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new SoracomApiError({
        code: "response_validation",
        operation: op,
        status: res.status,
        attempts: attempts.n,
        message: `${op}: the response does not match the API schema: ${issuesText(parsed.error)}`,
      });
    }
    return parsed.data;
  }

  private page<T>(op: "listSigfoxDevices" | "getDataFromSigfoxDevice", schema: z.ZodType<T[]>, res: HttpResult, attempts: Attempts): Page<T> {
    const items = this.parse(op, schema, res, attempts);
    const nextKey = nextKeyFromHeaders(res.headers);
    return nextKey !== undefined ? { items, nextKey } : { items };
  }

  private log(line: string): void {
    const l = this.options.logger;
    if (!l) return;
    const text = redact(`soracom ${line}`);
    try {
      if (typeof l === "function") l(text);
      else l.debug(text);
    } catch {
      // A failing logger must not fail the call.
    }
  }
}

// -----------------------------------------------------------------------------------------------
// Helpers

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function invalidArgument(op: SigfoxOperation, message: string): SoracomApiError {
  return new SoracomApiError({ code: "validation", operation: op, message: `${op}: ${message}` });
}

function checkLimit(op: SigfoxOperation, limit: number | undefined, max: number): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > max)) {
    throw invalidArgument(op, `limit must be an integer from 1 to ${max}`);
  }
}

function devicePath(op: SigfoxOperation, deviceId: string, suffix: string): string {
  if (typeof deviceId !== "string" || deviceId.trim() === "") throw invalidArgument(op, "deviceId is required");
  return `/sigfox_devices/${encodeURIComponent(deviceId)}${suffix}`;
}

function parseRequest<T>(op: ApiOperation, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new SoracomApiError({ code: op === "auth" ? "config" : "validation", operation: op, message: `${op}: invalid request: ${issuesText(r.error)}` });
  }
  return r.data;
}

/** Issue paths and messages only: never the input values (they may be secrets). */
function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`)
    .join("; ") + (error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : "");
}

function buildQuery(q: RequestSpec["query"]): string {
  if (!q) return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function numberHeader(h: Record<string, string | string[] | undefined>, name: string): number | undefined {
  const v = header(h, name);
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function rateLimitHeaders(h: Record<string, string | string[] | undefined>): RateLimitObservation {
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
export function retryAfterMs(h: Record<string, string | string[] | undefined>, now: number): number | undefined {
  const v = header(h, "retry-after")?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function secondsBeforeRefreshMs(h: Record<string, string | string[] | undefined>): number | undefined {
  const s = numberHeader(h, "x-soracom-ratelimit-seconds-before-refresh");
  return s !== undefined && s >= 0 ? Math.round(s * 1000) : undefined;
}

function parseErrorBody(text: string): { soracomCode?: string; soracomMessage?: string } {
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

function describeHttpError(op: ApiOperation, status: number, body: { soracomCode?: string; soracomMessage?: string }, summary: string): string {
  const detail = body.soracomCode || body.soracomMessage ? ` ${[body.soracomCode, body.soracomMessage].filter(Boolean).join(": ")}` : "";
  return `${op}: HTTP ${status}${detail} (${summary})`;
}

function wireCredentials(c: Credentials): Record<string, string> {
  if ("authKeyId" in c) return { authKeyId: c.authKeyId, authKey: c.authKey };
  if ("userName" in c) return { operatorId: c.operatorId, userName: c.userName, password: c.password, ...(c.mfaOTPCode ? { mfaOTPCode: c.mfaOTPCode } : {}) };
  if ("email" in c) return { email: c.email, password: c.password, ...(c.mfaOTPCode ? { mfaOTPCode: c.mfaOTPCode } : {}) };
  return {};
}

/** `operatorId` claim of a JWT-shaped token, if any (pre-issued tokens). */
function decodeOperatorId(token: string): string | undefined {
  const part = token.split(".")[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
    const op = claims.operatorId ?? (claims.operator as { operatorId?: unknown } | undefined)?.operatorId;
    return typeof op === "string" ? op : undefined;
  } catch {
    return undefined;
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

class OperationTimeout extends Error {
  constructor() {
    super("operation timeout");
    this.name = "OperationTimeout";
  }
}

/** The whole-operation timeout combined with the caller's signal, and translation of what ended it. */
function operationScope(user: AbortSignal | undefined, timeoutMs: number) {
  const ac = new AbortController();
  let timedOut = false;
  let userAborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort(new OperationTimeout());
  }, timeoutMs);
  const onAbort = () => {
    userAborted = true;
    ac.abort(user?.reason);
  };
  if (user) {
    if (user.aborted) onAbort();
    else user.addEventListener("abort", onAbort, { once: true });
  }
  return {
    signal: ac.signal,
    dispose(): void {
      clearTimeout(timer);
      user?.removeEventListener("abort", onAbort);
    },
    translate(e: unknown, op: ApiOperation, attempts: Attempts, request?: string): unknown {
      if (isSoracomApiError(e) && e.code === "config") return e;
      // The caller's signal or the whole-operation timer ended it: say so, whatever the transport threw.
      const ended = (code: "aborted" | "timeout", message: string): SoracomApiError =>
        new SoracomApiError({
          code,
          operation: op,
          ...(request ? { request } : {}),
          attempts: attempts.n,
          message: `${op}: ${message}`,
          outcomeUnknown: attempts.n > 0 && NON_REPLAYABLE_OPERATIONS.has(op as SigfoxOperation),
        });
      if (userAborted && !(isSoracomApiError(e) && e.code === "aborted")) return ended("aborted", "aborted by the caller");
      if (timedOut && !(isSoracomApiError(e) && e.code === "timeout")) {
        return ended("timeout", `the operation did not complete within ${timeoutMs} ms`);
      }
      if (isSoracomApiError(e)) return e;
      return new SoracomApiError({ code: "network", operation: op, attempts: attempts.n, message: `${op}: unexpected failure: ${e instanceof Error ? e.name : "error"}`, cause: e });
    },
  };
}
