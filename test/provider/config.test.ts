/**
 * Provider configuration: fully qualified stack config keys first, then the client's env/profile
 * resolution; errors name the key, never a secret value.
 */
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Config } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import { CONFIG_KEYS, parseSettings } from "../../src/provider/config";

/** The host's config object: `get` takes fully qualified keys (an unqualified key gets the project's namespace). */
const hostConfig = (values: Record<string, string>) => new Config(values, "my-project");

describe("parseSettings", () => {
  it("maps every soracom:* key to the client options", () => {
    const s = parseSettings(
      hostConfig({
        "soracom:authKeyId": "keyId-abc",
        "soracom:authKey": "secret-xyz",
        "soracom:coverageType": "g",
        "soracom:endpoint": "http://127.0.0.1:9999/v1",
        "soracom:profile": "work",
        "soracom:profileDir": "/etc/soracom",
        "soracom:connectTimeoutMs": "1500",
        "soracom:headersTimeoutMs": "2500",
        "soracom:operationTimeoutMs": "60000",
        "soracom:maxConcurrency": "4",
        "soracom:releasedPacDir": "/var/pacs",
      }),
      {},
    );
    expect(s.client).toMatchObject({
      credentials: { authKeyId: "keyId-abc", authKey: "secret-xyz" },
      coverageType: "g",
      endpoint: "http://127.0.0.1:9999/v1",
      profile: "work",
      profileDir: "/etc/soracom",
      timeouts: { connectMs: 1500, headersMs: 2500, operationMs: 60000 },
      maxConcurrency: 4,
    });
    expect(s.releasedPacDir).toBe("/var/pacs");
  });

  it("leaves unset keys to the client's own env/profile resolution", () => {
    const s = parseSettings(hostConfig({}), { SORACOM_AUTH_KEY_ID: "keyId-env", SORACOM_ENDPOINT: "http://x" });
    expect(s.client).toEqual({ userAgentSuffix: "pulumi-dynamic-provider" });
    expect(s.releasedPacDir).toBe(path.join(os.homedir(), ".soracom-sigfox", "released-pacs"));
  });

  it("takes the released-PAC directory from SORACOM_RELEASED_PAC_DIR when the key is not set", () => {
    expect(parseSettings(hostConfig({}), { SORACOM_RELEASED_PAC_DIR: "/tmp/pacs" }).releasedPacDir).toBe("/tmp/pacs");
  });

  it("ignores keys of other namespaces (unqualified keys are the project's)", () => {
    const s = parseSettings(hostConfig({ "my-project:endpoint": "http://nope", "aws:region": "x" }), {});
    expect(s.client.endpoint).toBeUndefined();
  });

  it("rejects half a key pair without echoing the key", () => {
    expect(() => parseSettings(hostConfig({ "soracom:authKey": "secret-only-half" }), {})).toThrow(
      /soracom:authKeyId and soracom:authKey must be set together/,
    );
    try {
      parseSettings(hostConfig({ "soracom:authKey": "secret-only-half" }), {});
    } catch (e) {
      expect(String(e)).not.toContain("secret-only-half");
    }
  });

  it.each([
    ["soracom:coverageType", "eu", /must be "jp" or "g"/],
    ["soracom:maxConcurrency", "lots", /soracom:maxConcurrency must be a positive integer/],
    ["soracom:operationTimeoutMs", "0", /soracom:operationTimeoutMs must be a positive integer/],
  ])("rejects a bad %s, naming the key", (key, value, message) => {
    expect(() => parseSettings(hostConfig({ [key]: value }), {})).toThrow(message);
  });

  it("documents an env var for every key that has one", () => {
    expect(Object.keys(CONFIG_KEYS).sort()).toEqual(
      [
        "authKey",
        "authKeyId",
        "connectTimeoutMs",
        "coverageType",
        "endpoint",
        "headersTimeoutMs",
        "maxConcurrency",
        "operationTimeoutMs",
        "profile",
        "profileDir",
        "releasedPacDir",
      ].sort(),
    );
  });
});
