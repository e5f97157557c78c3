/** Authentication against the emulator: every credential mode, profiles, token cache, expiry and re-auth. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPERATOR } from "../../src/emulator";
import { SoracomClient } from "../../src/client";
import { clientFor, FAST_RETRY, rejection, useEmulator } from "./helpers";

const emu = useEmulator();
let dir: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "soracom-auth-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function profile(name: string, content: unknown, mode = 0o600): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(content));
  chmodSync(file, mode);
  return file;
}

async function authCalls(): Promise<number> {
  return (await emu.control.calls()).auth ?? 0;
}

describe("credential modes over HTTP", () => {
  it("auth key from options", async () => {
    await expect(clientFor(emu).authenticate()).resolves.toEqual({ operatorId: DEFAULT_OPERATOR.operatorId });
  });

  it("auth key from SORACOM_AUTH_KEY_ID/SORACOM_AUTH_KEY and endpoint from SORACOM_ENDPOINT", async () => {
    const c = new SoracomClient({
      env: { SORACOM_AUTH_KEY_ID: DEFAULT_OPERATOR.authKeyId, SORACOM_AUTH_KEY: DEFAULT_OPERATOR.authKey, SORACOM_ENDPOINT: `${emu.url}/v1` },
    });
    await expect(c.listSigfoxDevices()).resolves.toEqual({ items: [] });
    expect(await c.resolvedConfig()).toEqual({ endpoint: emu.url, credentialSource: "env:SORACOM_AUTH_KEY_ID", credentialKind: "authKey" });
  });

  it("root user email and password", async () => {
    const c = clientFor(emu, { credentials: { email: DEFAULT_OPERATOR.email, password: DEFAULT_OPERATOR.password } });
    await expect(c.authenticate()).resolves.toEqual({ operatorId: DEFAULT_OPERATOR.operatorId });
  });

  it("SAM user from a profile file (username in the file, userName on the wire)", async () => {
    profile("sam", {
      operatorId: DEFAULT_OPERATOR.operatorId,
      username: DEFAULT_OPERATOR.userName,
      password: DEFAULT_OPERATOR.userPassword,
      endpoint: emu.url,
    });
    const c = new SoracomClient({ profile: "sam", profileDir: dir, env: {} });
    await expect(c.listSigfoxDevices()).resolves.toEqual({ items: [] });
    expect((await c.resolvedConfig()).credentialKind).toBe("samUser");
  });

  it("the profile named by SORACOM_PROFILE in SORACOM_PROFILE_DIR (mode 0600)", async () => {
    profile("emu", { authKeyId: DEFAULT_OPERATOR.authKeyId, authKey: DEFAULT_OPERATOR.authKey, endpoint: emu.url });
    const c = new SoracomClient({ env: { SORACOM_PROFILE: "emu", SORACOM_PROFILE_DIR: dir } });
    await expect(c.authenticate()).resolves.toEqual({ operatorId: DEFAULT_OPERATOR.operatorId });
  });

  it("refuses a 0644 profile before any request, naming the file and chmod 600", async () => {
    const file = profile("default", { authKeyId: DEFAULT_OPERATOR.authKeyId, authKey: DEFAULT_OPERATOR.authKey, endpoint: emu.url }, 0o644);
    const c = new SoracomClient({ env: { SORACOM_PROFILE_DIR: dir } });
    const e = await rejection(c.listSigfoxDevices());
    expect(e).toMatchObject({ code: "config" });
    expect(e.message).toContain(`chmod 600 ${file}`);
    expect(e.message).not.toContain(DEFAULT_OPERATOR.authKey);
    expect(await authCalls()).toBe(0);
  });

  it("a profileCommand profile (node prints the profile JSON)", async () => {
    const script = path.join(dir, "print-profile.js");
    writeFileSync(
      script,
      `process.stdout.write(JSON.stringify({ email: ${JSON.stringify(DEFAULT_OPERATOR.email)}, password: process.env.EMU_PW, endpoint: ${JSON.stringify(emu.url)} }))`,
    );
    profile("vault", { profileCommand: `"${process.execPath}" "${script}"` });
    const c = new SoracomClient({ profile: "vault", profileDir: dir, env: { EMU_PW: DEFAULT_OPERATOR.password } });
    await expect(c.authenticate()).resolves.toEqual({ operatorId: DEFAULT_OPERATOR.operatorId });
  });

  it("a pre-issued API key and token (no /auth call)", async () => {
    const res = await fetch(`${emu.url}/v1/auth`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ authKeyId: DEFAULT_OPERATOR.authKeyId, authKey: DEFAULT_OPERATOR.authKey }),
    });
    const { apiKey, token } = (await res.json()) as { apiKey: string; token: string };
    await emu.control.clearRequests();
    const c = new SoracomClient({ endpoint: emu.url, env: { SORACOM_API_KEY: apiKey, SORACOM_TOKEN: token } });
    await expect(c.listSigfoxDevices()).resolves.toEqual({ items: [] });
    expect(await authCalls()).toBe(0);
  });

  it("wrong credentials are an auth error from the auth operation, without the secret", async () => {
    const c = clientFor(emu, { credentials: { authKeyId: DEFAULT_OPERATOR.authKeyId, authKey: "secret-wrong-key-1" } });
    const e = await rejection(c.getSigfoxDevice("1A"));
    expect(e).toMatchObject({ code: "auth", status: 401, operation: "auth", retryable: false });
    expect(JSON.stringify(e) + e.stack + e.message).not.toContain("secret-wrong-key-1");
    expect(await authCalls()).toBe(1);
  });
});

describe("token cache", () => {
  it("one /auth per credential per process, shared by concurrent callers and client instances", async () => {
    const clients = [clientFor(emu), clientFor(emu), clientFor(emu)];
    await Promise.all(clients.flatMap((c) => Array.from({ length: 5 }, () => c.listSigfoxDevices())));
    await clientFor(emu).listSigfoxDevices();
    expect(await authCalls()).toBe(1);
    expect((await emu.control.calls()).listSigfoxDevices).toBe(16);
  });

  it("different credentials get different tokens", async () => {
    await clientFor(emu).authenticate();
    await clientFor(emu, { credentials: { email: DEFAULT_OPERATOR.email, password: DEFAULT_OPERATOR.password } }).authenticate();
    expect(await authCalls()).toBe(2);
  });

  it("requests tokenTimeoutSeconds and re-authenticates once after the emulator clock passes expiry, replaying the call", async () => {
    await emu.control.seed({ devices: [{ deviceId: "77", ownerOperatorId: DEFAULT_OPERATOR.operatorId }] });
    const c = clientFor(emu, { tokenTimeoutSeconds: 180 });
    await c.getSigfoxDevice("77");
    await emu.control.advanceClock(181);
    await expect(c.getSigfoxDevice("77")).resolves.toMatchObject({ device_id: "77" });
    expect(await authCalls()).toBe(2);
    const log = await emu.control.requests();
    expect(log.filter((r) => r.operation === "getSigfoxDevice").map((r) => r.status)).toEqual([200, 401, 200]);
    expect(c.stats().reauthentications).toBe(1);
  });

  it("concurrent 401s after expiry lead to exactly one re-authentication", async () => {
    const c = clientFor(emu, { tokenTimeoutSeconds: 180 });
    await c.listSigfoxDevices();
    await emu.control.advanceClock(200);
    await Promise.all(Array.from({ length: 6 }, () => c.listSigfoxDevices()));
    expect(await authCalls()).toBe(2);
  });

  it("refreshes the token before expiry (at 80% of its lifetime, local clock) without a 401", async () => {
    let now = Date.now();
    const c = clientFor(emu, { tokenTimeoutSeconds: 1000, now: () => now });
    await c.listSigfoxDevices();
    now += 790_000;
    await c.listSigfoxDevices();
    expect(await authCalls()).toBe(1);
    now += 20_000; // 81% of 1000 s
    await c.listSigfoxDevices();
    expect(await authCalls()).toBe(2);
    const log = await emu.control.requests();
    expect(log.filter((r) => r.status === 401)).toEqual([]);
  });

  it("a rejected pre-issued token is an auth error and is not renewed", async () => {
    const c = new SoracomClient({ endpoint: emu.url, credentials: { apiKey: "api-bogus", token: "token-bogus" }, env: {}, retry: FAST_RETRY });
    const e = await rejection(c.listSigfoxDevices());
    expect(e).toMatchObject({ code: "auth", status: 401, operation: "listSigfoxDevices" });
    expect(e.message).toMatch(/pre-issued/);
    expect(await authCalls()).toBe(0);
  });
});
