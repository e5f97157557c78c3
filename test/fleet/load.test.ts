import * as path from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { loadFleetDefinition, sampleFleetSeed, SAMPLE_FLEET_FILE } from "../../src/fleet";
import { expectFleetError, fixtureDir, GROUP, GROUP2, lines, PAC1, PAC2, PAC3 } from "./helpers";

const noEnv = {};

describe("loading a valid fleet file", () => {
  const yaml = lines(
    "version: 1",
    "defaults:",
    "  tags: {project: demo, owner: iot}",
    `  groupId: ${GROUP}`,
    "  terminationEnabled: false",
    "devices:",
    '  - deviceId: "1A2B3C01"',
    `    pac: "${PAC1}"`,
    "    tags: {site: tokyo, owner: lab}",
    '  - deviceId: "1a2b3c02"',
    `    pac: "${PAC2}"`,
    "    tags: {owner: null}",
    "    groupId: null",
    "    terminationEnabled: true",
    "    deleteImmediately: true",
    '  - deviceId: "2C"',
    `    pac: "${PAC3}"`,
    `    groupId: ${GROUP2}`,
  );

  it("applies defaults and merges each device's overrides over them", () => {
    const dir = fixtureDir({ "fleet.yaml": yaml });
    const fleet = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv });
    expect(
      fleet.devices.map((d) => ({ ...d, adoptOnly: undefined, pac: d.pac?.reveal(), pacSource: d.pacSource?.kind, declaredAt: d.declaredAt.line })),
    ).toEqual([
      {
        deviceId: "1A2B3C01",
        resourceName: "1A2B3C01",
        tags: { project: "demo", owner: "lab", site: "tokyo" },
        groupId: GROUP,
        terminationEnabled: false,
        pac: PAC1,
        pacSource: "inline",
        declaredAt: 7,
      },
      {
        deviceId: "1a2b3c02",
        resourceName: "1A2B3C02",
        tags: { project: "demo" },
        terminationEnabled: true,
        deleteImmediately: true,
        pac: PAC2,
        pacSource: "inline",
        declaredAt: 10,
      },
      {
        deviceId: "2C",
        resourceName: "2C",
        tags: { project: "demo", owner: "iot" },
        groupId: GROUP2,
        terminationEnabled: false,
        pac: PAC3,
        pacSource: "inline",
        declaredAt: 16,
      },
    ]);
  });

  it("warns about every PAC written inline in the file, without the PAC", () => {
    const dir = fixtureDir({ "fleet.yaml": yaml });
    const fleet = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv });
    expect(fleet.warnings.map((w) => [w.line, w.field])).toEqual([
      [7, "devices[0].pac"],
      [10, "devices[1].pac"],
      [16, "devices[2].pac"],
    ]);
    expect(JSON.stringify(fleet.warnings)).not.toContain(PAC1);
  });

  it("reads the same definition from JSON", () => {
    const json = JSON.stringify(
      {
        defaults: { tags: { project: "demo" }, groupId: GROUP },
        devices: [
          { deviceId: "1A2B3C01", pac: PAC1, tags: { site: "tokyo" } },
          { deviceId: "2C", pac: PAC3, groupId: null },
        ],
      },
      null,
      2,
    );
    const dir = fixtureDir({ "fleet.json": json });
    const fleet = loadFleetDefinition(path.join(dir, "fleet.json"), { env: noEnv });
    expect(fleet.devices.map((d) => [d.deviceId, d.tags, d.groupId ?? null])).toEqual([
      ["1A2B3C01", { project: "demo", site: "tokyo" }, GROUP],
      ["2C", { project: "demo" }, null],
    ]);
  });

  it("accepts a definition object, resolving CSV paths against baseDir", () => {
    const dir = fixtureDir({ "pacs.csv": lines("device_id,pac", `1A2B3C01,${PAC1}`) });
    const fleet = loadFleetDefinition({ pacsCsv: "pacs.csv", devices: [{ deviceId: "1A2B3C01" }] }, { env: noEnv, baseDir: dir });
    expect(fleet.file).toBeUndefined();
    expect(fleet.devices[0]?.pac?.reveal()).toBe(PAC1);
    expect(fleet.csvFiles).toEqual([path.join(dir, "pacs.csv")]);
  });

  it("accepts an explicitly empty fleet", () => {
    const dir = fixtureDir({ "fleet.yaml": "devices: []\n" });
    expect(loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv }).devices).toEqual([]);
  });
});

