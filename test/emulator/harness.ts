/**
 * Test harness of the emulator contract suite.
 *
 * By default every file starts its own emulator on port 0. With `SORACOM_CONTRACT_ENDPOINT` set, the
 * same tests run against that endpoint instead (another emulator, or the real API) using
 * `SORACOM_CONTRACT_AUTH_KEY_ID` / `SORACOM_CONTRACT_AUTH_KEY` and one registrable device
 * `SORACOM_CONTRACT_DEVICE_ID` / `SORACOM_CONTRACT_PAC`; tests that need the control plane (seeding,
 * clock, faults, uplinks) skip there and say why.
 *
 * Requests go through plain `fetch`, never through the project's client, so the suite checks the wire.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, type TestContext } from "vitest";
import { startEmulator, type EmulatorControl, type EmulatorOptions, type RunningEmulator } from "../../src/emulator";

export const REMOTE_ENDPOINT = process.env["SORACOM_CONTRACT_ENDPOINT"];
export const IS_REMOTE = REMOTE_ENDPOINT !== undefined && REMOTE_ENDPOINT !== "";
const SKIP_REASON = "needs the emulator control plane; SORACOM_CONTRACT_ENDPOINT points the suite at another API";

export interface Target {
  url: string;
  credentials: { authKeyId: string; authKey: string };
  /** Undefined in remote mode. */
  control: EmulatorControl | undefined;
  emulator: RunningEmulator | undefined;
  close(): Promise<void>;
}

export async function startTarget(options: EmulatorOptions = {}): Promise<Target> {
  if (IS_REMOTE) {
    return {
      url: REMOTE_ENDPOINT!.replace(/\/+$/, "").replace(/\/v1$/, ""),
      credentials: {
        authKeyId: process.env["SORACOM_CONTRACT_AUTH_KEY_ID"] ?? "",
        authKey: process.env["SORACOM_CONTRACT_AUTH_KEY"] ?? "",
      },
      control: undefined,
      emulator: undefined,
      close: async () => {},
    };
  }
  const emulator = await startEmulator(options);
  return { url: emulator.url, credentials: emulator.credentials, control: emulator.control, emulator, close: () => emulator.close() };
}

/** Skips the test in remote mode, with the reason; returns the control plane otherwise. */
export function controlOf(t: Target, ctx: TestContext): EmulatorControl {
  if (!t.control) ctx.skip(SKIP_REASON);
  return t.control!;
}

export function requireEmulator(ctx: TestContext): void {
  if (IS_REMOTE) ctx.skip(SKIP_REASON);
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Raw body string (to send invalid JSON). */
  rawBody?: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Send no auth headers. */
  anonymous?: boolean;
}

/** A logged-in API session over plain fetch. */
export class Api {
  apiKey = "";
  token = "";
  operatorId = "";

  constructor(readonly url: string) {}

  async login(body: Record<string, unknown>): Promise<ApiResponse> {
    const res = await this.call("POST", "/auth", { body, anonymous: true });
    if (res.status === 200) {
      this.apiKey = res.body.apiKey;
      this.token = res.body.token;
      this.operatorId = res.body.operatorId;
    }
    return res;
  }

  async call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(this.url + "/v1" + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (!options.anonymous) {
      headers["X-Soracom-API-Key"] = this.apiKey;
      headers["X-Soracom-Token"] = this.token;
    }
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, options?: CallOptions) {
    return this.call<T>("GET", path, options);
  }
  post<T = any>(path: string, options?: CallOptions) {
    return this.call<T>("POST", path, options);
  }
}

export async function loginAs(t: Target): Promise<Api> {
  const api = new Api(t.url);
  const res = await api.login({ authKeyId: t.credentials.authKeyId, authKey: t.credentials.authKey });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return api;
}

/** A target started and logged into before the file's tests, closed after them. */
export function useLoggedInTarget(options: EmulatorOptions = {}): { readonly t: Target; readonly api: Api } {
  const session = {} as { t: Target; api: Api };
  beforeAll(async () => {
    session.t = await startTarget(options);
    session.api = await loginAs(session.t);
  });
  afterAll(() => session.t?.close());
  return session;
}

/** A random device ID (8 hex digits, upper case) and PAC, unlikely to collide across tests. */
export function randomDevice(): { deviceId: string; pac: string } {
  return { deviceId: randomBytes(4).toString("hex").toUpperCase(), pac: randomBytes(8).toString("hex").toUpperCase() };
}

/**
 * A device in the network registry, ready to register: seeded through the control plane, or in remote
 * mode the one configured device (skips when none is configured).
 */
export async function networkDevice(t: Target, ctx: TestContext): Promise<{ deviceId: string; pac: string }> {
  if (!t.control) {
    const deviceId = process.env["SORACOM_CONTRACT_DEVICE_ID"];
    const pac = process.env["SORACOM_CONTRACT_PAC"];
    if (!deviceId || !pac) ctx.skip("SORACOM_CONTRACT_DEVICE_ID / SORACOM_CONTRACT_PAC not set");
    return { deviceId: deviceId!, pac: pac! };
  }
  const d = randomDevice();
  await t.control.seed({ devices: [d] });
  return d;
}

/** Seeds a device straight into the default operator's account (emulator only). */
export async function ownedDevice(
  t: Target,
  ctx: TestContext,
  extra: { tags?: Record<string, string>; terminationEnabled?: boolean; status?: "ready" | "active" | "instock" | "terminated"; groupId?: string } = {},
): Promise<{ deviceId: string; pac: string }> {
  const control = controlOf(t, ctx);
  const d = randomDevice();
  await control.seed({ devices: [{ ...d, ownerOperatorId: t.emulator!.credentials.operatorId, ...extra }] });
  return d;
}

export const GROUP_A = "11111111-2222-4333-8444-555555555555";
export const GROUP_B = "66666666-7777-4888-9999-aaaaaaaaaaaa";
