/** The `soracom-sigfox` command line: help, the command table, flag errors. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, removeCliBuild } from "./cli-process";

const run = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [buildCli(), ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe("soracom-sigfox", () => {
  beforeAll(() => {
    buildCli();
  }, 120_000);
  afterAll(() => removeCliBuild());

  it("--help lists the commands and exits 0", async () => {
    const res = await run(["--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Usage: soracom-sigfox <command>/);
    expect(res.stdout).toMatch(/^\s+emulator\s+run the Soracom Sigfox API emulator/m);
  });

  it("emulator --help lists the emulator's flags", async () => {
    const res = await run(["emulator", "--help"]);
    expect(res.code).toBe(0);
    for (const flag of ["--port", "--host", "--state-file", "--seed", "--rate-limit"]) expect(res.stdout).toContain(flag);
  });

  it("an unknown command exits 2 with the usage on stderr", async () => {
    const res = await run(["frobnicate"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown command "frobnicate"');
  });

  it("an unknown or invalid flag exits 2 without starting a server", async () => {
    expect((await run(["emulator", "--bogus"])).code).toBe(2);
    const badPort = await run(["emulator", "--port", "http"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain("--port");
    expect((await run(["emulator", "--rate-limit", "0"])).code).toBe(2);
  });

  it("a seed file that does not exist exits 1 with the reason", async () => {
    const res = await run(["emulator", "--seed", "/nonexistent/seed.yaml"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("/nonexistent/seed.yaml");
  });
});
