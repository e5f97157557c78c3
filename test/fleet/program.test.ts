/** The default program (`fleetProgram`) under Pulumi's runtime mocks: which fleet file it deploys and what it exports. */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { SAMPLE_FLEET_FILE } from "../../src/fleet";
import { fleetProgram, projectDir, resolveFleetFile } from "../../src/program/fleet-program";
import { fixtureDir, lines, PAC1, useRuntimeMocks } from "./helpers";

const mocks = useRuntimeMocks("soracom-sigfox-fleet");
/** Names of the devices registered since the last clear. */
const deviceNames = () => mocks.devices().map((d) => d.name);

const output = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));
const oneDeviceFleet = (id: string) => fixtureDir({ "fleet.yaml": lines("devices:", `  - {deviceId: "${id}", pacFrom: {env: PAC}}`) });

describe("fleetProgram", () => {
  it("deploys the repository's fleet.yaml by default and exports a summary of its devices", async () => {
    const outputs = fleetProgram({ env: {}, baseDir: path.dirname(SAMPLE_FLEET_FILE) });
    expect(outputs.fleetFile).toBe("fleet.yaml");
    expect(outputs.deviceCount).toBe(5);
    const devices = await output(outputs.devices);
    expect(Object.keys(devices)).toEqual(["1A2B3C01", "1A2B3C02", "1A2B3C03", "1A2B3C04", "1A2B3C05"]);
    expect(deviceNames().sort()).toEqual(["1A2B3C01", "1A2B3C02", "1A2B3C03", "1A2B3C04", "1A2B3C05"]);
    expect(devices["1A2B3C05"]).toMatchObject({ status: "ready", groupId: null, terminationEnabled: true });
  });

  it("takes the fleet file from SORACOM_FLEET_FILE, relative to baseDir", async () => {
    const dir = oneDeviceFleet("BEEF");
    expect(resolveFleetFile({ env: { SORACOM_FLEET_FILE: "fleet.yaml" }, baseDir: dir })).toBe(path.join(dir, "fleet.yaml"));
    const outputs = fleetProgram({ env: { SORACOM_FLEET_FILE: "fleet.yaml", PAC: PAC1 }, baseDir: dir });
    expect(outputs.deviceCount).toBe(1);
    await output(outputs.devices);
    expect(deviceNames()).toEqual(["BEEF"]);
  });

  it("prefers config fleet:file over SORACOM_FLEET_FILE, and an explicit fleetFile over both", () => {
    const fromConfig = oneDeviceFleet("C0FFEE");
    const fromOption = oneDeviceFleet("F00D");
    pulumi.runtime.setConfig("fleet:file", path.join(fromConfig, "fleet.yaml"));
    const env = { SORACOM_FLEET_FILE: "/nonexistent/fleet.yaml" };
    expect(resolveFleetFile({ env })).toBe(path.join(fromConfig, "fleet.yaml"));
    expect(resolveFleetFile({ env, fleetFile: path.join(fromOption, "fleet.yaml") })).toBe(path.join(fromOption, "fleet.yaml"));
  });
});

describe("projectDir", () => {
  it("finds the nearest folder holding Pulumi.yaml, as the CLI runs the program from the folder of main", () => {
    const dir = fixtureDir({ "Pulumi.yaml": "name: x\nruntime: nodejs\n", "dist/program/.keep": "" });
    expect(projectDir(path.join(dir, "dist", "program"))).toBe(dir);
    expect(resolveFleetFile({ env: { SORACOM_FLEET_FILE: "my-fleet.yaml" }, baseDir: projectDir(path.join(dir, "dist/program")) })).toBe(
      path.join(dir, "my-fleet.yaml"),
    );
  });
});
