/**
 * SoracomClient: one typed method per Soracom Air for Sigfox operation, plus `POST /auth`.
 *
 * Every call goes through one pipeline: resolve settings (credentials, endpoint) once → get a token
 * pair from the process-wide cache → wait for the process-wide rate limiter → send with per-attempt
 * timeouts → ask the policy (policy.ts) what the outcome means: done, re-authenticate, wait, retry or
 * fail → parse the response with the wire schema (response.ts). Option types live in options.ts,
 * request building in request.ts, the abort/timeout scope in scope.ts.
 */
import type { Dispatcher } from "undici";
import { DOWNLINK_DATA_PATTERN } from "../api/formats";
import {
  AuthRequest,
  AuthResponse,
  DATA_SORT_ORDERS,
  DataEntryList,
  type DataEntry,
  SetGroupRequest,
  SigfoxData,
  SigfoxDevice,
  SigfoxDeviceList,
  type SigfoxOperation,
  SigfoxRegistrationRequest,
  TAG_VALUE_MATCH_MODES,
  TagUpdateRequestList,
  type TagUpdateRequest,
} from "../api/schemas";
import { DOT_SEGMENT_TAG_NAMES } from "../api/values";
import { credentialKind, credentialSecrets, resolveSettings, type ResolvedSettings } from "./credentials";
import { SoracomApiError } from "./errors";
import type {
  CallOptions,
  GetDataQuery,
  ListSigfoxDevicesQuery,
  RegisterSigfoxDeviceInput,
  ResolvedClientConfig,
  SoracomClientOptions,
  TerminateSigfoxDeviceInput,
} from "./options";
import { paginate, type Page } from "./pagination";
import { advance, FIRST_ATTEMPT, nextStep, type AttemptOutcome } from "./policy";
import { sleep } from "./rate-limiter";
import { redact, registerSecret } from "./redact";
import { buildQuery, checkLimit, devicePath, type HttpMethod, invalidArgument, parseRequest, type RequestSpec, wireCredentials } from "./request";
import { parsePage, parseResponse, rateLimitHeaders } from "./response";
import { DEFAULT_RETRY, type RetrySettings } from "./retry";
import { type Attempts, operationScope, raceAbort } from "./scope";
import { sharedRateLimiter, sharedRetryBudget } from "./shared";
import { type SoracomClientStats, StatsRecorder } from "./stats";
import { getTokenPair, invalidateTokenPair, preIssuedTokenPair, TOKEN_REFRESH_FRACTION, type TokenPair, tokenCacheKey } from "./token-cache";
import { classifyTransportError, DEFAULT_MAX_CONNECTIONS, DEFAULT_TIMEOUTS, type HttpResult, sendHttp, sharedDispatcher, type TimeoutSettings, userAgent } from "./transport";

// The option types by this module's path too (src/selection imports one from here).
export type * from "./options";
export { NON_REPLAYABLE_OPERATIONS } from "./policy";
export { retryAfterMs } from "./response";

interface Context {
  settings: ResolvedSettings;
  tokenKey: string;
  bucket: string;
  tokenTimeoutSeconds: number;
}

