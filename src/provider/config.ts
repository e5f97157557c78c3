/**
 * Provider configuration and the one Soracom client of the provider process.
 *
 * Credentials are never captured in the serialized provider: they are read here, at call time, in
 * the provider process, from the stack configuration the host hands to `configure()` (fully
 * qualified keys, secrets already decrypted), falling back to the client's own resolution
 * (environment variables, then soracom-cli profiles). docs/provider.md lists every key.
 *
 * `configure()` never throws: the host caches the provider object *before* awaiting `configure`, so a
 * throw would leave later calls running unconfigured. A bad configuration is stored and thrown by
 * every operation that needs the API (`check` and `diff` never do).
 */
import * as os from "node:os";
import * as path from "node:path";
import type { ApiSigfoxDevice } from "../api/schemas";
import { nonEmpty, SoracomClient, type Page, type SoracomClientOptions } from "../client";

/** Configuration namespace of the provider (`soracom:<key>`). */
export const CONFIG_NAMESPACE = "soracom";

/** Every configuration key, with the environment variable used when the key is not set. */
export const CONFIG_KEYS = {
  authKeyId: "SORACOM_AUTH_KEY_ID",
  authKey: "SORACOM_AUTH_KEY",
  coverageType: "SORACOM_COVERAGE_TYPE",
  endpoint: "SORACOM_ENDPOINT",
  profile: "SORACOM_PROFILE",
  profileDir: "SORACOM_PROFILE_DIR",
  connectTimeoutMs: undefined,
  headersTimeoutMs: undefined,
  operationTimeoutMs: undefined,
  maxConcurrency: undefined,
  releasedPacDir: "SORACOM_RELEASED_PAC_DIR",
} as const satisfies Record<string, string | undefined>;
export type ConfigKey = keyof typeof CONFIG_KEYS;

/** What the host passes to `configure()`: a config object with `get(key)` (fully qualified keys). */
export interface ConfigureRequest {
  config: { get(key: string): unknown } | Record<string, unknown>;
}

/** Settings of the provider process, parsed from the stack configuration. */
export interface ProviderSettings {
  /** Options for the Soracom client; unset fields fall back to the client's env/profile resolution. */
  client: SoracomClientOptions;
  /** Directory for PACs released by immediate deletion (already resolved, absolute). */
  releasedPacDir: string;
}

/**
 * The subset of `SoracomClient` the provider uses: the seam that lets unit tests run the provider
 * against a fake or an emulator-backed client.
 */
export interface DeviceApi {
  getSigfoxDevice(deviceId: string): Promise<ApiSigfoxDevice>;
  /** One page of the account's devices (the device directory lists the account with it). */
  listSigfoxDevices(query: { lastEvaluatedKey?: string }): Promise<Page<ApiSigfoxDevice>>;
  registerSigfoxDevice(
    deviceId: string,
    body: { registrationSecret: string; tags?: Record<string, string>; productCertificationId?: string },
  ): Promise<ApiSigfoxDevice>;
  putSigfoxDeviceTags(deviceId: string, tags: { tagName: string; tagValue: string }[]): Promise<ApiSigfoxDevice>;
  deleteSigfoxDeviceTag(deviceId: string, tagName: string): Promise<void>;
  setSigfoxDeviceGroup(deviceId: string, groupId: string): Promise<ApiSigfoxDevice>;
  unsetSigfoxDeviceGroup(deviceId: string): Promise<ApiSigfoxDevice>;
  enableTerminationOnSigfoxDevice(deviceId: string): Promise<ApiSigfoxDevice>;
  disableTerminationOnSigfoxDevice(deviceId: string): Promise<ApiSigfoxDevice>;
  terminateSigfoxDevice(deviceId: string, opts: { deleteImmediately?: boolean }): Promise<ApiSigfoxDevice>;
}

/**
 * The client names settings by its option (`options.endpoint`); a Pulumi user set a stack config key
 * or an environment variable. These are the provider's keys for each client option it sets.
 */
const CLIENT_OPTION_KEYS: Record<string, string> = {
  "options.credentials": `${CONFIG_NAMESPACE}:authKeyId/${CONFIG_NAMESPACE}:authKey`,
  "options.profile": `${CONFIG_NAMESPACE}:profile`,
  "options.endpoint": `${CONFIG_NAMESPACE}:endpoint`,
  "options.coverageType": `${CONFIG_NAMESPACE}:coverageType`,
  "options.profileDir": `${CONFIG_NAMESPACE}:profileDir`,
};

/**
 * A configuration problem (bad or missing settings, found before anything was sent), worded for a
 * Pulumi user: the keys they set, how to fix them, and that it is not an API failure.
 */
export function configurationMessage(problem: string): string {
  let text = problem;
  for (const [option, key] of Object.entries(CLIENT_OPTION_KEYS)) text = text.split(option).join(key);
  return (
    `configuration error (the Soracom provider's settings, not an API failure; nothing was sent to the API): ${text}. ` +
    `Fix the stack configuration (\`pulumi config set ${CONFIG_NAMESPACE}:<key> <value>\`, \`--secret\` for ${CONFIG_NAMESPACE}:authKey) ` +
    `or the SORACOM_* environment variables (docs/provider.md lists them), then run the command again`
  );
}

let settings: ProviderSettings | undefined;
let settingsError: Error | undefined;
let settingsKey = "";
let api: DeviceApi | undefined;
let apiFactory: ((options: SoracomClientOptions) => DeviceApi) | undefined;

