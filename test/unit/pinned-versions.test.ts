/**
 * The Pulumi version is pinned once, as the @pulumi/pulumi dev dependency. Everything else that
 * names it must agree: the Go wrapper module the CLI is built from (pkg/v3 and sdk/v3 at that same
 * release) and the peer range users are told we test.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const pinned = pkg.devDependencies["@pulumi/pulumi"]!;

describe("pinned Pulumi version", () => {
  it("is an exact version", () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("is the release tools/pulumi-cli builds, for both pkg/v3 and sdk/v3", () => {
    const goMod = readFileSync(path.join(root, "tools/pulumi-cli/go.mod"), "utf8");
    expect(goMod).toMatch(new RegExp(`github\\.com/pulumi/pulumi/pkg/v3 v${pinned.replace(/\./g, "\\.")}\\n`));
    expect(goMod).toMatch(new RegExp(`github\\.com/pulumi/pulumi/sdk/v3 v${pinned.replace(/\./g, "\\.")}\\n`));
    expect(goMod).toContain("replace github.com/atotto/clipboard => github.com/tgummerer/clipboard");
  });

  it("is the lower bound of the peer range", () => {
    expect(pkg.peerDependencies["@pulumi/pulumi"]).toBe(`>=${pinned} <4`);
  });
});
