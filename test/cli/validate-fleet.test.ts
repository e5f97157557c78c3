import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { validateFleet, type ValidateIo } from "../../src/cli/commands/validate-fleet";
import { fixtureDir, lines, PAC1, PAC2 } from "../fleet/helpers";

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ValidateIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd };
  return validateFleet(args, io).then((code) => ({ code, stdout: out.join(""), stderr: err.join("") }));
}

describe("soracom-sigfox validate-fleet", () => {
  const dir = fixtureDir({
    "fleet.yaml": lines("defaults: {tags: {project: demo}}", "pacsCsv: pacs.csv", "devices:", '  - deviceId: "1A2B3C01"', '  - deviceId: "1A2B3C02"'),
    "pacs.csv": lines("device_id,pac", `1A2B3C01,${PAC1}`),
    "bad.yaml": lines("devices:", '  - deviceId: "XYZ"', `    pac: "${PAC2}0"`),
  });

  it("lists the resolved devices and where each PAC comes from, never the PAC, and exits 0", async () => {
    const result = await run([], dir, { SORACOM_PAC_1A2B3C02: PAC2 });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("fleet.yaml: valid, 2 devices");
    expect(result.stdout).toMatch(/1A2B3C01 .*tags=project=demo .*PAC from pacs\.csv:2/);
    expect(result.stdout).toMatch(/1A2B3C02 .*PAC from env SORACOM_PAC_1A2B3C02/);
    expect(result.stdout + result.stderr).not.toContain(PAC1);
    expect(result.stdout + result.stderr).not.toContain(PAC2);
  });

  it("prints every problem and exits 1 for an invalid file", async () => {
    const result = await run(["bad.yaml"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:2:\d+ devices\[0\]\.deviceId: is "XYZ"/);
    expect(result.stderr).toMatch(/bad\.yaml:3:\d+ devices\[0\]\.pac: is a string \(value not shown\)/);
    expect(result.stderr).not.toContain(PAC2);
  });

  it("with --allow-missing-pacs, reports devices without a PAC as warnings and exits 0", async () => {
    expect((await run([path.join(dir, "fleet.yaml")], dir)).code).toBe(1);
    const result = await run(["--allow-missing-pacs", "--json", "fleet.yaml"], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("warning: fleet.yaml:5 devices[1]: device 1A2B3C02 has no PAC source.");
    const devices = JSON.parse(result.stdout) as { deviceId: string; pac: string }[];
    expect(devices.map((d) => [d.deviceId, d.pac])).toEqual([["1A2B3C01", "[PAC redacted]"]]);
  });

  it("with --allow-missing-pacs, a pacFrom source that is not set here (Pulumi config, CI secret) is a warning too", async () => {
    const pacFromDir = fixtureDir({
      "fleet.yaml": lines(
        "devices:",
        '  - deviceId: "1A2B3C01"',
        "    pacFrom: {config: spare-pac}",
        '  - deviceId: "1A2B3C02"',
        "    pacFrom: {env: SPARE_PAC}",
      ),
    });
    expect((await run(["fleet.yaml"], pacFromDir)).code).toBe(1);
    const result = await run(["--allow-missing-pacs", "fleet.yaml"], pacFromDir);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: fleet\.yaml:2 devices\[0\]\.pacFrom\.config: the Pulumi config key spare-pac .* is not set/);
    expect(result.stderr).toMatch(/warning: fleet\.yaml:4 devices\[1\]\.pacFrom\.env: the environment variable SPARE_PAC .* is not set/);
    expect(result.stdout).toContain("fleet.yaml: valid, 0 devices (and 2 without a PAC here, not listed: 1A2B3C01, 1A2B3C02)");
  });

  it("rejects unknown options with exit code 2", async () => {
    expect((await run(["--nope"], dir)).code).toBe(2);
  });
});