describe("devices from CSV files", () => {
  it("adds the rows of devicesCsv as devices, with tag and group columns, ';' separators, BOM and comments", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines(
        "defaults:",
        "  tags: {project: demo, site: none}",
        "devicesCsv: vendor/devices.csv",
        "devices:",
        '  - deviceId: "AA"',
        `    pac: "${PAC3}"`,
      ),
      "vendor/devices.csv": `\uFEFF${lines("# shipped by the vendor", "Device ID;PAC;tag:site;tag:room;group_id", `1A2B3C01;${PAC1};tokyo;101;${GROUP}`, `1A2B3C02;${PAC2};;;`)}`,
    });
    const fleet = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv });
    expect(fleet.devices.map((d) => ({ id: d.deviceId, tags: d.tags, groupId: d.groupId, pac: d.pac?.reveal(), source: d.pacSource?.kind }))).toEqual([
      { id: "AA", tags: { project: "demo", site: "none" }, groupId: undefined, pac: PAC3, source: "inline" },
      { id: "1A2B3C01", tags: { project: "demo", site: "tokyo", room: "101" }, groupId: GROUP, pac: PAC1, source: "csv" },
      { id: "1A2B3C02", tags: { project: "demo", site: "none" }, groupId: undefined, pac: PAC2, source: "csv" },
    ]);
    expect(fleet.devices[1]?.declaredAt).toEqual({ file: path.join(dir, "vendor/devices.csv"), line: 3, field: "row" });
    expect(fleet.devices[1]?.pacSource?.where).toMatch(/devices\.csv:3$/);
  });

  it("looks PACs up in pacsCsv and ignores rows of devices outside the fleet", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines("pacsCsv: [a.csv, b.csv]", "devices:", "  - deviceId: 1A2B3C01", "  - deviceId: 0000002c"),
      "a.csv": lines("device_id,pac", `1A2B3C01,${PAC1}`, `99999999,${PAC3}`),
      "b.csv": lines("id,pac", `2C,${PAC2}`),
    });
    const fleet = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv });
    expect(fleet.devices.map((d) => [d.deviceId, d.pac?.reveal(), d.pacSource?.where])).toEqual([
      ["1A2B3C01", PAC1, expect.stringMatching(/a\.csv:2$/)],
      ["0000002c", PAC2, expect.stringMatching(/b\.csv:2$/)],
    ]);
  });

  it("expands ~ in CSV paths to the home directory", () => {
    const home = fixtureDir({ "secrets/pacs.csv": lines("device_id,pac", `1A2B3C01,${PAC1}`) });
    const dir = fixtureDir({ "fleet.yaml": lines("pacsCsv: ~/secrets/pacs.csv", "devices:", "  - deviceId: 1A2B3C01") });
    const fleet = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: { HOME: home } });
    expect(fleet.devices[0]?.pac?.reveal()).toBe(PAC1);
  });
});

describe("PAC sources", () => {
  const fleetFile = (extra: string[] = []) => path.join(fixtureDir({ "fleet.yaml": lines("devices:", "  - deviceId: 1a2b3c01", ...extra) }), "fleet.yaml");

  it("reads a PAC from the secret config object `pacs`, matching any spelling of the ID", () => {
    const fleet = loadFleetDefinition(fleetFile(), { env: noEnv, config: { pacs: { "1A2B3C01": PAC1 } } });
    expect([fleet.devices[0]?.pac?.reveal(), fleet.devices[0]?.pacSource]).toEqual([PAC1, { kind: "config", where: "config pacs.1A2B3C01" }]);
  });

  it("reads a PAC from the config key pac-<deviceId> through a config getter", () => {
    const config = { get: (key: string) => (key === "pac-1A2B3C01" ? PAC2 : undefined) };
    const fleet = loadFleetDefinition(fleetFile(), { env: noEnv, config });
    expect([fleet.devices[0]?.pac?.reveal(), fleet.devices[0]?.pacSource?.where]).toEqual([PAC2, "config pac-1A2B3C01"]);
  });

  it("reads a PAC from the environment variable SORACOM_PAC_<deviceId>", () => {
    const fleet = loadFleetDefinition(fleetFile(), { env: { SORACOM_PAC_1A2B3C01: PAC3 } });
    expect([fleet.devices[0]?.pac?.reveal(), fleet.devices[0]?.pacSource]).toEqual([PAC3, { kind: "env", where: "env SORACOM_PAC_1A2B3C01" }]);
  });

  it("reads a PAC from the source named by pacFrom", () => {
    const fromEnv = loadFleetDefinition(fleetFile(["    pacFrom: {env: MY_PAC}"]), { env: { MY_PAC: PAC1 } });
    expect(fromEnv.devices[0]?.pacSource).toEqual({ kind: "env", where: "env MY_PAC" });
    const fromConfig = loadFleetDefinition(fleetFile(["    pacFrom: {config: device-a-pac}"]), { env: noEnv, config: { "device-a-pac": PAC2 } });
    expect([fromConfig.devices[0]?.pac?.reveal(), fromConfig.devices[0]?.pacSource?.where]).toEqual([PAC2, "config device-a-pac"]);
  });

  it("takes the first source in the documented order: file, CSV, config, environment", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines("pacsCsv: p.csv", "devices:", "  - deviceId: 1A2B3C01"),
      "p.csv": lines("device_id,pac", `1A2B3C01,${PAC1}`),
    });
    const all = { env: { SORACOM_PAC_1A2B3C01: PAC3 }, config: { "pac-1A2B3C01": PAC2 } };
    expect(loadFleetDefinition(path.join(dir, "fleet.yaml"), all).devices[0]?.pacSource?.kind).toBe("csv");
    expect(loadFleetDefinition(fleetFile(), all).devices[0]?.pacSource?.kind).toBe("config");
    expect(loadFleetDefinition(fleetFile(), { env: all.env }).devices[0]?.pacSource?.kind).toBe("env");
  });

  it("never prints a PAC: String, JSON and inspect show it redacted", () => {
    const fleet = loadFleetDefinition(fleetFile(), { env: { SORACOM_PAC_1A2B3C01: PAC3 } });
    const device = fleet.devices[0]!;
    expect(String(device.pac)).toBe("[PAC redacted]");
    expect(JSON.stringify(fleet)).not.toContain(PAC3);
    expect(inspect(fleet, { depth: 10 })).not.toContain(PAC3);
  });
});