function readKey(config: ConfigureRequest["config"], key: ConfigKey): unknown {
  const qualified = `${CONFIG_NAMESPACE}:${key}`;
  const get = (config as { get?: unknown }).get;
  const value = typeof get === "function" ? (get as (k: string) => unknown).call(config, qualified) : (config as Record<string, unknown>)[qualified];
  return value === "" || value === null ? undefined : value;
}

function asString(key: ConfigKey, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new Error(`configuration ${CONFIG_NAMESPACE}:${key} must be a string`);
  return value;
}

function asPositiveInt(key: ConfigKey, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`configuration ${CONFIG_NAMESPACE}:${key} must be a positive integer (got ${JSON.stringify(String(value))})`);
  }
  return n;
}

/** Parses the stack configuration into settings. Throws with a message naming the key (never a value of a secret key). */
export function parseSettings(config: ConfigureRequest["config"], env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const authKeyId = asString("authKeyId", readKey(config, "authKeyId"));
  const authKey = asString("authKey", readKey(config, "authKey"));
  if ((authKeyId === undefined) !== (authKey === undefined)) {
    throw new Error(
      `configuration ${CONFIG_NAMESPACE}:authKeyId and ${CONFIG_NAMESPACE}:authKey must be set together ` +
        `(pulumi config set ${CONFIG_NAMESPACE}:authKeyId keyId-...; pulumi config set --secret ${CONFIG_NAMESPACE}:authKey secret-...)`,
    );
  }
  const coverageType = asString("coverageType", readKey(config, "coverageType"));
  if (coverageType !== undefined && coverageType !== "jp" && coverageType !== "g") {
    throw new Error(`configuration ${CONFIG_NAMESPACE}:coverageType must be "jp" or "g" (got ${JSON.stringify(coverageType)})`);
  }
  const endpoint = asString("endpoint", readKey(config, "endpoint"));
  const profile = asString("profile", readKey(config, "profile"));
  const profileDir = asString("profileDir", readKey(config, "profileDir"));
  const connectMs = asPositiveInt("connectTimeoutMs", readKey(config, "connectTimeoutMs"));
  const headersMs = asPositiveInt("headersTimeoutMs", readKey(config, "headersTimeoutMs"));
  const operationMs = asPositiveInt("operationTimeoutMs", readKey(config, "operationTimeoutMs"));
  const maxConcurrency = asPositiveInt("maxConcurrency", readKey(config, "maxConcurrency"));
  const pacDir = asString("releasedPacDir", readKey(config, "releasedPacDir")) ?? nonEmpty(env.SORACOM_RELEASED_PAC_DIR);

  const client: SoracomClientOptions = {};
  if (authKeyId !== undefined && authKey !== undefined) client.credentials = { authKeyId, authKey };
  if (coverageType !== undefined) client.coverageType = coverageType;
  if (endpoint !== undefined) client.endpoint = endpoint;
  if (profile !== undefined) client.profile = profile;
  if (profileDir !== undefined) client.profileDir = profileDir;
  if (connectMs !== undefined || headersMs !== undefined || operationMs !== undefined) {
    client.timeouts = {
      ...(connectMs !== undefined ? { connectMs } : {}),
      ...(headersMs !== undefined ? { headersMs } : {}),
      ...(operationMs !== undefined ? { operationMs } : {}),
    };
  }
  if (maxConcurrency !== undefined) client.maxConcurrency = maxConcurrency;
  client.userAgentSuffix = "pulumi-dynamic-provider";
  return {
    client,
    releasedPacDir: path.resolve(pacDir ?? path.join(os.homedir(), ".soracom-sigfox", "released-pacs")),
  };
}

/**
 * Stores the stack configuration. Called by the host once per distinct serialized provider text per
 * process; a second call with the same settings keeps the existing client (and its token).
 */
export function configure(req: ConfigureRequest | undefined): void {
  let next: ProviderSettings | undefined;
  let error: Error | undefined;
  try {
    next = parseSettings(req?.config ?? {});
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  }
  const key = next ? JSON.stringify(next) : `error:${error?.message ?? ""}`;
  if (key === settingsKey && (settings !== undefined || settingsError !== undefined)) return;
  settings = next;
  settingsError = error;
  settingsKey = key;
  api = undefined;
}

/** The current settings; without a `configure()` call, the defaults (environment and profiles only). */
export function currentSettings(): ProviderSettings {
  if (settingsError) {
    const err = new Error(`Soracom provider ${configurationMessage(settingsError.message)}`);
    err.stack = ""; // the message says everything; the host would print it twice with a trace
    throw err;
  }
  if (!settings) {
    settings = parseSettings({});
    settingsKey = JSON.stringify(settings);
  }
  return settings;
}

/** The process-wide client, created on first use. */
export function getApi(): DeviceApi {
  const s = currentSettings();
  if (!api) {
    api = apiFactory ? apiFactory(s.client) : new SoracomClient(s.client);
  }
  return api;
}

/** Tests only: replace the client factory (or restore the default with `undefined`) and forget all state. */
export function setApiFactoryForTests(factory: ((options: SoracomClientOptions) => DeviceApi) | undefined): void {
  apiFactory = factory;
  api = undefined;
  settings = undefined;
  settingsError = undefined;
  settingsKey = "";
}
