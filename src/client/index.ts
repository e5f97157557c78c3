/**
 * `pulumi-soracom-sigfox/client`: the typed Soracom Air for Sigfox API client.
 *
 * ```ts
 * import { SoracomClient, collectAll, isSoracomApiError } from "pulumi-soracom-sigfox/client";
 * const client = new SoracomClient();               // credentials from env or ~/.soracom/default.json
 * const devices = await collectAll(client.sigfoxDevices({ tagName: "site", tagValue: "tokyo" }));
 * try { await client.getSigfoxDevice("1A2B3C"); }
 * catch (e) { if (isSoracomApiError(e) && e.code === "not_found") { ... } }
 * ```
 *
 * Credentials, first match wins: `options.credentials` → `options.profile` →
 * `SORACOM_AUTH_KEY_ID`/`SORACOM_AUTH_KEY` → `SORACOM_API_KEY`/`SORACOM_TOKEN` → the soracom-cli
 * profile `SORACOM_PROFILE` (default `default`) in `SORACOM_PROFILE_DIR` or `~/.soracom`.
 * Endpoint: `options.endpoint` → `SORACOM_ENDPOINT` → profile `endpoint` → coverage type (`jp`|`g`).
 */
export { SoracomClient, processStats, DEFAULT_TOKEN_TIMEOUT_SECONDS } from "./client";
export type {
  SoracomClientOptions,
  CallOptions,
  ListSigfoxDevicesQuery,
  GetDataQuery,
  RegisterSigfoxDeviceInput,
  TerminateSigfoxDeviceInput,
  ResolvedClientConfig,
  SoracomLogger,
} from "./options";
export { NON_REPLAYABLE_OPERATIONS } from "./policy";
export { retryAfterMs } from "./response";
export { SoracomApiError, isSoracomApiError, SORACOM_ERROR_CODES, codeForStatus, type SoracomErrorCode, type SoracomApiErrorInit } from "./errors";
export { redact, redactValue, redactValues, registerSecret, REDACTED, SECRET_FIELD_NAMES } from "./redact";
/** The settings rule: an empty string read from options, a profile, config or the environment is "not set" (the provider and the default program read their settings the same way). */
export { isNonEmpty, nonEmpty } from "./non-empty";
export {
  resolveSettings,
  loadProfile,
  credentialsFromProfile,
  credentialKind,
  SoracomProfile,
  type Credentials,
  type CredentialKind,
  type AuthKeyCredentials,
  type RootUserCredentials,
  type SamUserCredentials,
  type TokenCredentials,
  type ResolvedSettings,
  type ResolveSettingsInput,
} from "./credentials";
export { normalizeEndpoint, endpointForCoverage, COVERAGE_ENDPOINTS, SANDBOX_ENDPOINTS, type CoverageType } from "./endpoint";
export { collectAll, paginate, nextKeyFromHeaders, nextKeyFromLink, type Page } from "./pagination";
export { RateLimiter, ADAPTIVE_MAX_CONCURRENCY, DEFAULT_MAX_CONCURRENCY, type RateLimiterOptions, type RateLimitObservation } from "./rate-limiter";
export { RetryBudget, backoffDelay, DEFAULT_RETRY, type RetryOptions, type RetryBudgetOptions } from "./retry";
export { sharedRateLimiter, sharedRetryBudget, configureSharedLimits, resetSharedClientState, type SharedLimitsOptions } from "./shared";
export { clearTokenCache, TOKEN_REFRESH_FRACTION } from "./token-cache";
export { DEFAULT_TIMEOUTS, DEFAULT_MAX_CONNECTIONS, userAgent, packageVersion, closeSharedDispatchers, type TimeoutOptions } from "./transport";
export type { SoracomClientStats } from "./stats";
export type { ApiSigfoxDevice, DataEntry, TagMap, TagUpdateRequest } from "../api/schemas";
