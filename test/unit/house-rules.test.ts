/**
 * The house rules of docs/ARCHITECTURE.md ("Rules"), enforced on every file of src/: which areas may
 * import which. A violation is reported as `src/file.ts:line: imports "x": rule`.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { benchImportsBySourcePath, checkImports, formatViolations, importsOf, readSourceTree } from "../helpers/house-rules";

const SRC = path.resolve(__dirname, "..", "..", "src");
const BENCH_SRC = path.resolve(__dirname, "..", "..", "bench", "src");

describe("house rules: imports", () => {
  it("src/ keeps every import rule", () => {
    const files = readSourceTree(SRC);
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.path.split(path.sep).join("/") === "client/client.ts")).toBe(true);
    expect(formatViolations(checkImports(files))).toBe("");
  });

  it("reports each broken rule with file, line and rule (in-memory samples)", () => {
    const samples = [
      {
        path: "client/bad.ts",
        text: '// from "../emulator" in a comment does not count\nimport { x } from "../api/schemas";\nimport { startEmulator } from "../emulator";\n',
      },
      { path: "client/worse.ts", text: 'export { attach } from "pulumi-soracom-sigfox/provider";\n' },
      { path: "emulator/http/bad.ts", text: 'const s = "../../client";\nimport type { SoracomClient } from "../../client";\n' },
      { path: "fleet/bad.ts", text: 'import * as pulumi from "@pulumi/pulumi";\nimport { parse } from "yaml";\n' },
      { path: "api/bad.ts", text: 'import { z } from "zod";\nexport { redact } from "../client/redact";\n' },
      { path: "provider/bad.ts", text: 'async function f() {\n  return import("../emulator");\n}\n' },
      { path: "index.ts", text: 'export * from "./emulator";\nexport * from "./client";\n' },
      { path: "fleet/bad2.ts", text: 'const { main } = require("../cli/main");\n' },
      { path: "selection/bad.ts", text: 'import { fleetSeed } from "../fleet";\n' },
      { path: "engine/bad.ts", text: 'import { FleetStack } from "../../bench/src/harness";\n' },
    ];
    expect(formatViolations(checkImports(samples)).split("\n")).toEqual([
      'src/client/bad.ts:3: imports "../emulator": client imports only api (no provider, emulator, fleet, CLI)',
      'src/client/worse.ts:1: imports "pulumi-soracom-sigfox/provider": client imports only api (no provider, emulator, fleet, CLI)',
      'src/emulator/http/bad.ts:2: imports "../../client": emulator does not import the client (it is the other side of the wire)',
      'src/fleet/bad.ts:1: imports "@pulumi/pulumi": fleet does not import Pulumi (files are loaded and checked without an engine)',
      'src/api/bad.ts:2: imports "../client/redact": api imports nothing of the project (wire schemas and formats only, zod)',
      'src/api/bad.ts:2: imports "../client/redact": outside src/client, the client is imported only through its front door src/client/index.ts',
      'src/provider/bad.ts:2: imports "../emulator": provider does not import the emulator or repository programs (every stored resource loads it forever)',
      'src/index.ts:1: imports "./emulator": the root entry does not import the emulator or repository plumbing',
      'src/fleet/bad2.ts:1: imports "../cli/main": cli, demo and bench are programs: nothing imports them',
      'src/selection/bad.ts:1: imports "../fleet": selection imports only api and client',
      'src/engine/bad.ts:1: imports "../../bench/src/harness": cli, demo and bench are programs: nothing imports them',
    ]);
  });

  it("outside src/fleet and src/client, each is imported only through its index.ts (in-memory samples)", () => {
    const fleetDoor = "outside src/fleet, the fleet is imported only through its front door src/fleet/index.ts";
    const clientDoor = "outside src/client, the client is imported only through its front door src/client/index.ts";
    const samples = [
      // Through the front doors: allowed, in every spelling.
      { path: "program/good.ts", text: 'import { loadFleetDefinition } from "../fleet";\nimport type { FleetFile } from "../fleet/index";\n' },
      {
        path: "cli/commands/good.ts",
        text: 'export { FleetDefinitionError } from "../../fleet/index.js";\nexport { isSoracomApiError } from "../../client/index.js";\n',
      },
      { path: "provider/good.ts", text: 'import { SoracomClient } from "../client";\nimport type { Page } from "../client/index";\n' },
      { path: "demo/good.ts", text: 'import { collectAll } from "pulumi-soracom-sigfox/client";\n' },
      { path: "index.ts", text: 'export * from "./fleet";\nexport * from "./client";\n' },
      // Inside an area: its modules import each other by path.
      { path: "fleet/inside.ts", text: 'import { resolvePac } from "./pac";\nimport { SAMPLE_FLEET_FILE } from "../package-paths";\n' },
      { path: "client/inside.ts", text: 'import { nonEmpty } from "./non-empty";\nimport type { ApiSigfoxDevice } from "../api/schemas";\n' },
      // Around them: broken.
      { path: "program/bad.ts", text: 'import { loadFleetDefinition } from "../fleet";\nimport { resolveUserPath } from "../fleet/paths";\n' },
      {
        path: "cli/commands/bad.ts",
        text: 'import type { FleetFile } from "../../fleet/schema.js";\nimport type { CallOptions } from "../../client/client.js";\n',
      },
      { path: "shards/bad.ts", text: 'const { shardOfDevice } = require("../fleet/shard");\n' },
      { path: "index.ts", text: 'export * from "./fleet/load";\n' },
      { path: "provider/bad.ts", text: 'import { SoracomClient } from "../client";\nimport { backoffDelay } from "../client/retry";\n' },
      { path: "drift/bad.ts", text: 'const { paginate } = require("../client/pagination");\n' },
      { path: "program/bad-client.ts", text: 'import { nonEmpty } from "pulumi-soracom-sigfox/client/non-empty";\n' },
    ];
    expect(formatViolations(checkImports(samples)).split("\n")).toEqual([
      `src/program/bad.ts:2: imports "../fleet/paths": ${fleetDoor}`,
      `src/cli/commands/bad.ts:1: imports "../../fleet/schema.js": ${fleetDoor}`,
      `src/cli/commands/bad.ts:2: imports "../../client/client.js": ${clientDoor}`,
      `src/shards/bad.ts:1: imports "../fleet/shard": ${fleetDoor}`,
      `src/index.ts:1: imports "./fleet/load": ${fleetDoor}`,
      `src/provider/bad.ts:2: imports "../client/retry": ${clientDoor}`,
      `src/drift/bad.ts:1: imports "../client/pagination": ${clientDoor}`,
      `src/program/bad-client.ts:1: imports "pulumi-soracom-sigfox/client/non-empty": ${clientDoor}`,
    ]);
  });

  it("bench/src imports the project as #src/... only (Node resolves it to the built dist/)", () => {
    const files = readSourceTree(BENCH_SRC);
    expect(files.some((f) => f.path === "harness.ts" && f.text.includes('from "#src/'))).toBe(true);
    expect(formatViolations(benchImportsBySourcePath(files))).toBe("");
    const samples = [
      { path: "bad.ts", text: 'import { a } from "./fixture";\nimport { b } from "#src/fleet/seed";\nimport { c } from "../../src/fleet/seed";\n' },
    ];
    expect(formatViolations(benchImportsBySourcePath(samples))).toBe(
      'bench/src/bad.ts:3: imports "../../src/fleet/seed": bench imports the project as #src/... (the built dist/), never by a path into src/',
    );
  });

  it("reads every import form, and nothing in comments or strings", () => {
    const text = [
      'import a from "a";',
      'import type { B } from "b";',
      'export * from "c";',
      'import d = require("d");',
      'const e = require("e");',
      'const f = await import("f");',
      'type G = import("g").G;',
      '// import h from "h";',
      'const i = "require(\\"i\\")";',
    ].join("\n");
    expect(importsOf("x.ts", text)).toEqual(["a", "b", "c", "d", "e", "f", "g"].map((specifier, i) => ({ specifier, line: i + 1 })));
  });
});
