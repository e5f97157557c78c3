/**
 * The serialized shim: what every SigfoxDevice stores twice in state and what `read`/`delete` run
 * forever. Serialized from the COMPILED package with the SDK's own serializer in a plain Node process.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "..", "..");
const fixtures = path.join(__dirname, "fixtures");
const AUTH_KEY = "secret-shim-test-auth-key-0123456789";

function assertBuilt(): void {
  const src = path.join(repoRoot, "src", "provider", "shim.ts");
  const out = path.join(repoRoot, "dist", "provider", "shim.js");
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs) {
    throw new Error("dist/provider/shim.js is missing or older than its source: run `tsc -p tsconfig.build.json` first");
  }
}

function serialize(mode: "default" | "ts38"): { text: string; containsSecrets: boolean } {
  const out = execFileSync(process.execPath, [path.join(fixtures, "serialize-shim.js"), mode], {
    cwd: repoRoot,
    env: { ...process.env, SORACOM_AUTH_KEY_ID: "keyId-shim-test", SORACOM_AUTH_KEY: AUTH_KEY },
    encoding: "utf8",
  });
  return JSON.parse(out) as { text: string; containsSecrets: boolean };
}

describe("serialized SigfoxDevice shim", () => {
  let text = "";
  beforeAll(() => {
    assertBuilt();
    text = serialize("default").text;
  });

  it("is at most 1 KB", () => {
    const bytes = Buffer.byteLength(text, "utf8");
    console.log(`serialized shim: ${bytes} bytes`);
    expect(bytes).toBeLessThanOrEqual(1024);
  });

  it("requires only the public entry pulumi-soracom-sigfox/provider", () => {
    const requires = [...text.matchAll(/require\(\s*(["'`])([^"'`]+)\1\s*\)/g)].map((m) => m[2]);
    expect(requires).toEqual(["pulumi-soracom-sigfox/provider"]);
    // Nothing else captured: no client, no zod, no local module, no credentials.
    expect(text).not.toMatch(/zod|undici|SoracomClient|dist\/|src\/|keyId-|secret-/);
    expect(text).not.toContain(AUTH_KEY);
  });

  it("is stable: identical to the committed text (a change would touch every resource's state)", () => {
    const expected = fs.readFileSync(path.join(fixtures, "shim.serialized.js"), "utf8");
    expect(text).toBe(expected);
  });

  it("serializes identically with the TypeScript 3.8 parser the SDK falls back to", () => {
    expect(serialize("ts38").text).toBe(text);
  });

  it("loads like the host loads it: configure installs every method, then check and diff work", () => {
    const out = execFileSync(process.execPath, [path.join(fixtures, "host-load.js")], { cwd: repoRoot, input: text, encoding: "utf8" });
    const r = JSON.parse(out) as { before: string[]; after: string[]; checked: { failures: unknown[] }; diffed: { changes: boolean } };
    expect(r.before).toEqual(["configure"]);
    expect(r.after).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
    expect(r.checked.failures).toEqual([]);
    expect(r.diffed.changes).toBe(false);
  });
});
