/** Credential and endpoint resolution: order, environment, soracom-cli profiles, file modes, profileCommand. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveSettings, isSoracomApiError } from "../../src/client";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "soracom-profiles-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeProfile(name: string, content: unknown, mode = 0o600): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  chmodSync(file, mode);
  return file;
}

async function configError(p: Promise<unknown>): Promise<Error & { code: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(isSoracomApiError(e)).toBe(true);
  expect((e as { code: string }).code).toBe("config");
  return e as Error & { code: string };
}

describe("credential resolution order", () => {
  const env = {
    SORACOM_AUTH_KEY_ID: "keyId-env",
    SORACOM_AUTH_KEY: "secret-env",
    SORACOM_PROFILE_DIR: "",
  };

  it("explicit credentials win over environment and profiles", async () => {
    writeProfile("default", { authKeyId: "keyId-profile", authKey: "secret-profile" });
    const s = await resolveSettings({ credentials: { authKeyId: "keyId-opt", authKey: "secret-opt" }, env: { ...env, SORACOM_PROFILE_DIR: dir } });
    expect(s.credentials).toEqual({ authKeyId: "keyId-opt", authKey: "secret-opt" });
    expect(s.credentialSource).toBe("options");
  });

  it("an explicitly named profile wins over environment credentials", async () => {
    writeProfile("work", { authKeyId: "keyId-profile", authKey: "secret-profile" });
    const s = await resolveSettings({ profile: "work", profileDir: dir, env });
    expect(s.credentials).toEqual({ authKeyId: "keyId-profile", authKey: "secret-profile" });
    expect(s.credentialSource).toContain("profile:work");
  });

  it("SORACOM_AUTH_KEY_ID/SORACOM_AUTH_KEY win over the default profile", async () => {
    writeProfile("default", { authKeyId: "keyId-profile", authKey: "secret-profile" });
    const s = await resolveSettings({ env: { ...env, SORACOM_PROFILE_DIR: dir } });
    expect(s.credentials).toEqual({ authKeyId: "keyId-env", authKey: "secret-env" });
    expect(s.credentialSource).toBe("env:SORACOM_AUTH_KEY_ID");
  });

  it("a pre-issued SORACOM_API_KEY/SORACOM_TOKEN is used when no auth key is set", async () => {
    const s = await resolveSettings({ env: { SORACOM_API_KEY: "api-x", SORACOM_TOKEN: "tok-x", SORACOM_OPERATOR_ID: "OP1" } });
    expect(s.credentials).toEqual({ apiKey: "api-x", token: "tok-x", operatorId: "OP1" });
  });

  it("only one of an environment pair is a config error naming both variables", async () => {
    const e = await configError(resolveSettings({ env: { SORACOM_AUTH_KEY_ID: "keyId-x" } }));
    expect(e.message).toContain("SORACOM_AUTH_KEY");
  });

  it("falls back to the profile named by SORACOM_PROFILE in SORACOM_PROFILE_DIR", async () => {
    writeProfile("ci", { email: "ops@example.com", password: "pw-123456" });
    const s = await resolveSettings({ env: { SORACOM_PROFILE: "ci", SORACOM_PROFILE_DIR: dir } });
    expect(s.credentials).toEqual({ email: "ops@example.com", password: "pw-123456" });
  });

  it("uses ~/.soracom/default.json when nothing else is set", async () => {
    const home = dir;
    const soracomDir = path.join(home, ".soracom");
    mkdirSync(soracomDir);
    const file = path.join(soracomDir, "default.json");
    writeFileSync(file, JSON.stringify({ authKeyId: "keyId-home", authKey: "secret-home" }));
    chmodSync(file, 0o600);
    const s = await resolveSettings({ env: {}, homeDir: home });
    expect(s.credentials).toEqual({ authKeyId: "keyId-home", authKey: "secret-home" });
  });

  it("no credentials anywhere is a config error listing what was tried", async () => {
    const e = await configError(resolveSettings({ env: { SORACOM_PROFILE_DIR: dir } }));
    expect(e.message).toMatch(/No Soracom credentials found.*SORACOM_AUTH_KEY_ID.*default\.json/);
  });

  it("a missing explicitly named profile is a config error naming the file", async () => {
    const e = await configError(resolveSettings({ env: { SORACOM_PROFILE: "nope", SORACOM_PROFILE_DIR: dir } }));
    expect(e.message).toContain(path.join(dir, "nope.json"));
  });
});

describe("soracom-cli profiles", () => {
  it("maps a SAM user profile's lower-case username to userName", async () => {
    writeProfile("sam", { operatorId: "OP0012345678", username: "deployer", password: "pw-sam-1", coverageType: "g" });
    const s = await resolveSettings({ profile: "sam", profileDir: dir, env: {} });
    expect(s.credentials).toEqual({ operatorId: "OP0012345678", userName: "deployer", password: "pw-sam-1" });
    expect(s.endpoint).toBe("https://g.api.soracom.io");
  });

  it("refuses a profile readable by group/others with a message naming the file and chmod 600", async () => {
    const file = writeProfile("default", { authKeyId: "keyId-p", authKey: "secret-leaky-profile" }, 0o644);
    const e = await configError(resolveSettings({ env: { SORACOM_PROFILE_DIR: dir } }));
    expect(e.message).toContain(file);
    expect(e.message).toContain(`chmod 600 ${file}`);
    expect(e.message).not.toContain("secret-leaky-profile");
  });

  it("runs profileCommand and parses its stdout as the profile", async () => {
    const script = path.join(dir, "emit.js");
    writeFileSync(script, `process.stdout.write(JSON.stringify({authKeyId:"keyId-cmd",authKey:"secret-cmd",coverageType:"g"}))`);
    writeProfile("cmd", { profileCommand: `${JSON.stringify(process.execPath)} ${JSON.stringify(script)}` });
    const s = await resolveSettings({ profile: "cmd", profileDir: dir, env: {} });
    expect(s.credentials).toEqual({ authKeyId: "keyId-cmd", authKey: "secret-cmd" });
    expect(s.endpoint).toBe("https://g.api.soracom.io");
  });

  it("a failing profileCommand is a config error that does not quote its output", async () => {
    writeProfile("bad", { profileCommand: "echo secret-in-stdout-42; echo secret-in-stderr-42 >&2; exit 3" });
    const e = await configError(resolveSettings({ profile: "bad", profileDir: dir, env: {} }));
    expect(e.message).toContain("exited with code 3");
    expect(e.message).not.toContain("secret-in-std");
  });

  it("a profileCommand printing non-JSON is a config error that does not echo the output", async () => {
    writeProfile("junk", { profileCommand: "echo hunter2-not-json" });
    const e = await configError(resolveSettings({ profile: "junk", profileDir: dir, env: {} }));
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.message).not.toContain("hunter2");
  });

  it("a profile without credentials is a config error", async () => {
    writeProfile("empty", { coverageType: "jp" });
    await configError(resolveSettings({ profile: "empty", profileDir: dir, env: {} }));
  });

  it("a profile name with a path separator is refused", async () => {
    await configError(resolveSettings({ profile: "../etc/passwd", profileDir: dir, env: {} }));
  });

  it("passes the profile's extra headers through", async () => {
    writeProfile("h", { authKeyId: "keyId-h", authKey: "secret-h", headers: { "X-Extra": "1" } });
    const s = await resolveSettings({ profile: "h", profileDir: dir, env: {} });
    expect(s.headers).toEqual({ "x-extra": "1" });
  });
});

describe("endpoint resolution", () => {
  const creds = { authKeyId: "keyId-e", authKey: "secret-e" };
  it("defaults to the jp coverage endpoint", async () => {
    expect((await resolveSettings({ credentials: creds, env: {} })).endpoint).toBe("https://api.soracom.io");
  });
  it("coverage type g selects the global endpoint", async () => {
    expect((await resolveSettings({ credentials: creds, coverageType: "g", env: {} })).endpoint).toBe("https://g.api.soracom.io");
    expect((await resolveSettings({ credentials: creds, env: { SORACOM_COVERAGE_TYPE: "g" } })).endpoint).toBe("https://g.api.soracom.io");
  });
  it("SORACOM_ENDPOINT overrides the coverage type and loses to the option; /v1 is stripped", async () => {
    expect((await resolveSettings({ credentials: creds, coverageType: "g", env: { SORACOM_ENDPOINT: "http://127.0.0.1:9999/v1" } })).endpoint).toBe(
      "http://127.0.0.1:9999",
    );
    expect(
      (await resolveSettings({ credentials: creds, endpoint: "http://127.0.0.1:1/v1/", env: { SORACOM_ENDPOINT: "http://127.0.0.1:9999" } })).endpoint,
    ).toBe("http://127.0.0.1:1");
  });
  it("the profile's endpoint overrides its coverage type", async () => {
    writeProfile("emu", { authKeyId: "keyId-p", authKey: "secret-p", coverageType: "g", endpoint: "http://127.0.0.1:4000/v1" });
    expect((await resolveSettings({ profile: "emu", profileDir: dir, env: {} })).endpoint).toBe("http://127.0.0.1:4000");
  });
  it("an invalid coverage type is a config error", async () => {
    await configError(resolveSettings({ credentials: creds, env: { SORACOM_COVERAGE_TYPE: "eu" } }));
  });
});
