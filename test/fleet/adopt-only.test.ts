/**
 * `adoptOnly` in fleet files: devices declared adopt-only need no PAC (none is looked up), everything
 * else still needs one before any API call; validate-fleet counts them; SigfoxFleet passes them no
 * PAC at all (under Pulumi's runtime mocks: no engine, no API).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { validateFleet, type ValidateIo } from "../../src/cli/commands/validate-fleet";
import { fleetSeed, loadFleetDefinition } from "../../src/fleet";
import { SigfoxFleet, SIGFOX_FLEET_TYPE } from "../../src/resources/sigfox-fleet";
import { expectFleetError, fixtureDir, GROUP, lines, PAC1, PAC2, useRuntimeMocks } from "./helpers";

const { registered } = useRuntimeMocks("fleet-test");

const noEnv = {};
const load = (yaml: string, files: Record<string, string> = {}, env: Record<string, string> = noEnv) =>
  loadFleetDefinition(path.join(fixtureDir({ "fleet.yaml": yaml, ...files }), "fleet.yaml"), { env });

describe("loading adopt-only devices", () => {
  it("defaults.adoptOnly: no PAC needed or looked up; a device can opt back in with adoptOnly: false", () => {
    const fleet = load(
      lines(
        "defaults:",
        "  adoptOnly: true",
        "  tags: {site: kobe}",
        "devices:",
        '  - deviceId: "1A2B3C01"',
        '  - deviceId: "1A2B3C02"',
        "    adoptOnly: false",
      ),
      {},
      // An environment PAC for the adopt-only device exists, and is NOT used: adopt-only means no look-up.
      { SORACOM_PAC_1A2B3C01: PAC1, SORACOM_PAC_1A2B3C02: PAC2 },
    );
    expect(fleet.devices.map((d) => [d.deviceId, d.adoptOnly, d.pacSource?.where])).toEqual([
      ["1A2B3C01", true, undefined],
      ["1A2B3C02", false, "env SORACOM_PAC_1A2B3C02"],
    ]);
    expect(fleet.devices[0]).not.toHaveProperty("pac");
    expect(fleet.devices[0]?.tags).toEqual({ site: "kobe" });
    expect(fleet.adoptOnlyCount).toBe(1);
  });

  it("a per-device adoptOnly flag covers devicesCsv-free entries; a CSV row is adopt-only through defaults", () => {
    const fleet = load(lines("defaults: {adoptOnly: true}", "devicesCsv: devices.csv", "devices:", '  - deviceId: "2C"', `    groupId: ${GROUP}`), {
      "devices.csv": lines("device_id,tag:site", "1A2B3C21,yokohama"),
    });
    expect(fleet.devices.map((d) => [d.deviceId, d.adoptOnly, d.tags, d.groupId])).toEqual([
      ["2C", true, {}, GROUP],
      ["1A2B3C21", true, { site: "yokohama" }, undefined],
    ]);
  });

  it("without the flag, a missing PAC is still an error naming the device and the fix", () => {
    const error = expectFleetError(() => load(lines("devices:", '  - deviceId: "1A2B3C01"', "    adoptOnly: true", '  - deviceId: "1A2B3C02"')));
    expect(error.issues).toHaveLength(1);
    expect(error.message).toMatch(/devices\[1\]: device 1A2B3C02 has no PAC source\. Fix: give its PAC/);
  });

  it("an adopt-only device that also names a PAC is an error (one of the two is a mistake), PAC not shown", () => {
    const error = expectFleetError(() =>
      load(
        lines(
          "defaults: {adoptOnly: true}",
          "devicesCsv: devices.csv",
          "devices:",
          '  - deviceId: "1A2B3C01"',
          `    pac: "${PAC1}"`,
          '  - deviceId: "1A2B3C02"',
          "    adoptOnly: true",
          "    pacFrom: {env: MY_PAC}",
        ),
        { "devices.csv": lines("device_id,pac", `1A2B3C21,${PAC2}`) },
      ),
    );
    expect(error.issues.map((i) => i.message)).toEqual([
      "device 1A2B3C01 is adopt-only (defaults.adoptOnly: true: no PAC is used) but has pac.",
      "device 1A2B3C02 is adopt-only (adoptOnly: true: no PAC is used) but has pacFrom.",
      "device 1A2B3C21 is adopt-only (defaults.adoptOnly: true: no PAC is used) but has a pac cell in its CSV row.",
    ]);
    expect(error.issues[0]?.fix).toMatch(/set adoptOnly: false on the device/);
    expect(error.issues[2]?.fix).toMatch(/remove the pac cell/);
    expect(error.message).not.toContain(PAC1);
    expect(error.message).not.toContain(PAC2);
  });

  it("adoptOnly must be a boolean", () => {
    const error = expectFleetError(() => load(lines("defaults: {adoptOnly: yes please}", "devices: []")));
    expect(error.message).toMatch(/defaults\.adoptOnly: is "yes please", which is not true or false\. Fix: write adoptOnly: true or adoptOnly: false/);
  });

  it("emulator seeds leave adopt-only devices out (they have no PAC and are never registered)", () => {
    const fleet = load(lines("devices:", '  - deviceId: "1A2B3C01"', `    pac: "${PAC1}"`, '  - deviceId: "1A2B3C02"', "    adoptOnly: true"));
    expect(fleetSeed(fleet).devices).toEqual([{ deviceId: "1A2B3C01", pac: PAC1 }]);
  });
});

describe("SigfoxFleet with adopt-only devices", () => {
  it("passes no registrationSecret input at all for an adopt-only device, a secret PAC for the others", async () => {
    const dir = fixtureDir({
      "fleet.yaml": lines("devices:", '  - deviceId: "1A2B3C01"', "    adoptOnly: true", '  - deviceId: "1A2B3C02"', "pacsCsv: pacs.csv"),
      "pacs.csv": lines("device_id,pac", `1A2B3C02,${PAC2}`),
    });
    const fleet = new SigfoxFleet("fleet", { definition: path.join(dir, "fleet.yaml"), env: {}, config: {} });
    await new Promise((resolve) => fleet.devices.apply(resolve));
    const inputs = Object.fromEntries(registered.filter((r) => r.type !== SIGFOX_FLEET_TYPE).map((r) => [r.name, r.inputs]));
    expect(inputs["1A2B3C01"]).not.toHaveProperty("registrationSecret");
    expect(inputs["1A2B3C02"]?.registrationSecret).toEqual({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: PAC2 });
  });
});

describe("validate-fleet with adopt-only devices", () => {
  it("counts them and says they can only be adopted", async () => {
    const dir = fixtureDir({
      "fleet.yaml": lines(
        "defaults: {adoptOnly: true}",
        "devices:",
        '  - deviceId: "1A2B3C01"',
        '  - deviceId: "1A2B3C02"',
        '  - deviceId: "1A2B3C03"',
        "    adoptOnly: false",
        `    pac: "${PAC1}"`,
      ),
    });
    const out: string[] = [];
    const io: ValidateIo = { stdout: (t) => out.push(t), stderr: () => undefined, env: {}, cwd: dir };
    expect(await validateFleet([], io)).toBe(0);
    const text = out.join("");
    expect(text).toContain(
      "fleet.yaml: valid, 3 devices\n2 devices are adopt-only (no PAC): they can only be adopted (already registered to the operator), never registered\n",
    );
    expect(text).toMatch(/1A2B3C01 .*adopt-only \(no PAC\)/);
    expect(text).toMatch(/1A2B3C03 .*PAC from fleet\.yaml:5/);
    expect(text).not.toContain(PAC1);
  });
});