/** What one attempt sends, and under which rate-limit bucket. */
interface AttemptInput {
  spec: RequestSpec;
  settings: ResolvedSettings;
  /** `/v1/…?query`, percent-encoded. */
  wirePath: string;
  bucket: string;
  pair: TokenPair | undefined;
}

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
      return parsePage(op, SigfoxDeviceList, res, attempts.n);
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
      return parsePage(op, DataEntryList, res, attempts.n);
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
    if (DOT_SEGMENT_TAG_NAMES.includes(tagName)) throw invalidArgument(op, `a tag named ${JSON.stringify(tagName)} cannot be deleted through the URL path`);
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
      return parseResponse(op, SigfoxDevice, res, attempts.n);
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
      return parseResponse(op, SigfoxDevice, res, attempts.n);
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
    if ("apiKey" in c) return preIssuedTokenPair(c);
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
      const auth = parseResponse("auth", AuthResponse, res, attempts.n);
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

  /** Sends `spec` with auth, rate limiting and retries; returns a 2xx response or throws. */
  private async execute(spec: RequestSpec, signal: AbortSignal, attempts: Attempts, knownCtx?: Context): Promise<HttpResult> {
    const ctx = knownCtx ?? (await raceAbort(this.context(), signal));
    const { settings } = ctx;
    // Soracom limits per operator and API group; the emulator per operator and operation. Buckets per
    // (credential, operation) follow the finer of the two; /auth is limited per source IP.
    const bucket = spec.authenticated ? `${ctx.bucket}|${spec.operation}` : `${settings.endpoint}#auth`;
    const wirePath = `/v1${spec.path}${buildQuery(spec.query)}`;
    const summary = `${spec.method} ${wirePath}`;
    const secrets = [...credentialSecrets(settings.credentials), ...(spec.secrets ?? [])];
    let state = FIRST_ATTEMPT;
    for (;;) {
      let pair: TokenPair | undefined;
      if (spec.authenticated) {
        pair = await this.tokenPair(ctx, signal);
        secrets.push(pair.apiKey, pair.token);
      }
      const outcome = await this.attempt({ spec, settings, wirePath, bucket, pair }, signal, attempts);
      const step = nextStep(outcome, state, {
        operation: spec.operation,
        summary,
        attempts: attempts.n,
        authenticated: pair !== undefined,
        credentialKind: credentialKind(settings.credentials),
        retry: this.retry,
        retryBudgetAvailable: sharedRetryBudget().available() >= 1,
        now: this.now(),
        random: this.random,
      });
      state = advance(state, step);
      if ("blockBucketMs" in step && step.blockBucketMs !== undefined) {
        this.record((s) => s.add("rateLimited"));
        // Every caller of this bucket waits too: the whole process is over the limit, not this call.
        sharedRateLimiter().blockUntil(bucket, Date.now() + step.blockBucketMs);
      }
      switch (step.kind) {
        case "done":
          return (outcome as Extract<AttemptOutcome, { kind: "response" }>).response;
        case "reauthenticate":
          // The token expired or was revoked: one fresh /auth, shared with concurrent callers.
          if (pair) invalidateTokenPair(ctx.tokenKey, pair);
          this.record((s) => s.add("reauthentications"));
          break;
        case "retry":
          sharedRetryBudget().tryTake();
          this.record((s) => s.add("retries"));
          await sleep(step.delayMs, signal);
          break;
        case "wait":
          break; // the limiter holds the next attempt until the bucket opens
        case "fail":
          throw new SoracomApiError({ ...step.failure, operation: spec.operation, request: summary, secrets, attempts: attempts.n });
      }
    }
  }

  /** One HTTP attempt under the rate limiter: its response, or the transport error that replaced it. */
  private async attempt(a: AttemptInput, signal: AbortSignal, attempts: Attempts): Promise<AttemptOutcome> {
    const { spec, settings, wirePath, bucket, pair } = a;
    const summary = `${spec.method} ${wirePath}`;
    const bodyText = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const limiter = sharedRateLimiter();
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
    this.record((s) => s.request(spec.operation, bodyText === undefined ? 0 : Buffer.byteLength(bodyText)));
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
      // The caller or the operation timer ended it: the scope says so, no retry.
      if (signal.aborted) throw err;
      const failure = classifyTransportError(err);
      this.log(`${spec.operation} ${summary} -> ${failure.timeout ? "timeout" : "network error"} (${failure.detail}) in ${Date.now() - started}ms attempt=${attempts.n}`);
      return { kind: "transport", failure, cause: err };
    }
    release();
    this.record((s) => s.received(res.bytesReceived));
    limiter.observe(bucket, rateLimitHeaders(res.headers));
    this.log(`${spec.operation} ${summary} -> ${res.status} in ${Date.now() - started}ms attempt=${attempts.n}`);
    return { kind: "response", response: res };
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

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
