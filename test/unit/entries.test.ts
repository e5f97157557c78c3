/**
 * The package's front doors load only what they are for. `import { SigfoxDevice } from
 * "pulumi-soracom-sigfox"` runs in every Pulumi program (and the provider entry in every provider
 * process, forever): neither may pull in the emulator (hono, an HTTP server) or the repository's
 * plumbing (CLI, Automation API helpers, demo, benchmarks). Each entry is required by its package name
 * in a fresh node process against the built dist; the modules it loaded are read from require.cache.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");

/** Modules under these paths must not be loaded by the public library entries. */
const REPOSITORY_ONLY = [
  /\/node_modules\/hono\//,
  /\/node_modules\/@hono\//,
  /\/dist\/emulator\//,
  /\/dist\/cli\//,
  /\/dist\/engine\//,
  /\/dist\/demo\//,
  /\/dist-bench\//,
  /\/bench\/src\//,
];

function load(entry: string): { loaded: string[]; exports: string[] } {
  const script = `const m = require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify({ loaded: Object.keys(require.cache), exports: Object.keys(m) }));`;
  // cwd = the package root: the package requires itself by name through its `exports` map.
  const out = execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  return JSON.parse(out) as { loaded: string[]; exports: string[] };
}

function repositoryOnly(loaded: string[]): string[] {
  return loaded.filter((f) => REPOSITORY_ONLY.some((re) => re.test(f.split(path.sep).join("/")))).map((f) => path.relative(ROOT, f));
}

describe("package entries", () => {
  it("the root entry gives the resources and the client without loading the emulator or repository plumbing", () => {
    const { loaded, exports } = load("pulumi-soracom-sigfox");
    expect(exports).toEqual(expect.arrayContaining(["SigfoxDevice", "SigfoxFleet", "SoracomClient", "loadFleetDefinition", "fleetProgram"]));
    expect(exports).not.toContain("startEmulator");
    expect(exports).not.toContain("openLocalStack");
    expect(repositoryOnly(loaded)).toEqual([]);
  });

  it("the provider entry loads neither", () => {
    const { loaded, exports } = load("pulumi-soracom-sigfox/provider");
    // The permanent contract and what docs/provider.md names; internals are imported by path.
    expect([...exports].sort()).toEqual(["attach", "sigfoxDevice", "sigfoxDeviceShim"]);
    expect(repositoryOnly(loaded)).toEqual([]);
  });

  it("the emulator is at its own entry (and the check sees hono when it is loaded)", () => {
    const { loaded, exports } = load("pulumi-soracom-sigfox/emulator");
    expect(exports).toContain("startEmulator");
    const seen = repositoryOnly(loaded);
    expect(seen.some((f) => f.includes("node_modules/hono/"))).toBe(true);
    expect(seen.some((f) => f.startsWith("dist/emulator/"))).toBe(true);
  });
});

describe("npm package contents", () => {
  it("ships the library, the CLI and the emulator, not the demo or the benchmarks", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/index.js",
        "dist/provider/index.js",
        "dist/client/index.js",
        "dist/emulator/index.js",
        "dist/cli/main.js",
        "bin/soracom-sigfox.js",
      ]),
    );
    // The bench is built apart (bench/src -> dist-bench); the main build no longer emits dist/bench.
    expect(files.filter((f) => /^(dist\/demo|dist\/bench|dist-bench|bench)\//.test(f))).toEqual([]);
  });
});
