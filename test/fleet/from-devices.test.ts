/**
 * `fleetFromDevices` (what `soracom-sigfox import` writes), pure: the majority rule of the factoring,
 * ties, CSV quoting, and devices a CSV row cannot hold. Every case is read back with the fleet loader
 * and must declare the listed devices exactly (`roundTripMismatches` empty).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ApiSigfoxDevice } from "../../src/api/schemas";
import { compareDeviceIds, fleetFromDevices, loadFleetDefinition, roundTripMismatches, type FleetFile } from "../../src/fleet";
import { fixtureDir, GROUP, GROUP2 } from "./helpers";

const device = (id: string, tags: Record<string, string>, groupId?: string, terminationEnabled = false): ApiSigfoxDevice => ({
  device_id: id,
  status: "ready",
  tags,
  ...(groupId !== undefined ? { groupId } : {}),
  terminationEnabled,
});

/** Writes the result and loads it with the loader; returns the definition and the mismatches. */
function roundTrip(listed: ApiSigfoxDevice[], withCsv = false) {
  const result = fleetFromDevices(listed, withCsv ? { devicesCsvPath: "devices.csv" } : {});
  const dir = fixtureDir({ "fleet.yaml": result.yaml, ...(result.csv !== undefined ? { "devices.csv": result.csv } : {}) });
  const loaded = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: {} });
  return {
    result,
    definition: parse(fs.readFileSync(path.join(dir, "fleet.yaml"), "utf8")) as FleetFile,
    mismatches: roundTripMismatches(listed, loaded.devices),
  };
}

describe("fleetFromDevices", () => {
  it("sorts device IDs as numbers", () => {
    expect(["1A2B3C01", "2c", "0000002B", "FF"].sort(compareDeviceIds)).toEqual(["0000002B", "2c", "FF", "1A2B3C01"]);
  });

  it("factors only values held by MORE than half of the devices: a tie makes no default", () => {
    const { definition, mismatches } = roundTrip([device("1", { a: "x" }, GROUP), device("2", { a: "y" }, GROUP2)]);
    expect(mismatches).toEqual([]);
    expect(definition.defaults).toEqual({ adoptOnly: true, terminationEnabled: false });
    expect(definition.devices).toEqual([
      { deviceId: "1", groupId: GROUP, tags: { a: "x" } },
      { deviceId: "2", groupId: GROUP2, tags: { a: "y" } },
    ]);
  });

  it("writes the termination flag of the majority into defaults, and the others per device", () => {
    const { definition, mismatches } = roundTrip([device("1", {}, undefined, true), device("2", {}, undefined, true), device("3", {})]);
    expect(mismatches).toEqual([]);
    expect(definition.defaults?.terminationEnabled).toBe(true);
    expect(definition.devices?.[2]).toEqual({ deviceId: "3", terminationEnabled: false });
  });

  it("quotes values YAML would read as something else (numbers, booleans, null)", () => {
    const { mismatches } = roundTrip([device("12345678", { floor: "3", ok: "true", none: "null", note: "a: b # c" })]);
    expect(mismatches).toEqual([]);
  });

  it("CSV: quotes cells with separators and quotes, and keeps devices a row cannot hold in the fleet file", () => {
    const listed = [device("1", { "a,b": 'say "hi"; ok' }, GROUP), device("2", { pad: " spaced " }), device("3", { x: "1" })];
    const { result, definition, mismatches } = roundTrip(listed, true);
    expect(mismatches).toEqual([]);
    expect(result.csvDevices).toBe(2);
    expect(result.csv).toBe(['device_id,group_id,"tag:a,b",tag:x', `1,${GROUP},"say ""hi""; ok",`, "3,,,1", ""].join("\n"));
    expect(definition.devices).toEqual([{ deviceId: "2", tags: { pad: " spaced " } }]);
  });

  it("reports a device whose state the loaded fleet does not declare", () => {
    const listed = [device("1", { a: "x" })];
    expect(roundTripMismatches(listed, [])).toEqual(["device 1 is missing"]);
  });
});
