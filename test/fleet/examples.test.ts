/**
 * The examples and the sample fleet stay consistent with the format: every fleet file loads, and
 * each example's emulator seed holds exactly the devices (with their PACs) and groups it deploys.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fleetSeed, loadFleetDefinition, type FleetSeed } from "../../src/fleet";

const EXAMPLES = path.resolve(__dirname, "../../examples");

const readSeed = (dir: string): FleetSeed => JSON.parse(fs.readFileSync(path.join(dir, "emulator-seed.json"), "utf8"));
/** The environment a test gives an example: SORACOM_PAC_<id> for every seeded device. */
const pacEnv = (seed: FleetSeed) => Object.fromEntries(seed.devices.map((d) => [`SORACOM_PAC_${d.deviceId}`, d.pac]));

describe("examples", () => {
  for (const name of ["fleet-from-csv", "ci-pipeline"]) {
    it(`${name}: the fleet file loads and emulator-seed.json seeds exactly its devices, PACs and groups`, () => {
      const dir = path.join(EXAMPLES, name);
      const seed = readSeed(dir);
      const fleet = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: pacEnv(seed), config: {} });
      const derived = fleetSeed(fleet);
      const byId = (a: { deviceId: string }, b: { deviceId: string }) => a.deviceId.localeCompare(b.deviceId);
      expect([...derived.devices].sort(byId)).toEqual([...seed.devices].sort(byId));
      expect(derived.groups.map((g) => g.groupId)).toEqual((seed.groups ?? []).map((g) => g.groupId));
    });
  }

  it("fleet-from-csv: takes PACs from the sample CSV when SORACOM_PACS_CSV is unset, and never from a committed fleet file", () => {
    const fleet = loadFleetDefinition(path.join(EXAMPLES, "fleet-from-csv", "fleet.yaml"), { env: {} });
    expect(fleet.devices.map((d) => d.pacSource?.kind)).toEqual(["csv", "csv", "csv", "csv"]);
    for (const device of fleet.devices) expect(device.pacSource?.where).toMatch(/sample-pacs\.csv:\d+$/);
  });

  it("single-device: the seed holds one device and each example is a self-contained CommonJS project", () => {
    const seed = readSeed(path.join(EXAMPLES, "single-device"));
    expect(seed.devices).toHaveLength(1);
    for (const name of ["single-device", "fleet-from-csv", "ci-pipeline"]) {
      const dir = path.join(EXAMPLES, name);
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      expect(Object.keys(pkg.dependencies).sort()).toEqual(["@pulumi/pulumi", "pulumi-soracom-sigfox"]);
      expect(pkg.main).toBe("index.js");
      for (const file of ["Pulumi.yaml", "index.js", "README.md"]) expect(fs.existsSync(path.join(dir, file))).toBe(true);
    }
  });
});