describe("stable resource names", () => {
  it("names each device by its canonical ID, whatever the order, spelling or the other devices", () => {
    const names = (devices: string[]) => {
      const dir = fixtureDir({ "fleet.yaml": lines("devices:", ...devices.map((id) => `  - {deviceId: "${id}", pac: "${PAC1}"}`)) });
      const fleet = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv });
      return Object.fromEntries(fleet.devices.map((d) => [d.deviceId.toUpperCase().replace(/^0+/, ""), d.resourceName]));
    };
    const before = names(["1A2B3C01", "1A2B3C02"]);
    const after = names(["0000BEEF", "1a2b3c02", "1A2B3C01"]);
    expect(after["1A2B3C01"]).toBe(before["1A2B3C01"]);
    expect(after["1A2B3C02"]).toBe(before["1A2B3C02"]);
    expect(after.BEEF).toBe("BEEF");
  });
});

describe("the repository's sample fleet", () => {
  it("seeds the emulator with exactly the devices of fleet.yaml and the sample PACs of fleet-pacs.csv", () => {
    const fleet = loadFleetDefinition(SAMPLE_FLEET_FILE, { env: noEnv });
    const seed = sampleFleetSeed();
    expect(seed.devices.map((d) => d.deviceId)).toEqual(fleet.devices.map((d) => d.deviceId));
    expect(seed.devices).toHaveLength(5);
    expect(seed.devices.every((d) => /^[0-9A-F]{16}$/.test(d.pac))).toBe(true);
    expect(seed.groups.map((g) => g.groupId)).toEqual([fleet.devices[0]?.groupId]);
    expect(fleet.devices.every((d) => d.pacSource?.kind === "csv")).toBe(true);
  });
});

describe("environment variables in CSV paths", () => {
  it("expands ${NAME} and falls back to ${NAME:-default} when NAME is unset", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines("pacsCsv: ${PACS_CSV:-sample.csv}", "devices:", "  - deviceId: 1A2B3C01"),
      "sample.csv": lines("device_id,pac", `1A2B3C01,${PAC1}`),
    });
    const outside = fixtureDir({ "real.csv": lines("device_id,pac", `1A2B3C01,${PAC2}`) });
    const file = path.join(dir, "fleet.yaml");
    expect(loadFleetDefinition(file, { env: {} }).devices[0]?.pac?.reveal()).toBe(PAC1);
    expect(loadFleetDefinition(file, { env: { PACS_CSV: path.join(outside, "real.csv") } }).devices[0]?.pac?.reveal()).toBe(PAC2);
  });

  it("reports a variable without default that is not set, at the line of the path", () => {
    const dir = fixtureDir({ "fleet.yaml": lines("devices: []", "devicesCsv: ${DEVICES_CSV}") });
    const error = expectFleetError(() => loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: {}, cwd: dir }));
    expect(error.message).toContain("fleet.yaml:2:13 devicesCsv: the path uses the environment variable DEVICES_CSV, which is not set.");
  });
});
