/** The pure parts of drift: ignore rules, reading an exported state, backend names in errors, the HTML escaping. */
import { describe, expect, it } from "vitest";
import { IgnoreRules, parseIgnoreRules } from "../../src/drift/ignore";
import { devicesOfStackExport, SIGFOX_DEVICE_TYPE } from "../../src/drift/expected";
import { displayBackend, globToRegExp } from "../../src/drift/stacks";
import { renderReport } from "../../src/drift/render";
import type { DriftReport } from "../../src/drift/report";

describe("ignore rules", () => {
  const rules = new IgnoreRules(
    parseIgnoreRules(["# comment", "*.tags.lastService", "1a2b*", "!1A2B3C01.groupId", "\\#weird", "ABCD.tags.a.b"].join("\n"), ".sigfoxdriftignore"),
  );

  it("the last matching pattern over the finding or its device decides; device IDs ignore case; tag names may hold dots", () => {
    expect(rules.ignores("FFFF0001", "tags.lastService")).toBe(true);
    expect(rules.ignores("FFFF0001", "tags.site")).toBe(false);
    expect(rules.ignores("1A2B3C01", "tags.site")).toBe(true);
    expect(rules.ignores("1A2B3C01", "groupId")).toBe(false);
    expect(rules.ignores("1a2b3c02")).toBe(true);
    expect(rules.ignores("abcd", "tags.a.b")).toBe(true);
    expect(rules.ignores("ABCD", "tags.a")).toBe(false);
  });

  it("rejects a pattern naming no field, and a lone !, with the line and the fix", () => {
    expect(() => parseIgnoreRules("1A2B.tag.site\n", "x.ignore")).toThrow(/x\.ignore:1: "1A2B\.tag\.site" names no field of a device\. Fix: use <deviceId>/);
    expect(() => parseIgnoreRules("\n!\n", "x.ignore")).toThrow(/x\.ignore:2: "!" alone is not a pattern/);
  });
});

describe("expected state from a stack export", () => {
  const resource = (id: string, outputs: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    urn: `urn:pulumi:prod::p::${SIGFOX_DEVICE_TYPE}::${id}`,
    type: SIGFOX_DEVICE_TYPE,
    inputs: { deviceId: id },
    outputs: { deviceId: id, ...outputs },
    ...extra,
  });
  it("reads tags, group and flag; skips other types and pending deletions; leaves secret fields out of the comparison with a warning", () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };
    const text = JSON.stringify({
      version: 3,
      deployment: {
        resources: [
          { urn: "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod", type: "pulumi:pulumi:Stack" },
          resource("1A", { tags: { a: "1" }, groupId: "g", terminationEnabled: true }),
          resource("2B", { tags: secret, terminationEnabled: false }),
          resource("3C", { tags: {} }, { delete: true }),
        ],
      },
    });
    const warnings: string[] = [];
    const devices = devicesOfStackExport(text, "prod", (w) => warnings.push(w));
    expect(devices).toEqual([
      { deviceId: "1A", stack: "prod", tags: { a: "1" }, groupId: "g", terminationEnabled: true },
      { deviceId: "2B", stack: "prod", tags: {}, terminationEnabled: false, uncomparable: ["tags"] },
    ]);
    expect(warnings).toEqual(["prod: device 2B: tags stored as a secret in the state; not compared (drift never decrypts)."]);
    expect(JSON.stringify(warnings)).not.toContain("v1:abc");
  });
  it("an empty stack has no devices; a document that is not an export is an error naming the stack", () => {
    expect(devicesOfStackExport('{"version":3,"deployment":{}}', "dev", () => undefined)).toEqual([]);
    expect(() => devicesOfStackExport("{}", "dev", () => undefined)).toThrow(/^dev: not a `pulumi stack export` document/);
    expect(() => devicesOfStackExport("nope", "x.json", () => undefined)).toThrow(/^x\.json: the exported state is not JSON/);
  });
});

describe("stack names and backends in messages", () => {
  it("globs match whole names", () => {
    expect(globToRegExp("prod-*").test("prod-eu")).toBe(true);
    expect(globToRegExp("prod-*").test("preprod-eu")).toBe(false);
    expect(globToRegExp("p?od").test("prod")).toBe(true);
  });
  it("a backend URL is printed without its credentials", () => {
    expect(displayBackend("postgres://admin:s3cret@db.example:5432/pulumi?sslmode=require")).toBe("postgres://db.example:5432/pulumi");
    expect(displayBackend("s3://bucket/prefix?region=eu&access_key=AKIA")).toBe("s3://bucket/prefix");
    expect(displayBackend("file:///tmp/state")).toBe("file:///tmp/state");
  });
});

it("the HTML report escapes values from the account (a tag value cannot inject markup)", () => {
  const report: DriftReport = {
    version: 1,
    summary: { managed: 0, inSync: 0, drifted: 0, missing: 0, unmanaged: 1, ignored: 0 },
    drifted: [],
    missing: [],
    unmanaged: [{ deviceId: "1A", status: "ready", groupId: null, tags: { note: "<img src=x onerror=alert(1)>" } }],
    apiCalls: { list: 1, get: 0 },
    durationMs: 1,
  };
  const html = renderReport(report, "html");
  expect(html).not.toContain("<img");
  expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
});
