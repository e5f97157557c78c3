/** `productCertificationId` in fleet files: a default for every device, overridden per device. */
import { describe, expect, it } from "vitest";
import { FleetDefinitionError } from "../../src/fleet/issues";
import { loadFleetDefinition } from "../../src/fleet/load";

const PAC = "0123456789ABCDEF";

describe("productCertificationId in a fleet file", () => {
  it("defaults apply to every device; a device's own value wins; absent stays absent", () => {
    const fleet = loadFleetDefinition(
      {
        defaults: { productCertificationId: "P_0006_7A5B_01" },
        devices: [
          { deviceId: "A1", pac: PAC },
          { deviceId: "A2", pac: PAC, productCertificationId: "P_0006_7A5B_02" },
        ],
      },
      { env: {} },
    );
    expect(fleet.devices.map((d) => d.productCertificationId)).toEqual(["P_0006_7A5B_01", "P_0006_7A5B_02"]);
    const none = loadFleetDefinition({ devices: [{ deviceId: "A1", pac: PAC }] }, { env: {} });
    expect(none.devices[0]).not.toHaveProperty("productCertificationId");
  });

  it("an empty one is refused, naming the field and the fix", () => {
    let error: unknown;
    try {
      loadFleetDefinition({ devices: [{ deviceId: "A1", pac: PAC, productCertificationId: "" }] }, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FleetDefinitionError);
    expect(String((error as Error).message)).toMatch(/devices\[0\]\.productCertificationId.*product certification ID/s);
  });

  it("more tags than a device may have, once the defaults are merged in, is refused", () => {
    const tags = (prefix: string, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "1"]));
    let error: unknown;
    try {
      loadFleetDefinition({ defaults: { tags: tags("d", 60) }, devices: [{ deviceId: "A1", pac: PAC, tags: tags("o", 60) }] }, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FleetDefinitionError);
    expect(String((error as Error).message)).toContain("has 120 tags with the defaults merged in; a device may have at most 100 tags");
  });
});
