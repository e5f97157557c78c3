import * as path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Bench code imports the project as `#src/...` (package.json "imports", which Node resolves to the
  // built dist/): tests load it from the TypeScript sources, one copy next to what they import by path.
  resolve: { alias: [{ find: /^#src\/(.*)$/, replacement: path.resolve(import.meta.dirname, "src/$1") }] },
  test: {
    include: ["test/**/*.test.ts"],
    // Engine tests start real `pulumi` processes; files run in separate forks, two at a time on CI's 2 cores.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The JSON report feeds the plain "N passed, N failed" line that .ci/run prints.
    reporters: ["default", ["json", { outputFile: ".tmp/vitest-report.json" }]],
  },
});
