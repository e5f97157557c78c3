/**
 * The option and input types of SoracomClient: what a caller may pass, with the default of each field.
 */
import type { Dispatcher } from "undici";
import type { DATA_SORT_ORDERS, TAG_VALUE_MATCH_MODES, TagMap } from "../api/schemas";
import type { CredentialKind, Credentials } from "./credentials";
import type { CoverageType } from "./endpoint";
import type { RetryOptions } from "./retry";
import type { TimeoutOptions } from "./transport";

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
   * Concurrent requests per *process* (default 8). The limiter is shared by every client, so this
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
