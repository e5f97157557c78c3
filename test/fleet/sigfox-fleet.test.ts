/**
 * SigfoxFleet under Pulumi's runtime mocks: which children it registers, with which inputs, and
 * that a bad definition registers nothing. No engine, no provider process, no API.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { FleetDefinitionError } from "../../src/fleet";
import { SigfoxFleet, SIGFOX_FLEET_TYPE } from "../../src/resources/sigfox-fleet";
import { fixtureDir, GROUP, lines, PAC1, PAC2, PAC3, useRuntimeMocks } from "./helpers";

const mocks = useRuntimeMocks("fleet-test");
const { registered } = mocks;

/** How a secret input reaches the mock monitor: wrapped with the secret signature. */
const secretInput = (value: string) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });
const output = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));
const devicesOf = mocks.devices;

const fleetFile = (devices: string[]) =>
  path.join(
    fixtureDir({
      "fleet.yaml": lines("defaults:", "  tags: {project: demo}", `  groupId: ${GROUP}`, "pacsCsv: pacs.csv", "devices:", ...devices),
      "pacs.csv": lines("device_id,pac", `1A2B3C01,${PAC1}`, `1A2B3C02,${PAC2}`, `1A2B3C03,${PAC3}`),
    }),
    "fleet.yaml",
  );

describe("SigfoxFleet", () => {
  it("registers one SigfoxDevice per device, named by device ID, parented to the fleet, with merged inputs and a secret PAC", async () => {
    const fleet = new SigfoxFleet("fleet", {
      definition: fleetFile([
        '  - deviceId: "1A2B3C01"',
        '  - deviceId: "1a2b3c02"',
        "    tags: {site: osaka}",
        "    groupId: null",
        "    terminationEnabled: true",
      ]),
      env: {},
      config: {},
    });
    const summary = await output(fleet.devices);
    const devices = devicesOf().sort((a, b) => a.name.localeCompare(b.name));
    expect(devices.map((d) => d.name)).toEqual(["1A2B3C01", "1A2B3C02"]);
    expect(devices.every((d) => d.type === "pulumi-nodejs:dynamic/soracom:SigfoxDevice")).toBe(true);
    expect(fleet.deviceResources["1A2B3C01"]).toBeDefined();
    const urn = await output(fleet.deviceResources["1a2b3c02"]!.urn);
    expect(urn).toBe(`urn:pulumi:dev::fleet-test::${SIGFOX_FLEET_TYPE}$pulumi-nodejs:dynamic/soracom:SigfoxDevice::1A2B3C02`);
    expect(devices[0]?.inputs).toMatchObject({ deviceId: "1A2B3C01", registrationSecret: secretInput(PAC1), tags: { project: "demo" }, groupId: GROUP });
    expect(devices[1]?.inputs).toMatchObject({
      deviceId: "1a2b3c02",
      registrationSecret: secretInput(PAC2),
      tags: { project: "demo", site: "osaka" },
      terminationEnabled: true,
    });
    expect(devices[1]?.inputs.groupId).toBeUndefined();
    expect(summary).toEqual({
      "1A2B3C01": { status: "ready", groupId: GROUP, tags: { project: "demo" }, terminationEnabled: false },
      "1a2b3c02": { status: "ready", groupId: null, tags: { project: "demo", site: "osaka" }, terminationEnabled: true },
    });
  });

  it("keeps every existing device's name and inputs when the file is reordered and a device is added", async () => {
    const snapshot = async (devices: string[], name: string) => {
      mocks.clear();
      const fleet = new SigfoxFleet(name, { definition: fleetFile(devices), env: {}, config: {} });
      await output(fleet.devices);
      return Object.fromEntries(devicesOf().map((d) => [d.name, d.inputs]));
    };
    const before = await snapshot(['  - deviceId: "1A2B3C01"', '  - deviceId: "1A2B3C02"'], "fleet-a");
    const after = await snapshot(['  - deviceId: "1A2B3C03"', '  - deviceId: "1A2B3C02"', '  - deviceId: "1A2B3C01"'], "fleet-b");
    expect(Object.keys(after).sort()).toEqual(["1A2B3C01", "1A2B3C02", "1A2B3C03"]);
    for (const name of Object.keys(before)) expect(after[name]).toEqual(before[name]);
  });

  it("throws the definition's problems before registering anything, not even the component", () => {
    expect(
      () =>
        new SigfoxFleet("bad", {
          definition: { devices: [{ deviceId: "1A2B3C01" }, { deviceId: "nope" }] },
          env: {},
          config: {},
        }),
    ).toThrow(FleetDefinitionError);
    expect(registered).toEqual([]);
  });
});
