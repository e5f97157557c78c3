/** GOMAXPROCS for every Pulumi CLI the project starts (the PostgreSQL backend deadlocks on 2 cores without it). */
import * as os from "node:os";
import { describe, expect, it } from "vitest";
import { engineEnv, engineGoMaxProcs, MIN_ENGINE_GOMAXPROCS, userEngine } from "../../src/engine/workspace";

describe("engine GOMAXPROCS", () => {
  it("is at least 16, keeps a larger value already set, and ignores garbage", () => {
    expect(MIN_ENGINE_GOMAXPROCS).toBe(16);
    expect(engineGoMaxProcs({})).toBe(Math.max(16, os.availableParallelism()));
    expect(engineGoMaxProcs({ GOMAXPROCS: "2" })).toBe(Math.max(16, os.availableParallelism()));
    expect(engineGoMaxProcs({ GOMAXPROCS: "64" })).toBe(64);
    expect(engineGoMaxProcs({ GOMAXPROCS: "lots" })).toBe(Math.max(16, os.availableParallelism()));
  });

  it("is in engineEnv (every Automation API stack) and in the fleet command's environment", async () => {
    expect(Number(engineEnv({ ...process.env, GOMAXPROCS: "1" }).GOMAXPROCS)).toBeGreaterThanOrEqual(16);
    const engine = await userEngine({ ...process.env, GOMAXPROCS: "1" });
    expect(Number(engine.envVars.GOMAXPROCS)).toBeGreaterThanOrEqual(16);
  });
});
