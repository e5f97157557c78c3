/** The default program and SigfoxFleet with `fleet:shard`: which devices a shard stack declares (Pulumi runtime mocks). */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { shardOfDevice } from "../../src/fleet/shard";
import { fleetProgram } from "../../src/program/fleet-program";
import { fixtureDir, lines, PAC1, useRuntimeMocks } from "../fleet/helpers";

const mocks = useRuntimeMocks("soracom-sigfox-fleet");
/** Names of the devices registered since the last clear. */
const deviceNames = () => mocks.devices().map((d) => d.name);

const IDS = Array.from({ length: 40 }, (_, i) => (0x1a2b3c00 + i).toString(16).toUpperCase());
const fleetDir = () =>
  fixtureDir({
    "fleet.yaml": lines("devices:", ...IDS.map((id) => `  - {deviceId: "${id}", pacFrom: {env: PAC}}`)),
  });
const output = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

describe("fleet:shard", () => {
  it("without it, the program deploys every device", async () => {
    const outputs = fleetProgram({ env: { PAC: PAC1 }, baseDir: fleetDir(), fleetFile: "fleet.yaml" });
    expect(outputs.deviceCount).toBe(40);
    expect(outputs.shard).toBeUndefined();
    expect(Object.keys(await output(outputs.devices))).toEqual(IDS);
  });

  it("with fleet:shard i/K, the program declares exactly the devices of shard i; the K shards partition the fleet", async () => {
    const dir = fleetDir();
    const seen: string[] = [];
    for (let index = 1; index <= 3; index++) {
      mocks.clear();
      pulumi.runtime.setConfig("fleet:shard", `${index}/3`);
      const outputs = fleetProgram({ env: { PAC: PAC1 }, baseDir: dir, fleetFile: "fleet.yaml" });
      expect(outputs.shard).toBe(`${index}/3`);
      const expected = IDS.filter((id) => shardOfDevice(id, 3) === index);
      expect(expected.length).toBeGreaterThan(0);
      expect(Object.keys(await output(outputs.devices))).toEqual(expected);
      expect(deviceNames().sort()).toEqual([...expected].sort());
      expect(outputs.deviceCount).toBe(expected.length);
      seen.push(...deviceNames());
    }
    expect(seen.sort()).toEqual([...IDS].sort());
  });

  it("rejects a bad fleet:shard before any resource is registered, naming the key and the fix", async () => {
    pulumi.runtime.setConfig("fleet:shard", "4/3");
    expect(() => fleetProgram({ env: { PAC: PAC1 }, baseDir: fleetDir(), fleetFile: "fleet.yaml" })).toThrow(
      /fleet:shard "4\/3" is invalid: .*Fix: `pulumi config set fleet:shard <shard>\/<count>`/,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(deviceNames()).toEqual([]);
  });
});
